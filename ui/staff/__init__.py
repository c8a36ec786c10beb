"""Staff mode (社工): one module per screen, imported when first shown."""
from __future__ import annotations

STAFF_SCREENS: dict[str, str] = {
    "staff_login": "ui.staff.login:StaffLoginScreen",
    "staff_pin": "ui.staff.pin:StaffPinScreen",
    "staff_home": "ui.staff.home:StaffHomeScreen",
    "staff_elder": "ui.staff.elder:StaffElderScreen",
    "staff_elder_form": "ui.staff.elder_form:StaffElderFormScreen",
    "staff_elder_needs": "ui.staff.elder_needs:StaffElderNeedsScreen",
    "staff_day_lists": "ui.staff.day_lists:StaffDayListsScreen",
    "staff_attention": "ui.staff.attention:StaffAttentionScreen",
    "staff_sync": "ui.staff.sync:StaffSyncScreen",
    "staff_settings": "ui.staff.settings:StaffSettingsScreen",
    "staff_enrol": "ui.staff.enrol:StaffEnrolScreen",
    "staff_audit": "ui.staff.audit:StaffAuditScreen",
}

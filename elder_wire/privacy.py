"""What a shared screen or an outbound message may show of an elder: masked name and phone."""
from __future__ import annotations

# Two-character surnames, so 欧阳明华 shows as 欧阳*华 rather than 欧*华.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
    "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫",
    "西门", "申屠", "太史", "呼延", "澹台", "公冶", "宗政", "濮阳", "淳于",
    "单于", "赫连", "闻人", "万俟", "鲜于", "百里", "拓跋",
})


def mask_name(name: str | None) -> str:
    """The name as a shared screen shows it, the usual way in China: the surname, then * for
    the rest but its last character (王秀英 -> 王*英, 王芳 -> 王*); a name in Latin letters keeps
    its first word and initials (Mary Ann Lee -> Mary A. L.)."""
    name = (name or "").strip()
    if not name:
        return ""
    if " " in name:
        first, *rest = name.split()
        return " ".join([first] + [f"{word[0]}." for word in rest])
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    given = name[len(surname):]
    if len(given) <= 1:
        return f"{surname}*"
    return f"{surname}*{given[-1]}"


def mask_phone(phone: str | None) -> str:
    """138****5678: enough to recognise one's own number."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) < 7:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"

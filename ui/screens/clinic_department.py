"""Clinic, step 1: which department (全科, 中医, 康复…) and its doctor."""
from __future__ import annotations

from ui.screens.paged import Choice, PagedChoiceScreen


class ClinicDepartmentScreen(PagedChoiceScreen):
    name = "clinic_department"

    def build(self) -> None:
        super().build()
        self.set_title(self.t("clinic.department.title"))

    def choices(self) -> list[Choice]:
        return [Choice(f"{self.t('department.' + d.code)}\n{d.doctor}", True, d.code)
                for d in self.core.clinic.departments()]

    def prompt(self) -> str:
        return self.t("clinic.department.prompt")

    def chosen(self, value) -> None:
        self.core.session.service.department = value
        self.shell.answer("chosen")

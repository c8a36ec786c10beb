"""A service booked by a time, first step where its provider has departments (门诊: 全科, 中医,
康复…): which department, and its doctor."""
from __future__ import annotations

from ui.screens.paged import Choice
from ui.screens.window_day import ServiceScreen


class ServiceDepartmentScreen(ServiceScreen):
    name = "service_department"

    def choices(self) -> list[Choice]:
        self.set_title(self.words("department.title"))
        t = self.t
        return [Choice(f"{t('department.' + d.code) if t.has('department.' + d.code) else d.name}"
                       f"\n{d.doctor}", True, d.code) for d in self.flow.departments()]

    def prompt(self) -> str:
        return self.words("department.prompt", first=True)

    def chosen(self, value) -> None:
        self.core.session.draft.department = value
        self.shell.answer("chosen")

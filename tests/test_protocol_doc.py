"""docs/protocol.md stands on its own: it names every operation type, field, booking status,
reason and change kind of the wire itself, points nowhere outside the repository, and every
section that it or the code cites (§N) is there."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from elder_wire import operations
from elder_wire.codes import BookingStatus, ChangeKind, OpType, Reason
from elder_wire.operations import CHANGE_DATA, OPERATION_PAYLOADS

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
SECTIONS = {match.group(1).rstrip(".")
            for match in re.finditer(r"^#{2,3} (\d+(?:\.\d+)*[a-z]?)\.? ", PROTOCOL, re.M)}
RESULTS = (operations.BookingResult, operations.CancelResult, operations.AttendanceResult,
           operations.RatingResult, operations.ComplaintResult, operations.HelpResult,
           operations.ElderResult, operations.AuditResult)


def _named(word: str) -> bool:
    """The word stands in the text as a name: in backticks, or in a {field, …} list."""
    return re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", PROTOCOL) is not None


def test_no_pointer_outside_the_repository():
    assert "shared/" not in PROTOCOL
    assert "../../" not in PROTOCOL


@pytest.mark.parametrize("codes", [OpType, Reason, ChangeKind, BookingStatus],
                         ids=lambda codes: codes.__name__)
def test_every_code_is_listed(codes):
    missing = [code.value for code in codes if f"`{code.value}`" not in PROTOCOL]
    assert missing == []


def test_every_field_of_every_payload_answer_and_change_is_named():
    models = [*OPERATION_PAYLOADS.values(), *CHANGE_DATA.values(), *RESULTS,
              operations.PolicyData, operations.ServiceData]
    missing = [f"{model.__name__}.{name}" for model in models
               for name in model.model_fields if not _named(name)]
    assert missing == []


def test_every_cited_section_is_there():
    cited = set(re.findall(r"§(\d+(?:\.\d+)*[a-z]?)", PROTOCOL))
    for folder in ("elder_wire", "service_platform", "kiosk", "ui", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            cited |= set(re.findall(r"§(\d+(?:\.\d+)*[a-z]?)", path.read_text("utf-8")))
    assert {section.rstrip(".") for section in cited} - SECTIONS == set()

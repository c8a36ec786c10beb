"""The OpenAPI document types the whole wire, so another client can be generated from it: it is
valid OpenAPI 3.1, declares the device token, types every operation by its `type` and every
change by its `kind`, names every reason, kind and status, and its examples are what the
platform takes and answers. The proof: models generated from the served document read a real
push body, its answer and the real feed of a running platform."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import uuid

import pytest
import requests
from datamodel_code_generator import DataModelType, InputFileType, generate
from datamodel_code_generator.format import Formatter
from openapi_spec_validator import OpenAPIV31SpecValidator
from pydantic import TypeAdapter

from elder_wire.codes import BookingStatus, ChangeKind, HelpState, OpType, Reason
from elder_wire.operations import (
    CHANGE_DATA,
    OPERATION_PAYLOADS,
    ChangesPage,
    ErrorResponse,
    PushAnswer,
    PushBody,
    SnapshotResponse,
)
from service_platform import openapi
from service_platform.operations import PAYLOADS
from tests.platform.wire import (
    audit_op,
    booking_op,
    cancel_op,
    complaint_op,
    elder_op,
    help_op,
    help_update_op,
    op,
    service_op,
    stamp,
)

SCHEMAS = "#/components/schemas/"
WITHOUT_TOKEN = {("/v1/enrol", "post"), ("/v1/time", "get")}


@pytest.fixture(scope="module")
def document(platform) -> dict:
    answer = requests.get(platform.base_url + "/openapi.json", timeout=10)
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture(scope="module")
def generated(document, tmp_path_factory):
    """Pydantic models generated from the served document, imported as a module."""
    code = generate(json.dumps(document), input_file_type=InputFileType.OpenAPI,
                    output_model_type=DataModelType.PydanticV2BaseModel,
                    formatters=[Formatter.BUILTIN])
    path = tmp_path_factory.mktemp("generated") / "wire_client.py"
    path.write_text(code, encoding="utf-8")
    name = f"generated_wire_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(name, None)


def _schema(document: dict, ref: str) -> dict:
    return document["components"]["schemas"][ref.removeprefix(SCHEMAS)]


def _strings(node) -> set[str]:
    """Every string value anywhere in the document (enum values, consts, keys of mappings)."""
    if isinstance(node, dict):
        return set(node) | {s for value in node.values() for s in _strings(value)}
    if isinstance(node, list):
        return {s for item in node for s in _strings(item)}
    return {node} if isinstance(node, str) else set()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(document).validate()


def test_the_device_token_is_a_bearer_scheme_on_every_v1_route_that_needs_it(document):
    schemes = document["components"]["securitySchemes"]
    assert len(schemes) == 1
    (name, scheme), = schemes.items()
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    routes = [(path, method, item) for path, methods in document["paths"].items()
              if path.startswith("/v1/") for method, item in methods.items()]
    assert len(routes) == 7
    for path, method, item in routes:
        if (path, method) in WITHOUT_TOKEN:
            assert not item.get("security"), path
        else:
            assert item["security"] == [{name: []}], path
            assert "401" in item["responses"] and "403" in item["responses"], path


def test_the_push_body_maps_every_operation_type_to_its_payload(document):
    body = document["paths"]["/v1/push"]["post"]["requestBody"]["content"]["application/json"]
    push = _schema(document, body["schema"]["$ref"])
    union = push["properties"]["operations"]["items"]
    assert union["discriminator"]["propertyName"] == "type"
    mapping = union["discriminator"]["mapping"]
    assert set(mapping) == {t.value for t in OpType}
    assert sorted(mapping.values()) == sorted(v["$ref"] for v in union["oneOf"])
    for op_type, ref in mapping.items():
        variant = _schema(document, ref)
        assert variant["properties"]["type"]["const"] == op_type
        assert variant["additionalProperties"] is False  # requests stay closed
        payload = _schema(document, variant["properties"]["payload"]["$ref"])
        assert payload["title"] == OPERATION_PAYLOADS[OpType(op_type)].__name__


def test_the_platform_validates_each_payload_by_the_documented_model():
    """One definition: the payload the platform validates a known type by is the one the
    document shows for that type."""
    for op_type, adapter in PAYLOADS.items():
        documented = TypeAdapter(OPERATION_PAYLOADS[OpType(op_type)])
        assert adapter.json_schema() == documented.json_schema(), op_type


def test_every_change_kind_has_its_data_documented(document):
    answer = document["paths"]["/v1/changes"]["get"]["responses"]["200"]["content"]
    page = _schema(document, answer["application/json"]["schema"]["$ref"])
    union = page["properties"]["changes"]["items"]
    assert union["discriminator"]["propertyName"] == "kind"
    mapping = union["discriminator"]["mapping"]
    assert set(mapping) == {kind.value for kind in ChangeKind} == {k.value for k in CHANGE_DATA}
    for kind, ref in mapping.items():
        variant = _schema(document, ref)
        assert variant["properties"]["kind"]["const"] == kind
        data = variant["properties"]["data"]["anyOf"]
        assert {"type": "null"} in data  # op: delete
        shape = _schema(document, next(d["$ref"] for d in data if "$ref" in d))
        assert shape["properties"] and shape["required"], kind


def test_every_reason_kind_status_and_type_is_named(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["Reason"]["enum"]) == {reason.value for reason in Reason}
    assert set(schemas["BookingStatus"]["enum"]) == {s.value for s in BookingStatus}
    assert set(schemas["ChangeKind"]["enum"]) == {kind.value for kind in ChangeKind}
    assert set(schemas["OpType"]["enum"]) == {t.value for t in OpType}
    assert set(schemas["HelpState"]["enum"]) == {s.value for s in HelpState}
    result = schemas["OperationResult"]["properties"]
    assert {"$ref": SCHEMAS + "Reason"} in result["reason"]["anyOf"]
    assert schemas["BookingResult"]["properties"]["booking_status"] == {
        "$ref": SCHEMAS + "BookingStatus"}
    assert schemas["BookingData"]["properties"]["status"] == {"$ref": SCHEMAS + "BookingStatus"}
    strings = _strings(document)
    for value in [*Reason, *ChangeKind, *BookingStatus, *OpType]:
        assert value.value in strings, value


def test_the_examples_are_what_the_platform_takes_and_answers(document, generated):
    for model, generated_model, examples in (
            (PushBody, generated.PushBody, openapi.PUSH_EXAMPLES),
            (PushAnswer, generated.PushAnswer, openapi.PUSH_ANSWER_EXAMPLES),
            (ChangesPage, generated.ChangesPage, openapi.CHANGES_EXAMPLES),
            (SnapshotResponse, generated.SnapshotResponse, openapi.SNAPSHOT_EXAMPLES),
            (ErrorResponse, generated.ErrorResponse,
             {"error": {"value": openapi.ERROR_EXAMPLE}})):
        assert examples
        for example in examples.values():
            model.model_validate(example["value"])
            generated_model.model_validate(example["value"])
    push = document["paths"]["/v1/push"]["post"]
    assert push["requestBody"]["content"]["application/json"]["examples"]
    assert push["responses"]["200"]["content"]["application/json"]["examples"]


def test_generated_models_read_a_real_push_and_the_real_feed(platform, generated):
    community = platform.community()
    platform.services(community)
    slot = platform.slot(community, capacity=5)
    cleaning = platform.service_slot(community, "cleaning", 3, window="am")
    kiosk = platform.kiosk(community)
    kiosk.leases(want=[{"slot_id": slot, "places": 2}])
    meal = booking_op("elder-001", slot)
    help_call = help_op("elder-001")
    body = {"operations": [
        meal, booking_op("elder-002", slot, mode="dine_in"),
        service_op("cleaning", "elder-003", cleaning, kind="deep", needs=["pets"],
                   price_cents=15000, subsidy_cents=4000),
        cancel_op(meal["payload"]["id"]), help_call,
        help_update_op(help_call["payload"]["id"], "acknowledged"),
        complaint_op("elder-002"), elder_op("elder-100", "80000100"), audit_op(),
        op("attendance.record", {"id": str(uuid.uuid4()), "slot_id": slot,
                                 "elder_id": "elder-002", "created_at": stamp()}),
        booking_op("elder-404", slot)]}

    typed = generated.PushBody.model_validate(body)  # the typed copy of what is sent
    kinds = [type(item.root).__name__ for item in typed.operations]
    assert kinds[:3] == ["BookingCreateOp"] * 3 and "AttendanceRecordOp" in kinds
    # A newer kiosk's type is not in the document, yet answered in the batch, not a 422
    newer = op("parcel.collect", {"id": "x"})
    answer = kiosk.post("/v1/push", {"operations": [*body["operations"], newer]})
    assert answer.status_code == 200, answer.text
    results = generated.PushAnswer.model_validate(answer.json()).results
    assert [result.status.value for result in results][:3] == ["applied"] * 3
    reasons = {r.reason.value for r in results if r.reason is not None}
    assert {"unknown_elder", "unknown_type"} <= reasons

    since, seen = 0, set()
    while True:
        page = kiosk.get("/v1/changes", since=since, limit=50)
        assert page.status_code == 200, page.text
        typed_page = generated.ChangesPage.model_validate(page.json())
        for change in typed_page.changes:
            seen.add(type(change.root).__name__)
        since = typed_page.next
        if not typed_page.more:
            break
    assert {"ElderChange", "MealSlotChange", "ServiceSlotChange", "ProviderChange",
            "BookingChange", "LeaseChange", "HelpRequestChange", "ComplaintChange"} <= seen


def test_generated_models_read_the_demo_communitys_first_sync(platform, generated):
    kiosk = platform.kiosk("community-xingfu")
    page = kiosk.get("/v1/changes", since=0, limit=1000)
    assert page.status_code == 200
    typed = generated.ChangesPage.model_validate(page.json())
    seen = {type(change.root).__name__ for change in typed.changes}
    assert {"SubsidyLevelChange", "StaffChange", "BookingChange"} <= seen


def test_generated_models_read_the_demo_communitys_snapshot(platform, generated):
    kiosk = platform.kiosk("community-xingfu")
    answer = kiosk.get("/v1/snapshot")
    assert answer.status_code == 200
    typed = generated.SnapshotResponse.model_validate(answer.json())
    assert {"elder", "booking", "meal_slot", "service", "subsidy_level"} <= set(typed.kinds)
    for kind in typed.kinds.values():
        assert all(len(row) == len(kind.columns) for row in kind.rows)
    snapshot = typed.kinds["elder"]
    assert len(snapshot.rows) == 50 and "card_no" in snapshot.columns


def test_the_streamed_snapshots_lines_are_typed_and_read_by_the_generated_models(
        document, generated, platform):
    content = document["paths"]["/v1/snapshot"]["get"]["responses"]["200"]["content"]
    lines = content["application/x-ndjson"]
    assert [item["$ref"] for item in lines["schema"]["oneOf"]] == [
        SCHEMAS + name for name in ("SnapshotStart", "SnapshotPart", "SnapshotEnd")]
    kiosk = platform.kiosk("community-xingfu")
    answer = requests.get(kiosk.base_url + "/v1/snapshot", timeout=30,
                          headers={**kiosk.headers, "Accept": "application/x-ndjson"})
    assert answer.status_code == 200
    for text in (lines["example"], answer.text):
        first, *parts, last = [json.loads(line) for line in text.splitlines()]
        generated.SnapshotStart.model_validate(first)
        typed = [generated.SnapshotPart.model_validate(part) for part in parts]
        assert generated.SnapshotEnd.model_validate(last).end.parts == len(typed) > 1
        assert all(len(row) == len(part.columns) for part in typed for row in part.rows)


def test_error_answers_are_read_by_the_generated_models(platform, generated):
    kiosk = platform.kiosk(platform.community())
    bad = booking_op("elder-001", "meal:2040-01-01:lunch")
    del bad["payload"]["slot_id"]
    answer = kiosk.post("/v1/push", {"operations": [bad]})
    assert answer.status_code == 422
    error = generated.ErrorResponse.model_validate(answer.json()).error
    assert error.code == "invalid_request"
    assert error.details[0].index == 0 and error.details[0].op_id == bad["op_id"]
    refused = platform.anonymous("ek1_nothing").get("/v1/changes")
    assert refused.status_code == 401
    assert generated.ErrorResponse.model_validate(refused.json()).error.code == "unauthorized"


def test_every_error_answer_carries_the_server_time(platform, generated):
    """Like every other JSON answer under /v1 (§1, §7): the token gate's 401, the size
    limit's 413, the validation's 422 and the router's 404 alike."""
    kiosk = platform.kiosk(platform.community())
    answers = {
        "unauthorized": platform.anonymous().post("/v1/push", {"operations": []}),
        "payload_too_large": kiosk.post("/v1/push", data=b"x" * (2 * 1024 * 1024),
                                        headers={"Content-Type": "application/json"}),
        "invalid_request": kiosk.post("/v1/push", {"operations": []}),
        "not_found": kiosk.get("/v1/nothing-here"),
    }
    for code, answer in answers.items():
        assert answer.status_code >= 400, code
        body = generated.ErrorResponse.model_validate(answer.json())
        assert body.error.code == code
        assert dt.datetime.fromisoformat(body.server_time).tzinfo is not None, code

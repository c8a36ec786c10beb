"""The API's OpenAPI document, typed in full so that another client can be generated from it.

FastAPI writes the document from the routes. The platform validates a push's operations by
their type one at a time (service_platform/operations.py: an unknown type is rejected per
operation, a bad payload is a 422 naming the operation), and it hands the feed's changes out as
stored, so the routes' own models leave an operation's `payload`, a result's `data` and a
change's `data` untyped. Here the document gets the full types of elder_wire.operations instead:

- the push body: each operation a union chosen by `type` (a discriminator, every `OpType`);
- the push answer: results with `Reason` codes and each type's result data;
- the changes page: each change a union chosen by `kind` (every `ChangeKind`) with its data;
- the snapshot (`GET /v1/snapshot`) is typed by its route: a kind's rows are the values of its
  change `data`'s fields in the order its `columns` name them; its streamed form
  (`application/x-ndjson`) by the models of its lines, one of which each line is;
- examples of the requests and answers (tests check them against the same models).

The device token's bearer scheme and the headers a kiosk reports itself by (protocol §2.1) go
on every route that TokenGate asks a token of (`token_gate.needs_token`): they are read there,
before the route, not by FastAPI from each route's parameters on every call.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from elder_wire.codes import ChangeKind, OpType
from elder_wire.operations import (
    ChangesPage,
    PushAnswer,
    PushBody,
    SnapshotEnd,
    SnapshotPart,
    SnapshotStart,
)
from service_platform import fleet
from service_platform.token_gate import needs_token

REF = "#/components/schemas/{model}"
DEVICE_TOKEN = "deviceToken"
DEVICE_TOKEN_SCHEME = {"type": "http", "scheme": "bearer",
                       "description": "The device token from `POST /v1/enrol`: "
                                      "`Authorization: Bearer ek1_…`."}
# (path, method) -> the request body's model, and the 200 answer's model
TYPED_BODIES = {("/v1/push", "post"): PushBody}
TYPED_ANSWERS = {("/v1/push", "post"): PushAnswer, ("/v1/changes", "get"): ChangesPage}

_OP = "0b6f3c1e-8f7a-4e55-9a4c-5d1f3e8f2a10"
_BOOKING = "7d0c5a2e-1f3b-4c6d-8e9f-0a1b2c3d4e5f"
_LEASE = "c1a9d2e3-f4a5-4b6c-9d7e-8f9a0b1c2d3e"
_KIOSK_TIME = "2026-11-23T10:42:07+08:00"
_SERVER_TIME = "2026-11-23T02:42:08.123+00:00"

PUSH_EXAMPLES: dict[str, dict[str, Any]] = {
    "meal": {"summary": "A meal booked within a lease", "value": {"operations": [{
        "op_id": _OP, "type": "booking.create", "created_at": _KIOSK_TIME,
        "payload": {"id": _BOOKING, "elder_id": "elder-0001", "service": "meal",
                    "slot_id": "meal:2026-11-24:lunch", "mode": "pickup", "price_cents": 1500,
                    "subsidy_cents": 300, "staff_id": None, "created_at": _KIOSK_TIME,
                    "lease_id": _LEASE}}]}},
    "cleaning_and_activity": {"summary": "A deep clean, an activity, a card scanned at its door",
                              "value": {"operations": [
        {"op_id": "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "type": "booking.create",
         "created_at": _KIOSK_TIME,
         "payload": {"id": "9a1e2b3c-4d5e-4f6a-8b7c-9d0e1f2a3b4c", "elder_id": "elder-0002",
                     "service": "cleaning", "slot_id": "cleaning:2026-11-26:am",
                     "kind": "deep", "needs": ["pets", "mobility_help"], "price_cents": 15000,
                     "subsidy_cents": 6000, "staff_id": None, "created_at": _KIOSK_TIME}},
        {"op_id": "2d3e4f5a-6b7c-4d8e-9f0a-b1c2d3e4f5a6", "type": "booking.create",
         "created_at": _KIOSK_TIME,
         "payload": {"id": "3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e", "elder_id": "elder-0002",
                     "service": "activity", "slot_id": "activity:2026-11-27:calligraphy",
                     "price_cents": 0, "subsidy_cents": 0, "staff_id": None,
                     "created_at": _KIOSK_TIME}},
        {"op_id": "3e4f5a6b-7c8d-4e9f-8a0b-c1d2e3f4a5b6", "type": "attendance.record",
         "created_at": "2026-11-27T09:55:00+08:00",
         "payload": {"id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
                     "slot_id": "activity:2026-11-27:calligraphy", "elder_id": "elder-0003",
                     "staff_id": "staff-zhang", "created_at": "2026-11-27T09:55:00+08:00"}}]}},
    "help": {"summary": "A help call, then staff acknowledging it", "value": {"operations": [
        {"op_id": "4f5a6b7c-8d9e-4f0a-9b1c-d2e3f4a5b6c7", "type": "help.create",
         "created_at": _KIOSK_TIME,
         "payload": {"id": "5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f8a", "elder_id": "elder-0001",
                     "kind": "urgent", "staff_id": None, "created_at": _KIOSK_TIME}},
        {"op_id": "5a6b7c8d-9e0f-4a1b-8c2d-e3f4a5b6c7d8", "type": "help.update",
         "created_at": "2026-11-23T10:43:00+08:00",
         "payload": {"id": "5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f8a", "state": "acknowledged",
                     "staff_id": "staff-zhang"}}]}},
}

PUSH_ANSWER_EXAMPLES: dict[str, dict[str, Any]] = {
    "results": {"summary": "Applied, waitlisted, attended, rejected", "value": {"results": [
        {"op_id": _OP, "status": "applied", "reason": None,
         "data": {"booking_id": _BOOKING, "booking_status": "confirmed", "within_lease": True}},
        {"op_id": "2d3e4f5a-6b7c-4d8e-9f0a-b1c2d3e4f5a6", "status": "applied", "reason": None,
         "data": {"booking_id": "3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e",
                  "booking_status": "waitlisted", "within_lease": False,
                  "waitlist_position": 2}},
        {"op_id": "3e4f5a6b-7c8d-4e9f-8a0b-c1d2e3f4a5b6", "status": "applied", "reason": None,
         "data": {"attendance_id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f", "booking_id": None,
                  "walk_in": True}},
        {"op_id": "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5", "status": "rejected",
         "reason": "full", "data": {"within_lease": False}},
        {"op_id": "6b7c8d9e-0f1a-4b2c-9d3e-f4a5b6c7d8e9", "status": "rejected",
         "reason": "unknown_type", "data": {}}],
        "server_time": _SERVER_TIME}},
}

CHANGES_EXAMPLES: dict[str, dict[str, Any]] = {
    "page": {"summary": "A page of the feed", "value": {"changes": [
        {"seq": 40, "kind": "service", "id": "activity", "op": "upsert", "data": {
            "key": "activity", "slot_kind": "session", "order": 40, "active": True,
            "names": {"zh_CN": "文化活动", "en": "Activities"},
            "hints": {"zh_CN": "书法、合唱、棋牌、讲座", "en": "Calligraphy, choir, chess, talks"},
            "prompts": {"zh_CN": "请选择想参加的活动。",
                        "en": "Please choose an activity to join."},
            "icon": "activity", "group": "",
            "policy": {"escrow": False, "modes": [], "units_by_kind": False, "one_a_day_by": "",
                       "requires": "", "waitlist": True, "attendance": True,
                       "cancel_until": "start", "rated": True}}},
        {"seq": 41, "kind": "service_slot", "id": "activity:2026-11-27:calligraphy",
         "op": "upsert", "data": {
            "id": "activity:2026-11-27:calligraphy", "service": "activity",
            "provider_id": None, "day": "2026-11-27", "window": None, "department": None,
            "doctor": None, "start": "2026-11-27T10:00:00+08:00",
            "end": "2026-11-27T11:30:00+08:00", "cutoff": "2026-11-27T10:00:00+08:00",
            "capacity": 12, "price_cents": 0, "title": "书法", "place": "二楼活动室",
            "host": "王老师"}},
        {"seq": 42, "kind": "booking", "id": _BOOKING, "op": "upsert", "data": {
            "id": _BOOKING, "elder_id": "elder-0001", "service": "meal",
            "slot_id": "meal:2026-11-24:lunch", "mode": "pickup", "price_cents": 1500,
            "subsidy_cents": 300, "staff_id": None, "status": "confirmed",
            "created_at": _KIOSK_TIME, "updated_at": "2026-11-23T02:42:08.120+00:00",
            "kiosk_id": "kiosk-5f2c91ab", "lease_id": _LEASE, "kind": None, "needs": [],
            "department": None, "units": 1, "provider_id": "provider-canteen"}},
        {"seq": 43, "kind": "attendance", "id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
         "op": "upsert", "data": {
            "id": "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
            "slot_id": "activity:2026-11-27:calligraphy", "elder_id": "elder-0003",
            "booking_id": None, "staff_id": "staff-zhang", "kiosk_id": "kiosk-5f2c91ab",
            "created_at": "2026-11-27T09:55:00+08:00"}},
        {"seq": 44, "kind": "meal_slot", "id": "meal:2026-11-20:lunch", "op": "delete",
         "data": None}],
        "next": 44, "more": True, "server_time": _SERVER_TIME}},
}

SNAPSHOT_EXAMPLES: dict[str, dict[str, Any]] = {
    "state": {"summary": "A community's current state (most rows left out)", "value": {
        "cursor": 52840, "horizon": 41211, "kinds": {
            "elder": {"columns": ["id", "card_no", "name", "phone", "address", "subsidy_level",
                                  "delivery_allowed", "home_visit_allowed", "dietary", "active",
                                  "mobility", "emergency_contact", "notify_family"],
                      "rows": [["elder-0001", "80000001", "王秀英", "13800000001", "幸福路1号",
                                "basic", True, False, ["low_salt"], True, None, None, False]],
                      "deleted": []},
            "booking": {"columns": ["id", "elder_id", "service", "slot_id", "mode",
                                    "price_cents", "subsidy_cents", "staff_id", "status",
                                    "created_at", "updated_at", "kiosk_id", "lease_id", "kind",
                                    "department", "units", "provider_id", "waitlist_position",
                                    "needs"],
                        "rows": [[_BOOKING, "elder-0001", "meal", "meal:2026-11-24:lunch",
                                  "pickup", 1500, 300, None, "confirmed", _KIOSK_TIME,
                                  "2026-11-23T02:42:08.120+00:00", "kiosk-5f2c91ab", _LEASE,
                                  None, None, 1, None, None, []]],
                        "deleted": []},
            "meal_slot": {"columns": ["id", "day", "meal", "cutoff", "capacity",
                                      "price_cents", "menu"],
                          "rows": [["meal:2026-11-24:lunch", "2026-11-24", "lunch",
                                    "2026-11-24T09:30:00+08:00", 120, 1500,
                                    [{"name": "清蒸鱼", "tags": ["low_salt"]}]]],
                          "deleted": ["meal:2026-11-20:lunch"]}},
        "server_time": _SERVER_TIME}},
}

# The streamed snapshot's lines (protocol §5.2), each one of these; and an example.
SNAPSHOT_LINES = (SnapshotStart, SnapshotPart, SnapshotEnd)
SNAPSHOT_LINES_EXAMPLE = "\n".join((
    '{"cursor":52840,"horizon":41211,"server_time":"' + _SERVER_TIME + '"}',
    '{"kind":"elder","columns":["id","card_no","name"],"rows":[["elder-0001","80000001",'
    '"王秀英"]],"deleted":[]}',
    '{"kind":"meal_slot","columns":["id","day","meal"],"rows":[["meal:2026-11-24:lunch",'
    '"2026-11-24","lunch"]],"deleted":["meal:2026-11-20:lunch"]}',
    '{"end":{"parts":2}}', ""))

ERROR_EXAMPLE = {"error": {
    "code": "invalid_request", "message": "an operation's payload is invalid; nothing was applied",
    "details": [{"loc": ["body", "operations", 0, "payload", "slot_id"],
                 "msg": "Field required", "index": 0, "op_id": _OP}]},
    "server_time": _SERVER_TIME}

# (path, method) -> where examples go: the request body's, and the 200 answer's
REQUEST_EXAMPLES = {("/v1/push", "post"): PUSH_EXAMPLES}
ANSWER_EXAMPLES = {("/v1/push", "post"): PUSH_ANSWER_EXAMPLES,
                   ("/v1/changes", "get"): CHANGES_EXAMPLES,
                   ("/v1/snapshot", "get"): SNAPSHOT_EXAMPLES}


def install(app: FastAPI) -> None:
    """Serve the typed document at /openapi.json (made once, on first request)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema
    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                      description=app.description, routes=app.routes)
    _add_kiosk_calls(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    models = [(model, "validation") for model in TYPED_BODIES.values()]
    models += [(model, "serialization") for model in (*TYPED_ANSWERS.values(), *SNAPSHOT_LINES)]
    _, defs = models_json_schema(models, ref_template=REF)
    schemas.update(defs.get("$defs", {}))
    for (path, method), model in TYPED_BODIES.items():
        body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]
        body["schema"] = {"$ref": REF.format(model=model.__name__)}
        body["examples"] = REQUEST_EXAMPLES.get((path, method), {})
    for (path, method), model in TYPED_ANSWERS.items():
        answer = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        answer["schema"] = {"$ref": REF.format(model=model.__name__)}
    for (path, method), examples in ANSWER_EXAMPLES.items():
        answer = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        answer["examples"] = examples
    doc["paths"]["/v1/snapshot"]["get"]["responses"]["200"]["content"]["application/x-ndjson"] = {
        "schema": {"oneOf": [{"$ref": REF.format(model=line.__name__)}
                             for line in SNAPSHOT_LINES]},
        "example": SNAPSHOT_LINES_EXAMPLE}
    invalid = doc["paths"]["/v1/push"]["post"]["responses"]["422"]["content"]
    invalid["application/json"]["examples"] = {"bad_payload": {
        "summary": "A payload without its slot", "value": ERROR_EXAMPLE}}
    _drop_unused(doc)
    # Named for generated clients, though each change and operation carries its own constant
    for enum in (OpType, ChangeKind):
        schemas[enum.__name__] = TypeAdapter(enum).json_schema()
    return doc


def _add_kiosk_calls(doc: dict[str, Any]) -> None:
    """The bearer scheme and the report's headers on every operation that needs a token."""
    doc.setdefault("components", {}).setdefault("securitySchemes", {})[DEVICE_TOKEN] = dict(
        DEVICE_TOKEN_SCHEME)
    for path, item in doc["paths"].items():
        if not needs_token(path):
            continue
        for operation in item.values():
            operation["security"] = [{DEVICE_TOKEN: []}]
            operation.setdefault("parameters", []).extend(
                _report_header(name) for name in fleet.HEADERS)


def _report_header(name: str) -> dict[str, Any]:
    said = (fleet.HEADERS[name] + " Optional; sent by kiosks on every call with a token, "
            "stored on the kiosk for operators.")
    return {"name": name, "in": "header", "required": False, "description": said,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": name,
                       "description": said}}


def _drop_unused(doc: dict[str, Any]) -> None:
    """Components nothing refers to any more (the untyped models the typed ones replaced)."""
    schemas = doc["components"]["schemas"]
    used: set[str] = set()
    todo = [doc["paths"]]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in used:
                    used.add(name)
                    todo.append(schemas.get(name))
            todo.extend(value for key, value in node.items() if key != "$ref")
        elif isinstance(node, list):
            todo.extend(node)
    for name in set(schemas) - used:
        del schemas[name]

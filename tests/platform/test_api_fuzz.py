"""An API fuzz run (schemathesis) against a real platform process, from its own /openapi.json:
typed payloads, positive and negative data, and stateful sequences over links added to the
document here (the feed's `next` into `since`, a granted lease into a return), all with a real
kiosk token. No answer may be a 5xx, and every answer must be one the document describes (its
status, content type and body schema)."""
from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from service_platform import demo, operators
from service_platform.db import Database
from tests.platform.servers import PlatformProcess

DEMO_COMMUNITY = "community-xingfu"
# Six operations, positive and negative, then the links: about 35 s on two busy cores.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "80"))
BUDGET_S = 40.0  # on a busy machine the calls left after this are not made (counted)
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance)
LINKS = {
    ("/v1/changes", "get"): {"NextPage": {
        "operationId": "changes_v1_changes_get", "parameters": {"since": "$response.body#/next"}}},
    ("/v1/leases", "post"): {"ReturnLease": {
        "operationId": "leases_v1_leases_post",
        "requestBody": {"return": [{"lease_id": "$response.body#/leases/0/lease_id",
                                    "used": 0}]}}},
}


@pytest.fixture(scope="module")
def fuzzed_platform(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A demo platform of its own (the fuzzer writes into its community) and a kiosk token."""
    base = tmp_path_factory.mktemp("api-fuzz")
    target = str(base / "platform.sqlite3")
    process = PlatformProcess(target, base).start()
    db = Database(target)
    code = operators.add_kiosk(db, DEMO_COMMUNITY, "fuzz")[1]
    db.dispose()
    answer = requests.post(process.base_url + "/v1/enrol", json={"code": code}, timeout=10)
    answer.raise_for_status()
    yield process.base_url, answer.json()["token"]
    process.stop()


@pytest.fixture(scope="module")
def api_schema(fuzzed_platform):
    url, token = fuzzed_platform
    document = requests.get(url + "/openapi.json", timeout=10).json()
    assert _unknown_keywords(document) == []  # bounds as JSON Schema's minimum/maximum
    _type_operations(document)
    operation_ids = {(path, method): op.get("operationId")
                     for path, ops in document["paths"].items() for method, op in ops.items()}
    for (path, method), links in LINKS.items():
        for link in links.values():
            link["operationId"] = operation_ids[(path, method)]
        document["paths"][path][method]["responses"]["200"]["links"] = links
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=url, headers={"Authorization": f"Bearer {token}"})
    # NUL is a 422 by the protocol (§1), which no JSON schema can say: negative data only
    schema.config.generation.update(modes=list(GenerationMode), max_examples=EXAMPLES,
                                    allow_x00=False)
    return schema


def _type_operations(document: dict) -> None:
    """The document types each operation's payload by its `type` (a discriminator); here the
    request schemas get timestamps the platform's clock window lets in and, besides any text,
    the demo community's elders and slots, so typed data gets past "unknown" to the rules
    behind. Answers are left as they are: their times and ids are the platform's."""
    components = document["components"]["schemas"]
    assert "discriminator" in components["PushBody"]["properties"]["operations"]["items"]
    now = dt.datetime.now(dt.UTC)
    stamps = [(now - dt.timedelta(days=days)).isoformat(timespec="seconds")
              for days in (0, 1, 300)]
    known = {"elder_id": [e["id"] for e in demo.load_community()["elders"][:4]],
             "slot_id": _demo_slots(now.date()), "created_at": stamps,
             "subsidy_cents": [0, 100]}  # the rule "not above the price" is not in a schema
    for name in _request_schemas(document):
        _narrow(components[name], known)


def _request_schemas(document: dict) -> set[str]:
    """The components a request body refers to, directly or through others."""
    components = document["components"]["schemas"]
    found: set[str] = set()
    todo = [op.get("requestBody") for ops in document["paths"].values() for op in ops.values()]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            if ref.startswith("#/components/schemas/") and name not in found:
                found.add(name)
                todo.append(components[name])
            todo.extend(node.values())
    return found


def _unknown_keywords(node) -> list[str]:
    """Bounds written as pydantic's own `ge`/`le` instead of JSON Schema's minimum/maximum
    (a bound given after a validator once came out so, and the document then allowed any
    number the platform refuses)."""
    if isinstance(node, list):
        return [found for item in node for found in _unknown_keywords(item)]
    if not isinstance(node, dict):
        return []
    here = [key for key in node if key in ("ge", "le", "gt", "lt")]
    return here + [found for value in node.values() for found in _unknown_keywords(value)]


def _narrow(node, known: dict[str, list]) -> None:
    """Every property named in `known`, anywhere: its known values, or (but for timestamps,
    which must be recent) any value its schema allows."""
    if isinstance(node, list):
        for item in node:
            _narrow(item, known)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name, values in known.items():
            if name in properties and "enum" not in properties[name]:
                properties[name] = {"enum": values} if name == "created_at" else \
                    {"anyOf": [{"enum": values}, properties[name]]}
    for value in node.values():
        _narrow(value, known)

def _demo_slots(today: dt.date) -> list[str]:
    tomorrow = today + dt.timedelta(days=1)
    services = demo.service_slots(demo.load_services(), tomorrow, ZoneInfo("Asia/Shanghai"))
    return [demo.slot_id(tomorrow, "lunch"), demo.slot_id(tomorrow, "dinner"),
            *(slot["id"] for slot in services[:6])]

def _fuzz(run, what: str, found: list[str]) -> None:
    """Run one Hypothesis test; what it finds is kept, so every operation gets its turn."""
    try:
        run()
    except Unsatisfiable:
        pass  # no parameters to make wrong (GET /v1/time, GET /v1/me): no negative data
    except Exception as exc:  # a FailureGroup, or Hypothesis's group of several
        found.append(f"{what}: {exc}"[:3000])


def _calls(operation, mode: GenerationMode, answers: Counter, fuzz_settings, deadline: float):
    label = f"{operation.label} {mode.value}"
    fresh_ops = mode is GenerationMode.POSITIVE and operation.path == "/v1/push"

    @given(case=operation.as_strategy(generation_mode=mode))
    @fuzz_settings
    def call(case):
        if time.monotonic() > deadline:
            answers["not made: past the time budget"] += 1
            return
        if fresh_ops and isinstance(case.body, dict):
            for op in case.body.get("operations") or []:
                if isinstance(op, dict):  # a generated op_id comes again with other content
                    op["op_id"] = str(uuid.uuid4())
        response = case.call(timeout=10)
        answers[f"{label} {response.status_code}"] += 1
        case.validate_response(response, checks=list(CHECKS))
    return call


def test_no_5xx_and_every_answer_as_documented(api_schema):
    found: list[str] = []
    answers: Counter[str] = Counter()
    deadline = time.monotonic() + BUDGET_S
    fuzz_settings = settings(max_examples=EXAMPLES, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:
            if time.monotonic() > deadline:
                answers["not made: past the time budget"] += 1
                continue
            _fuzz(_calls(operation, mode, answers, fuzz_settings, deadline),
                  f"{operation.label} ({mode.value})", found)

    class Links(api_schema.as_state_machine()):
        def step(self, input):
            if time.monotonic() > deadline + 10:
                answers["not made: past the time budget"] += 1
                return None
            return super().step(input)

        def after_call(self, response, case):
            answers[f"{case.operation.label} stateful {response.status_code}"] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=list(CHECKS))

    _fuzz(lambda: Links.run(settings=settings(
        max_examples=max(1, EXAMPLES // 4), stateful_step_count=6, deadline=None,
        database=None, suppress_health_check=list(HealthCheck))), "stateful links", found)
    print("\n".join(f"{n:5d} {what}" for what, n in sorted(answers.items())))
    assert not found, "\n\n".join(found)
    assert any("stateful" in what for what in answers) or answers["not made: past the time budget"]

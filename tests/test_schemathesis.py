"""schemathesis against the service's own OpenAPI schema, every operation, over real HTTP,
with all of schemathesis' default checks.

Every generated request, valid or not, must get an answer that the schema documents (status
code, content type, headers, body), and never a 5xx; invalid requests must be refused, and
schema-valid ones accepted. The schema states every static limit (the cannon's velocity and
angles, the batch size, the air's bounds), so a shot outside the cannon's limits is invalid
data. What no static schema can say is whether a target is in reach: that depends on the air
(drag, wind, heights) and the constraint of each request. So "schema-valid data is accepted"
is held with one exception, the documented 422s that say so (`accepted_within_reach`):
`unreachable_target` (the target lies beyond what this air allows), `never_lands` (GET
/verify: the shot never comes down at the target's height in this air), `outside_envelope`
(air the model does not cover at this cannon's scale), and a target height too far from the
launch height (a bound on the difference of two fields, which JSON Schema cannot state on
either). Any other refusal of schema-valid data fails. (schemathesis' pytest plugin does not
work with this pytest yet, so each operation's strategy is driven by hypothesis directly;
the phases only its runner drives, the schema's own examples and the coverage of every
bound, run through its command line, `schemathesis run`, with the same exception.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import RejectedPositiveData, positive_data_acceptance

OPERATIONS = ["POST /aim", "POST /aim/batch", "GET /verify", "GET /healthz", "GET /readyz"]
OPERATIONS += ["GET /metrics", "GET /model", "GET /model/air", "GET /model/space"]
OPERATIONS += ["GET /trajectory", "GET /loss-surface", "POST /calibrate"]


@pytest.fixture(scope="session")
def api_schema(server_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server_url}/openapi.json")


def test_schema_lists_every_operation(api_schema: schemathesis.BaseSchema) -> None:
    found = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# The refusals of schema-valid data that depend on the air, each documented as a 422.
BEYOND_REACH = {"unreachable_target", "never_lands", "outside_envelope"}
# And those that depend on how fields go together, which JSON Schema cannot state either:
# the odds' (best odds without uncertainty, odds of a meeting anywhere, more work than one
# request may ask) and a calibration's (shots in two forms or no air explains, parameters
# the shots cannot determine, numbers no flight survives).
TOGETHER = {"odds_need_uncertainty", "odds_need_descending", "too_much_work"}
TOGETHER |= {"mixed_forms", "bad_shot", "not_identifiable", "not_fittable"}


# GET /verify has two forms, which its query parameters cannot state (OpenAPI says nothing of
# how parameters depend on each other): the 2D form needs `distance`; the 3D form (asked by
# `azimuth` or another parameter only it takes) needs `azimuth`, `target_x` and `target_y`, refuses
# the 2D form's `distance`, `target_height` and `wind`. Those refusals, and only those.
VERIFY_FORMS = {("missing", name) for name in ("distance", "azimuth", "target_x", "target_y")}
VERIFY_FORMS |= {("extra_forbidden", name) for name in ("distance", "target_height", "wind")}


def beyond_reach(response: Any, verify: bool = False) -> bool:
    """Whether a 422 says only that the target lies beyond what this air allows (see above);
    with `verify`, or that a GET /verify query mixed or fell short of its forms."""
    if response.status_code != 422:
        return False
    for item in response.json()["detail"]:
        heights = item["type"] == "value_error" and item["loc"][-1] == "target_height"
        together = item["type"] in TOGETHER or (item["type"], item["loc"]) == (
            "value_error",
            ["body"],
        )
        form = (
            verify and item["loc"][0] == "query" and (item["type"], item["loc"][-1]) in VERIFY_FORMS
        )
        if item["type"] not in BEYOND_REACH and not heights and not form and not together:
            return False
    return True


def accepted_within_reach(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """schemathesis' "schema-valid data is accepted", but for targets beyond reach (and GET
    /verify's forms)."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if beyond_reach(response, verify=case.path == "/verify"):
            return None
        raise


WITH_INPUT = ["POST /aim", "POST /aim/batch", "GET /verify", "GET /trajectory"]
WITH_INPUT += ["GET /loss-surface", "POST /calibrate"]  # the others take nothing to corrupt
CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS]
CASES += [(op, GenerationMode.NEGATIVE) for op in WITH_INPUT]


@pytest.mark.parametrize("operation, mode", CASES)
def test_every_response_conforms(
    api_schema: schemathesis.BaseSchema, operation: str, mode: GenerationMode
) -> None:
    method, path = operation.split()
    strategy = api_schema[path][method].as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(
            timeout=30,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[accepted_within_reach],
        )

    check()


def test_only_answers_beyond_reach_are_excused(client: httpx.Client) -> None:
    """The exception above is precise: a target beyond reach is excused, a shot outside the
    cannon's limits (stated in the schema) or any other 422 is not."""
    assert beyond_reach(client.post("/aim", json={"distance": 1e6}))
    assert beyond_reach(
        client.get("/verify", params={"angle": 1, "velocity": 1, "distance": 1, "target_height": 2})
    )
    assert not beyond_reach(
        client.get("/verify", params={"angle": 1, "velocity": 1e16, "distance": 1})
    )
    assert not beyond_reach(client.post("/aim", json={"distance": -1}))
    assert not beyond_reach(client.post("/aim", json={"distance": 5}))  # a 200
    shot = {"angle": 1, "velocity": 1}
    assert beyond_reach(client.get("/verify", params=shot), verify=True)  # no distance
    mixed = shot | {"azimuth": 0.1, "target_x": 1, "target_y": 1, "wind": 1}
    assert beyond_reach(client.get("/verify", params=mixed), verify=True)
    assert not beyond_reach(client.get("/verify", params=mixed), verify=False)
    assert not beyond_reach(client.get("/verify", params=shot | {"azimuth": "x"}), verify=True)
    assert not beyond_reach(client.post("/aim", json={"target": {"x": 1}}), verify=True)


def test_schemathesis_run_passes(server_url: str, tmp_path: Path) -> None:
    """`schemathesis run`, every phase it has for this schema (examples, coverage of every
    bound, fuzzing) and every check, "schema-valid data is accepted" as above."""
    hooks = tmp_path / "within_reach_hooks.py"
    hooks.write_text(
        "import schemathesis\n"
        "from tests.test_schemathesis import accepted_within_reach\n"
        "schemathesis.check(accepted_within_reach)\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SCHEMATHESIS_HOOKS": hooks.stem}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(root)])
    command = [str(Path(sys.executable).parent / "schemathesis"), "run", "--no-color"]
    command += ["--checks", "all", "--exclude-checks", "positive_data_acceptance"]
    command += ["--max-examples", "50", f"{server_url}/openapi.json"]
    ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    report = ran.stdout + ran.stderr
    assert ran.returncode == 0, report[-5000:]
    for phase in ("Examples", "Coverage", "Fuzzing"):
        assert f"✅ {phase}" in report, report[-5000:]
    assert " passed" in report and "failed" not in report, report[-5000:]

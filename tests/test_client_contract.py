"""One contract, no drift: the client's hand-written models against the OpenAPI schema a real
server serves, and the client as a package (light import, nothing of the server, py.typed).

Schemas are compared by their JSON types: field names, required-ness, types, enums and
constants, nested models inlined, refs resolved in each document (components are read by
name, so the request bodies may be inline or named components, and operation ids may be
anything). Words (titles, descriptions, examples, defaults) are not compared. Bounds are
compared loosely: every bound the client enforces must be the served one, exactly; a bound
only the server states (such as the cannon's maximum velocity, which depends on how the
service is configured) is the server's to enforce, and reaches the caller as its 422.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cannon_client
import httpx
import pytest
from cannon_client import calls
from cannon_client.calls import Options
from pydantic import BaseModel

Schema = dict[str, Any]
PACKAGE = Path(cannon_client.__file__).parent
ANSWERS: dict[str, type[BaseModel]] = {  # served component: the client's model for it
    "AimResponse": cannon_client.AimResponse,
    # Either form's items, as served; the client reads each form with its own model (below).
    "AimBatchResponse": cannon_client.AnyBatchResponse,
    "BatchSolution": cannon_client.BatchSolution,
    "BatchUnreachable": cannon_client.BatchUnreachable,
    "InterceptResponse": cannon_client.InterceptResponse,
    "InterceptVerdict": cannon_client.InterceptVerdict,
    "BatchIntercept": cannon_client.BatchIntercept,
    "BatchUnreachableTarget": cannon_client.BatchUnreachableTarget,
    "Point": cannon_client.Point,
    "VerifyResponse": cannon_client.VerifyResponse,
    "TrajectoryResponse": cannon_client.TrajectoryResponse,
    "LossSurfaceResponse": cannon_client.LossSurfaceResponse,
    "ModelCard": cannon_client.ModelCard,
    "CannonCard": cannon_client.CannonCard,
    "Health": cannon_client.Health,
    "Ready": cannon_client.Ready,
    "NotReady": cannon_client.NotReadyResponse,
    "Problem": cannon_client.Problem,
    "ErrorItem": cannon_client.ErrorItem,
    "ValidationErrorResponse": cannon_client.ValidationErrorResponse,
    # The odds an aiming answer adds with `uncertainty`, and POST /calibrate's answer.
    "Point2": cannon_client.Point2,
    "Dispersion": cannon_client.Dispersion,
    "MeanMiss": cannon_client.MeanMiss,
    "HitProbability": cannon_client.HitProbability,
    "BestOdds": cannon_client.BestOdds,
    "CalibrateResponse": cannon_client.CalibrateResponse,
    "Estimate": cannon_client.Estimate,
    "Residual": cannon_client.Residual,
    "CalibratedConditions": cannon_client.CalibratedConditions,
    "CalibratedUncertainty": cannon_client.CalibratedUncertainty,
}
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
WORDS = ("title", "description", "examples", "default")


@pytest.fixture(scope="module")
def served(server_url: str) -> Schema:
    document: Schema = httpx.get(f"{server_url}/openapi.json", timeout=30).json()
    return document


def resolve(schema: Schema, document: Schema) -> Schema:
    """`schema` itself, or what its $ref points at in `document` (#/$defs/X, #/components/...)."""
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def shape(schema: Schema, document: Schema) -> Any:
    """The JSON types of a schema, hashable and without words or bounds."""
    schema = resolve(schema, document)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return (union, frozenset(shape(option, document) for option in schema[union]))
    kind = schema.get("type", "any")
    if "const" in schema:
        return ("const", kind, json.dumps(schema["const"]))
    if "enum" in schema:
        return ("enum", kind, frozenset(json.dumps(value) for value in schema["enum"]))
    if kind == "array":
        prefix = tuple(shape(item, document) for item in schema.get("prefixItems", ()))
        return ("array", shape(schema.get("items", {}), document), prefix)
    if kind == "object":
        fields = fields_of(schema, document)
        extra = schema.get("additionalProperties", "unsaid")
        extra = shape(extra, document) if isinstance(extra, dict) else extra
        return ("object", frozenset(fields.items()), extra)
    return (kind,)


def fields_of(schema: Schema, document: Schema) -> dict[str, Any]:
    """Each property's (shape, required) of an object schema."""
    required = set(schema.get("required", ()))
    return {
        name: (shape(field, document), name in required)
        for name, field in schema.get("properties", {}).items()
    }


def differences(client: Schema, served: Schema, served_document: Schema) -> list[str]:
    """Field by field, where the client's object schema and the served one disagree."""
    mine, theirs = fields_of(client, client), fields_of(served, served_document)
    found = [f"{name}: only in the client" for name in sorted(mine.keys() - theirs.keys())]
    found += [f"{name}: only served" for name in sorted(theirs.keys() - mine.keys())]
    for name in sorted(mine.keys() & theirs.keys()):
        (my_shape, my_required), (their_shape, their_required) = mine[name], theirs[name]
        if my_required != their_required:
            found.append(f"{name}: required {their_required} served, {my_required} here")
        if my_shape != their_shape:
            found.append(f"{name}: served {their_shape}, here {my_shape}")
    open_here = client.get("additionalProperties", "unsaid")
    if open_here != served.get("additionalProperties", "unsaid"):
        found.append(f"additionalProperties: served {served.get('additionalProperties')}")
    return found


def component(served: Schema, name: str) -> Schema:
    schema: Schema = served["components"]["schemas"][name]
    return schema


def responses_of(served: Schema) -> set[str]:
    """Every component a JSON answer of any operation refers to, nested ones included."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in names:
                    names.add(name)
                    visit(component(served, name))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for operations in served["paths"].values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                for media, content in answer.get("content", {}).items():
                    if "json" in media:
                        visit(content.get("schema", {}))
    return names


def test_every_served_answer_has_a_client_model(served: Schema) -> None:
    assert responses_of(served) == set(ANSWERS)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_the_client_model_matches_the_served_answer(served: Schema, name: str) -> None:
    model = ANSWERS[name]
    mine = model.model_json_schema(mode="validation")
    assert differences(mine, component(served, name), served) == []
    assert shape(mine, mine) == shape(component(served, name), served)  # nested ones too


def test_each_forms_batch_model_reads_its_part_of_the_served_batch(served: Schema) -> None:
    """AimBatchResponse reads a batch of distances, InterceptBatchResponse one of targets:
    together, the items the served AimBatchResponse may hold, each exactly once."""
    items = component(served, "AimBatchResponse")["properties"]["solutions"]["items"]
    served_items = shape(items, served)[1]
    read = set()
    for model in (cannon_client.AimBatchResponse, cannon_client.InterceptBatchResponse):
        mine = model.model_json_schema(mode="validation")
        union = shape(mine["properties"]["solutions"]["items"], mine)[1]
        assert not read & union
        read |= union
    assert read == served_items


@pytest.mark.parametrize(
    "path, card",
    [("/model/air", cannon_client.AirModelCard), ("/model/space", cannon_client.SpaceModelCard)],
)
def test_the_air_and_3d_cards_match_the_served_card_and_the_live_one(
    served: Schema, server_url: str, path: str, card: type[cannon_client.ModelCard]
) -> None:
    """/model/air and /model/space are served as an open ModelCard; what the client's
    AirModelCard and SpaceModelCard add must be fields that card leaves open, and exactly what
    the live card holds."""
    schema = served["paths"][path]["get"]["responses"]["200"]["content"]
    name = schema["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    mine = card.model_json_schema(mode="validation")
    if name != "ModelCard":  # the service names the air card itself: compare with it
        assert differences(mine, component(served, name), served) == []
        return
    base = component(served, "ModelCard")
    assert base.get("additionalProperties") is True
    added = set(card.model_fields) - set(cannon_client.ModelCard.model_fields)
    assert added and not added & set(base["properties"])
    live = httpx.get(f"{server_url}{path}", timeout=30)
    assert set(live.json()) == set(card.model_fields)  # neither side has a field to spare
    parsed = card.model_validate_json(live.content, strict=True)
    assert parsed.model_extra == {}


def request_body(served: Schema, path: str) -> Schema:
    """The JSON body of a POST, inline or a named component (AimRequest)."""
    body = served["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return resolve(body["schema"], served)


def query(served: Schema, path: str) -> dict[str, tuple[Schema, bool]]:
    parameters = served["paths"][path]["get"].get("parameters", [])
    return {p["name"]: (p["schema"], p.get("required", False)) for p in parameters}


@pytest.mark.parametrize("model", [cannon_client.Conditions, cannon_client.Constraints])
def test_conditions_and_constraints_are_the_served_request_fields(
    served: Schema, model: type[BaseModel]
) -> None:
    mine = model.model_json_schema(mode="validation")
    targets = [(request_body(served, "/aim")["properties"], "/aim")]
    if model is cannon_client.Conditions:  # /verify takes the air, not the constraint
        targets.append(({k: s for k, (s, _) in query(served, "/verify").items()}, "/verify"))
    for properties, where in targets:
        for name, field in mine["properties"].items():
            assert name in properties, f"{where} has no {name}"
            theirs = properties[name]
            if "oneOf" in theirs:  # the 3D form widens it (`wind`): the 2D form is one option
                options = {shape(option, served) for option in theirs["oneOf"]}
                assert shape(field, mine) in options, f"{where} {name}"
            else:
                assert shape(field, mine) == shape(theirs, served), f"{where} {name}"
            for mine_number, their_number in zip(numbers(field), numbers(theirs), strict=True):
                for bound in BOUNDS:  # loose: the client's bounds are the served ones
                    if bound in mine_number:
                        assert their_number.get(bound) == mine_number[bound], (where, name)
    assert not any(
        f in request_body(served, "/aim").get("required", ()) for f in mine["properties"]
    )


def numbers(schema: Schema) -> list[Schema]:
    """The number schemas in a field's schema (one, or one of an anyOf with null, or of the
    3D form's oneOf: `wind` is a number or a vector)."""
    options = schema.get("anyOf", schema.get("oneOf", [schema]))
    return [option for option in options if option.get("type") == "number"]


FULL_SCENE = calls.scene((1.0, -2.0), 1.0, 0.1, (0.5, 1.0, 0.2), (0.1, -0.2, 0.3))
NUMBER_WIND = calls.scene(-2.0, None, None, None, None)


def served_body(served: Schema, path: str) -> Any:
    """A validator for the JSON body of a POST as served, with its refs to components."""
    import jsonschema

    schema = {**request_body(served, path), "components": served["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_what_the_3d_calls_send_is_what_the_service_takes(served: Schema) -> None:
    """The bodies the 3D calls build are valid by the served schema, each field of it in its
    3D form; a body in both forms is not; the scene's bounds are the served ones."""
    held = [*HELD, None]
    for scene in (FULL_SCENE, NUMBER_WIND, None):
        for hold in held:
            options = calls.SpaceOptions(1e-3, True, scene, hold, "any" if scene else None)
            body = calls.aim_at((5.0, 2.0, 0.5), options).json
            served_body(served, "/aim").validate(body)
            batch = calls.aim_many_at([(5.0, 2.0), (1.0, -1.0, 0.2)], options, 10)[0].json
            served_body(served, "/aim/batch").validate(batch)
    mixed = calls.aim_at((5.0, 2.0), calls.SpaceOptions()).json or {}
    assert not served_body(served, "/aim").is_valid({**mixed, "distance": 5.0})
    assert not served_body(served, "/aim").is_valid({**mixed, "target_height": 1.0})
    assert not served_body(served, "/aim").is_valid({"distance": 5.0, "wind": {"x": 1.0}})
    assert not served_body(served, "/aim").is_valid({"drag": 0.1})
    mine = cannon_client.Scene.model_json_schema(mode="validation")["properties"]
    properties = request_body(served, "/aim")["properties"]
    for name in ("launch_height", "drag", "wind"):
        for mine_number, their_number in zip(
            numbers(mine[name]), numbers(properties[name]), strict=True
        ):
            for bound in BOUNDS:
                if bound in mine_number:
                    assert their_number.get(bound) == mine_number[bound], name


FULL_AIR = cannon_client.Conditions(launch_height=1.0, target_height=0.5, wind=1.0, drag=0.1)
HELD = [cannon_client.Constraints(velocity=9.0, arc="high"), cannon_client.Constraints(angle=0.5)]
FULL_ODDS = cannon_client.Uncertainty(
    hit_radius=0.1, velocity_sigma=0.05, angle_sigma=0.01, azimuth_sigma=0.01, wind_sigma=0.2,
    drag_sigma=0.005, samples=500, seed=7,
)  # fmt: skip


def sent(*made: calls.Call[Any]) -> set[str]:
    """The fields these calls send, in their bodies or their queries."""
    return {key for call in made for key in (call.json or call.params or {})}


def test_what_the_client_sends_is_what_each_operation_takes(served: Schema) -> None:
    """Every field the client can send is one the service takes, and the other way round;
    what the service requires, the client always sends."""
    odds = (FULL_ODDS, "max_hit_probability")
    everything = [Options(1e-3, True, FULL_AIR, hold, *odds) for hold in HELD]
    in_space = [calls.SpaceOptions(1e-3, True, FULL_SCENE, hold, "any", *odds) for hold in HELD]
    bare = Options()
    posts: dict[str, tuple[list[calls.Call[Any]], calls.Call[Any]]] = {
        "/aim": (
            [calls.aim(7.5, o) for o in everything]
            + [calls.aim_at((1, 2, 3), o) for o in in_space],
            calls.aim(7.5, bare),
        ),
        "/aim/batch": (
            [calls.aim_many([7.5], o, 10)[0] for o in everything]
            + [calls.aim_many_at([(1, 2)], o, 10)[0] for o in in_space],
            calls.aim_many([7.5], bare, 10)[0],
        ),
    }
    for path, (full, least) in posts.items():
        body = request_body(served, path)
        assert sent(*full) == set(body["properties"]), path
        assert set(body.get("required", ())) <= sent(least), path
    gets: dict[str, tuple[calls.Call[Any], calls.Call[Any]]] = {
        "/verify": (calls.verify(0.5, 9.0, 7.5, 1e-3, FULL_AIR), calls.verify(0.5, 9, 7.5, None, None)),
        "/verify ": (  # the 3D form
            calls.verify_at(0.5, 9.0, 0.3, (5.0, 2.0, 0.5), 1e-3, FULL_SCENE, "any"),
            calls.verify_at(0.5, 9.0, 0.3, (5.0, 2.0), None, None),
        ),
        "/trajectory": (calls.trajectory(0.5, 9.0, 5, FULL_AIR), calls.trajectory(0.5, 9.0, None, None)),
        "/loss-surface": (
            calls.loss_surface(7.5, 3, 2, "absolute", FULL_AIR),
            calls.loss_surface(7.5, None, None, None, None),
        ),
    }  # fmt: skip
    verify_forms = sent(gets["/verify"][0]) | sent(gets["/verify "][0])
    assert verify_forms == set(query(served, "/verify"))
    for path, (full_call, least_call) in gets.items():
        parameters = query(served, path.strip())
        if path != "/verify" and path != "/verify ":
            assert sent(full_call) == set(parameters), path
        else:
            assert sent(full_call) <= set(parameters), path
        assert {name for name, (_, needed) in parameters.items() if needed} <= sent(least_call)


def test_the_uncertainty_is_the_served_one_bounds_and_all(served: Schema) -> None:
    mine = cannon_client.Uncertainty.model_json_schema(mode="validation")
    theirs = component(served, "Uncertainty")
    assert differences(mine, theirs, served) == []
    for name, field in mine["properties"].items():
        for bound in BOUNDS:
            if bound in field:
                assert theirs["properties"][name].get(bound) == field[bound], name


def test_what_calibrate_sends_is_what_the_service_takes(served: Schema) -> None:
    """Both forms' bodies are valid by the served schema; together they send every field
    it takes (the shots' too); the least one sends what it requires."""
    timed = {"flight_time": 1.1, "launch_height": 0.5, "target_height": 0.2}
    plane = [cannon_client.ObservedShot(velocity=9.0, angle=0.5, landed=7.1, **timed)]
    space = [cannon_client.ObservedShot(velocity=9.0, angle=0.5, azimuth=0.3, landed=(6.0, 2.1))]
    prior = {"drag": cannon_client.Prior(mean=0.05, sd=0.02)}
    full = [
        calls_calibrate(plane, fit=["drag"], flight_time_sigma=0.01, priors=prior, wind=1.0,
                        velocity_bias=1.01),
        calls_calibrate(space, fit=["velocity_bias"], drag=0.05, wind=(1.0, -0.5)),
    ]  # fmt: skip
    least = calls_calibrate([{"velocity": 9.0, "angle": 0.5, "landed": 7.1}], fit=["drag"])
    check = served_body(served, "/calibrate")
    for call in [*full, least]:
        check.validate(call.json)
    body = request_body(served, "/calibrate")
    assert sent(*full) == set(body["properties"])
    assert set(body.get("required", ())) <= sent(least)
    shot = resolve(body["properties"]["shots"]["items"], served)
    assert {k for c in full for s in (c.json or {})["shots"] for k in s} == set(shot["properties"])


def calls_calibrate(shots: Any, **options: Any) -> calls.Call[Any]:
    from cannon_client import calibration

    return calibration.calibrate(shots, 0.02, options.pop("fit"), **options)


HEAVY = ("torch", "numpy", "fastapi", "scipy", "numba", "app")
MEASURE = """
import json, sys, time
start, cpu = time.perf_counter(), time.process_time()
import {module}
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
print(json.dumps({{"seconds": seconds, "cpu": cpu, "heavy": heavy}}))
"""


def imports(module: str, cwd: Path, runs: int = 5) -> list[dict[str, Any]]:
    """`import module` timed in `runs` fresh interpreters: wall and CPU seconds, and which
    of the server's libraries it loaded."""
    script = MEASURE.format(module=module, heavy=HEAVY)
    found = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        found.append(json.loads(out.stdout))
    return found


def test_the_client_imports_none_of_the_servers_libraries(tmp_path: Path) -> None:
    """Five fresh interpreters: none loads torch, numpy, fastapi, scipy, numba or app. The
    seconds (goal 0.3 s) are measured beside pydantic's own in benchmarks/light.py, not
    asserted here, where a busy machine would make them flake."""
    runs = imports("cannon_client", tmp_path)
    assert all(run["heavy"] == [] for run in runs), runs


def test_the_package_imports_only_httpx_pydantic_and_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"httpx", "pydantic", "cannon_client"}
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            outside = {name.split(".")[0] for name in names} - allowed
            assert not outside, f"{source.name} imports {outside}"


USER_SCRIPT = """
import asyncio
from cannon_client import (
    AsyncCannonClient, CannonClient, Conditions, Constraints, Solution, UnreachableTarget
)


def aim(url: str) -> float:
    with CannonClient(url, timeout=5.0) as cannon:
        held = Constraints(velocity=9.0)
        shot = cannon.aim(7.5, tolerance=0.001, air=Conditions(drag=0.1), hold=held)
        many: list[Solution] = cannon.aim_many([1.0, 2.0])
        try:
            cannon.aim(25.0)
        except UnreachableTarget as error:
            print(error.max_range, error.status, error.detail, len(many))
        return shot.velocity + cannon.trajectory(0.5, 9.0).x[-1]


async def aim_async(url: str) -> int:
    async with AsyncCannonClient(url) as cannon:
        return len((await cannon.loss_surface(7.5, loss="absolute")).FIELD)
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh environment with the client installed from its wheel (no editable hooks,
    which type checkers cannot follow), seeing the dev environment's httpx and pydantic.
    The wheel is built from a copy, so no build files land in the checkout."""
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"
    shutil.copytree(PACKAGE.parent, source, ignore=shutil.ignore_patterns("__pycache__", "build"))
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run([*build, "-w", str(root), str(source)], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "env")], check=True)
    site = next((root / "env" / "lib").glob("python*/site-packages"))
    (site / "dev.pth").write_text(next(p for p in sys.path if p.endswith("site-packages")))
    with zipfile.ZipFile(next(root.glob("cannon_aim_client-0.1.0-*.whl"))) as wheel:
        wheel.extractall(site)  # a wheel's contents are what an install puts there
    yield site


def test_the_wheel_depends_on_httpx_and_pydantic_only(installed: Path) -> None:
    metadata = (installed / "cannon_aim_client-0.1.0.dist-info" / "METADATA").read_text()
    needs = [
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    assert sorted(need.split(">")[0].split("<")[0] for need in needs) == ["httpx", "pydantic"]
    assert "Requires-Python: >=3.11" in metadata
    shipped = {path.name for path in (installed / "cannon_client").iterdir()}
    assert {"py.typed", "__init__.py", "answers.py", "clients.py"} <= shipped


def mypy_strict(site: Path, script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "user.py").write_text(script)
    python = site.parents[2] / "bin" / "python"
    command = [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(python)]
    command += ["--cache-dir", str(tmp_path / "cache"), "--no-incremental", "user.py"]
    # Without PYTHONPATH: the client comes from the environment's site-packages, as installed.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)


def test_mypy_strict_checks_a_users_script_against_the_client(
    installed: Path, tmp_path: Path
) -> None:
    wrong = mypy_strict(installed, USER_SCRIPT.replace("FIELD", "angles_count"), tmp_path)
    assert (
        wrong.returncode == 1
        and '"LossSurfaceResponse" has no attribute "angles_count"' in wrong.stdout
    )
    right = mypy_strict(installed, USER_SCRIPT.replace("FIELD", "loss"), tmp_path)
    assert right.returncode == 0, right.stdout
    (installed / "cannon_client" / "py.typed").unlink()  # without the marker: no types at all
    try:
        bare = mypy_strict(installed, USER_SCRIPT.replace("FIELD", "loss"), tmp_path)
        assert bare.returncode == 1 and "py.typed" in bare.stdout
    finally:
        (installed / "cannon_client" / "py.typed").write_text("")

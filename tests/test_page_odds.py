"""The page's odds and calibration panels (issue 15) in headless Chromium (tests/chromium.py)
against the real server: the odds panel's sigmas and hit radius go into the aim request, the
page shows the hit probability the API answers and draws the dispersion ellipse and the hit
circle to scale (2D: the landing area from above and the scatter along the line of fire on
the side view; 3D: the landing area and the view from above); the calibration panel sends
the ranging shots, shows the estimates the API gives, and puts the calibrated air and its
standard errors into the aim form. The API itself: tests/test_api_odds.py and
tests/test_api_calibrate.py.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from app.physics import reference
from tests.chromium import Browser, page_at
from tests.conftest import GRAVITY

RECORD = """(() => { window.sent = []; const f = window.fetch;
  window.fetch = (url, options) => { window.sent.push([String(url), options && options.body]);
    return f(url, options); }; })()"""


@pytest.fixture
def browser(server_url: str) -> Iterator[Browser]:
    with page_at(server_url) as page:
        page.js(RECORD)  # what the page asks the API, to ask it the same
        yield page


def fill(page: Browser, fields: dict[str, str]) -> None:
    for element, text in fields.items():
        page.js(f"document.getElementById('{element}').value = {json.dumps(text)}")


def sent(page: Browser, path: str) -> list[dict[str, Any]]:
    """The bodies the page POSTed to `path`, in order."""
    return [json.loads(body) for url, body in page.js("window.sent") if url == path and body]


def cell(page: Browser, table: str, field: str) -> str:
    text: str = page.js(f"document.querySelector('#{table} [data-field={field}]').textContent")
    return text


def first(text: str) -> float:
    """The first number of a cell ('0.419500 (41.9500%)' or '0.409861 to 0.429201')."""
    return float(re.split(r"[ (]", text.strip())[0])


def interval(text: str) -> tuple[float, float]:
    low, high = text.split(" to ")
    return float(low), float(high)


def attribute(page: Browser, element: str, name: str) -> float:
    return float(page.js(f"document.getElementById('{element}').getAttribute('{name}')"))


def in_metres(page: Browser, svg: str, x: float, y: float) -> tuple[float, float]:
    scale, x0, y0 = (
        float(page.js(f"document.getElementById('{svg}').dataset.{name}"))
        for name in ("scale", "originX", "originY")
    )
    return (x - x0) / scale, (y0 - y) / scale


def odds_shown(page: Browser, table: str, answer: dict[str, Any]) -> None:
    """The table shows the API's figures, to the six digits shown, each label with its unit."""
    p, d = answer["hit_probability"], answer["dispersion"]
    assert first(cell(page, table, "monte_carlo")) == pytest.approx(
        p["monte_carlo"], rel=1e-5, abs=1e-12
    )
    assert first(cell(page, table, "linearised")) == pytest.approx(
        p["linearised"], rel=1e-5, abs=1e-12
    )
    assert interval(cell(page, table, "interval")) == pytest.approx(
        p["interval"], rel=1e-5, abs=1e-12
    )
    assert first(cell(page, table, "hit_radius")) == pytest.approx(
        p["hit_radius"], rel=1e-5, abs=1e-12
    )
    assert first(cell(page, table, "semi_major")) == pytest.approx(
        d["semi_major"], rel=1e-5, abs=1e-12
    )
    assert first(cell(page, table, "semi_minor")) == pytest.approx(
        d["semi_minor"], rel=1e-5, abs=1e-12
    )
    assert first(cell(page, table, "orientation")) == pytest.approx(
        math.degrees(d["orientation"]), rel=1e-5, abs=1e-12
    )
    assert cell(page, table, "samples") == f"{p['samples']} ({p['seed']})"
    labels = page.js(
        f"[...document.querySelectorAll('#{table} th[scope=row]')].map(t => t.textContent)"
    )
    assert "hit radius (m)" in labels
    assert "dispersion: semi-major axis, 1 standard deviation (m)" in labels


def ellipse_drawn(
    page: Browser, svg: str, prefix: str, centre: tuple[float, float], answer: dict[str, Any]
) -> None:
    """The 1 and 2 standard deviation ellipses about the mean landing and the hit circle about
    the target, to the view's scale, turned to the dispersion's orientation."""
    d, radius = answer["dispersion"], answer["hit_probability"]["hit_radius"]
    scale = float(page.js(f"document.getElementById('{svg}').dataset.scale"))
    slack = 0.01 / scale  # the drawing's rounding, in metres
    for n in (1, 2):
        e = f"{prefix}-sigma{n}"
        assert attribute(page, e, "data-semi-major") == pytest.approx(
            n * d["semi_major"], rel=1e-12
        )
        assert attribute(page, e, "data-semi-minor") == pytest.approx(
            n * d["semi_minor"], rel=1e-12
        )
        assert attribute(page, e, "rx") / scale == pytest.approx(n * d["semi_major"], rel=1e-9)
        if d["semi_minor"] * scale > 1:  # drawn to scale unless thinner than a line
            assert attribute(page, e, "ry") / scale == pytest.approx(n * d["semi_minor"], rel=1e-9)
        at = in_metres(page, svg, attribute(page, e, "cx"), attribute(page, e, "cy"))
        assert at == pytest.approx(centre, abs=slack)
        turn = page.js(f"document.getElementById('{e}').getAttribute('transform')")
        degrees = float(turn.split("(")[1].split()[0])
        assert degrees == pytest.approx(-math.degrees(d["orientation"]), abs=1e-9)
    hit = f"{prefix}-hit"
    assert attribute(page, hit, "r") / scale == pytest.approx(radius, rel=1e-9)
    target = in_metres(page, svg, attribute(page, hit, "cx"), attribute(page, hit, "cy"))
    mean = (centre[0] - d["mean_miss"]["x"], centre[1] - d["mean_miss"]["y"])
    assert target == pytest.approx(mean, abs=slack)


PLANE = {
    "distance": "6",
    "drag": "0.05",
    "wind": "-1",
    "launch-height": "0.5",
    "target-height": "0.2",
}
ODDS = {
    "u-hit-radius": "0.2",
    "u-velocity": "0.05",
    "u-angle": "0.5",
    "u-wind": "0.5",
    "u-drag": "0.01",
}


def aim2d(page: Browser) -> str:
    page.js("document.getElementById('aim-form').requestSubmit()")
    status: str = page.wait_for(
        "(t => t.startsWith('Aimed at') && t)(document.getElementById('status').textContent)"
    )
    return status


def test_the_odds_panel_sends_the_uncertainty_and_shows_the_odds_in_2d(
    browser: Browser, client: httpx.Client
) -> None:
    browser.js("document.getElementById('odds-panel').open = true")
    fill(browser, {**PLANE, **ODDS})
    browser.js("document.getElementById('u-best').checked = true")
    status = aim2d(browser)
    body = sent(browser, "/aim")[-1]
    u = body["uncertainty"]
    assert u["hit_radius"] == 0.2 and u["velocity_sigma"] == 0.05 and u["wind_sigma"] == 0.5
    assert u["drag_sigma"] == 0.01 and u["angle_sigma"] == pytest.approx(
        math.radians(0.5), rel=1e-15
    )
    assert body["objective"] == "max_hit_probability" and "azimuth_sigma" not in u
    answer = client.post("/aim", json=body).json()  # the same request: the same seed and samples
    odds_shown(browser, "odds2d", answer)
    b = answer["best_odds"]
    for field, value in (
        ("best_probability", b["hit_probability"]),
        ("exact_probability", b["exact_hit_probability"]),
        ("best_velocity", b["velocity"]),
        ("best_angle_degrees", b["angle_degrees"]),
        ("best_angle", b["angle"]),
        ("gain", b["gain"]),
    ):
        assert first(cell(browser, "odds2d", field)) == pytest.approx(value, rel=1e-5, abs=1e-12)
    assert b["hit_probability"] >= b["exact_hit_probability"]
    assert f"{answer['hit_probability']['monte_carlo']:#.6g}" in status
    # The landing area from above: x along the line of fire, the target at (6 m, 0 m).
    d = answer["dispersion"]
    centre = (6.0 + d["mean_miss"]["x"], d["mean_miss"]["y"])
    ellipse_drawn(browser, "landing2d", "landing2d", centre, answer)
    # The side view: the hit zone on the target's height, the scatter along the line of fire.
    c, s = math.cos(d["orientation"]), math.sin(d["orientation"])
    along = math.hypot(d["semi_major"] * c, d["semi_minor"] * s)
    assert attribute(browser, "spread-side-1", "data-along") == pytest.approx(along, rel=1e-12)
    scale = float(browser.js("document.getElementById('arc').dataset.scale"))
    assert attribute(browser, "spread-side-2", "rx") / scale == pytest.approx(2 * along, rel=1e-9)
    assert attribute(browser, "hit-zone-side", "data-radius") == 0.2
    browser.screenshot("page-odds-2d.png")
    # Emptied, the panel sends no odds and the page shows none.
    fill(browser, {key: "" for key in ODDS})
    browser.js("document.getElementById('u-best').checked = false")
    browser.js("document.getElementById('status').textContent = ''")
    aim2d(browser)
    assert "uncertainty" not in sent(browser, "/aim")[-1]
    assert browser.js("document.getElementById('odds2d').hidden")
    assert browser.js("document.getElementById('landing2d-figure').hidden")


SPACE = {
    "t3-x": "4",
    "t3-y": "2",
    "t3-z": "0.3",
    "t3-drag": "0.05",
    "t3-wind-x": "0.5",
    "t3-wind-y": "1",
}


def test_the_odds_in_3d_draw_the_landing_area_from_above(
    browser: Browser, client: httpx.Client
) -> None:
    browser.js("document.getElementById('t3-more').open = true")
    fill(browser, {**SPACE, **ODDS, "u-azimuth": "0.5"})
    browser.js("document.getElementById('aim3d-form').requestSubmit()")
    browser.wait_for(
        "(t => t.startsWith('Aimed at') && t)(document.getElementById('status3d').textContent)"
    )
    body = sent(browser, "/aim")[-1]
    assert body["uncertainty"]["azimuth_sigma"] == pytest.approx(math.radians(0.5), rel=1e-15)
    assert "objective" not in body
    answer = client.post("/aim", json=body).json()
    odds_shown(browser, "odds3d", answer)
    assert browser.js("document.querySelector('#odds3d [data-field=best_probability]')") is None
    met = answer["intercept_point"]
    ellipse_drawn(browser, "landing3d", "landing3d", (met["x"], met["y"]), answer)
    ellipse_drawn(browser, "top3d", "top3d-odds", (met["x"], met["y"]), answer)
    browser.screenshot("page-odds-3d.png")


TRUTH = {"drag": 0.08, "wind": -1.5}
ELEVATIONS = [20.0, 30.0, 40.0, 50.0, 60.0, 70.0]  # degrees, as typed


def ranging_csv() -> str:
    """Six shots landed by the reference in the true air, with 2 cm of noise, as typed."""
    rng = np.random.default_rng(21)
    lines = ["velocity,elevation,landed"]
    for i, degrees in enumerate(ELEVATIONS):
        velocity = 8.0 + 0.25 * i
        flown = reference.landing(
            velocity, degrees * (math.pi / 180), 0.0, 0.0, TRUTH["wind"], TRUTH["drag"], GRAVITY
        )
        lines.append(f"{velocity!r},{degrees!r},{flown.distance + float(rng.normal(0, 0.02))!r}")
    return "\n".join(lines)


def test_the_calibrate_panel_fits_the_air_and_fills_the_aim_form(
    browser: Browser, client: httpx.Client
) -> None:
    browser.js("document.getElementById('calibrate-panel').open = true")
    fill(browser, {"cal-shots": ranging_csv(), "cal-sigma": "0.02"})
    browser.js("document.getElementById('fit-wind').checked = true")
    browser.js("document.getElementById('calibrate-form').requestSubmit()")
    browser.wait_for("!document.getElementById('cal-results').hidden")
    body = sent(browser, "/calibrate")[-1]
    assert body["fit"] == ["drag", "wind"] and body["sigma"] == 0.02 and len(body["shots"]) == 6
    assert body["shots"][1]["angle"] == 30.0 * (math.pi / 180)
    answer = client.post("/calibrate", json=body).json()
    for e in answer["estimates"]:
        row = f"#cal-results tr[data-key={e['name']}]"
        value, se, unit = browser.js(
            f"[...document.querySelectorAll('{row} td')].map(c => c.textContent)"
        )
        assert float(value) == pytest.approx(e["value"], rel=1e-5)
        assert float(se) == pytest.approx(e["standard_error"], rel=1e-5)
        assert unit == e["unit"]
        assert abs(e["value"] - TRUTH[e["name"]]) <= 4 * e["standard_error"]
    residuals = browser.js(
        "[...document.querySelectorAll('#cal-residuals tbody tr')].map(r => r.cells[1].textContent)"
    )
    assert [float(r) for r in residuals] == pytest.approx(
        [r["landed"] for r in answer["residuals"]], rel=1e-5, abs=1e-9
    )
    status = browser.js("document.getElementById('cal-status').textContent")
    assert f"RMS residual {answer['rms']:#.6g} m" in status
    # The calibrated air into the 2D aim form, its standard errors into the odds panel.
    browser.js("document.getElementById('cal-use').click()")
    c, u = answer["conditions"], answer["uncertainty"]
    values = {
        field: float(browser.js(f"document.getElementById('{field}').value"))
        for field in ("drag", "wind", "u-drag", "u-wind")
    }
    assert values == {
        "drag": c["drag"],
        "wind": c["wind"],
        "u-drag": u["drag_sigma"],
        "u-wind": u["wind_sigma"],
    }
    assert browser.js("document.getElementById('odds-panel').open")
    # And the crew's next aim carries them.
    fill(browser, {"distance": "5", "u-hit-radius": "0.1"})
    aim2d(browser)
    aimed = sent(browser, "/aim")[-1]
    assert aimed["drag"] == c["drag"] and aimed["wind"] == c["wind"]
    assert aimed["uncertainty"] == {
        "hit_radius": 0.1,
        "drag_sigma": u["drag_sigma"],
        "wind_sigma": u["wind_sigma"],
    }
    assert not browser.js("document.getElementById('odds2d').hidden")
    browser.screenshot("page-calibrate.png")


def test_refusals_are_shown_in_words(browser: Browser, client: httpx.Client) -> None:
    browser.js("document.getElementById('calibrate-panel').open = true")
    one = "velocity,elevation,landed\n9,35,6.1"
    fill(browser, {"cal-shots": one, "cal-sigma": "0.02"})
    browser.js("document.getElementById('fit-wind').checked = true")
    browser.js("document.getElementById('calibrate-form').requestSubmit()")
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent)(document.getElementById('cal-error'))"
    )
    body = sent(browser, "/calibrate")[-1]
    refusal = client.post("/calibrate", json=body).json()
    assert message.startswith("Error 422") and refusal["detail"][0]["msg"] in message
    assert "drag and wind" in message
    assert browser.js("document.getElementById('cal-results').hidden")
    # Text that is no number is refused before anything is sent.
    fill(browser, {"cal-shots": "velocity,elevation,landed\n9,35,far"})
    browser.js("document.getElementById('calibrate-form').requestSubmit()")
    browser.wait_for(
        "document.getElementById('cal-error').textContent.includes('line 2, landed: enter a number')"
    )
    # A sigma without a hit radius: the aim says what is missing.
    fill(browser, {"distance": "5", "u-velocity": "0.1"})
    browser.js("document.getElementById('aim-form').requestSubmit()")
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent)(document.getElementById('error'))"
    )
    assert message.startswith("Hit radius: enter a number in metres")
    # The API's own refusal of the odds (a 3D closest pass), in its words.
    fill(browser, {"t3-x": "4", "t3-y": "1", "u-hit-radius": "0.2"})
    browser.js("document.getElementById('t3-intercept').value = 'any'")
    browser.js("document.getElementById('aim3d-form').requestSubmit()")
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent)(document.getElementById('error3d'))"
    )
    assert message.startswith("Error 422") and "descending" in message
    assert browser.js("document.getElementById('landing3d-figure').hidden")


def test_3d_ranging_shots_fill_the_3d_form(browser: Browser, client: httpx.Client) -> None:
    """Shots in the 3D form (azimuth, landed_x, landed_y) give the wind {x, y}: into the 3D
    form's wind and drag."""
    drag, wind = 0.06, (0.8, -1.2)
    rng = np.random.default_rng(8)
    lines = ["velocity,elevation,azimuth,landed_x,landed_y"]
    for i, degrees in enumerate(ELEVATIONS):
        azimuth = -150.0 + 55.0 * i  # degrees, around the compass
        flown = reference.intercept(
            8.5,
            degrees * (math.pi / 180),
            azimuth * (math.pi / 180),
            (0.0, 0.0, 0.0),
            wind=wind,
            drag=drag,
            gravity=GRAVITY,
        )
        x, y = (flown.point[j] + float(rng.normal(0, 0.02)) for j in (0, 1))
        lines.append(f"8.5,{degrees!r},{azimuth!r},{x!r},{y!r}")
    browser.js("document.getElementById('calibrate-panel').open = true")
    fill(browser, {"cal-shots": "\n".join(lines), "cal-sigma": "0.02"})
    browser.js("document.getElementById('fit-wind').checked = true")
    browser.js("document.getElementById('calibrate-form').requestSubmit()")
    browser.wait_for("!document.getElementById('cal-results').hidden")
    body = sent(browser, "/calibrate")[-1]
    assert body["shots"][0]["landed"].keys() == {"x", "y"}
    answer = client.post("/calibrate", json=body).json()
    names = browser.js(
        "[...document.querySelectorAll('#cal-results tbody tr')].map(r => r.dataset.key)"
    )
    assert names == [e["name"] for e in answer["estimates"]] == ["drag", "wind_x", "wind_y"]
    truth = {"drag": drag, "wind_x": wind[0], "wind_y": wind[1]}
    for e in answer["estimates"]:
        assert abs(e["value"] - truth[e["name"]]) <= 4 * e["standard_error"], e
    browser.js("document.getElementById('cal-use').click()")
    c = answer["conditions"]
    got = [
        float(browser.js(f"document.getElementById('{f}').value"))
        for f in ("t3-drag", "t3-wind-x", "t3-wind-y")
    ]
    assert got == [c["drag"], c["wind"]["x"], c["wind"]["y"]]
    assert browser.js("document.getElementById('drag').value") == ""  # the 2D form untouched


def test_narrow_screen_the_panels_and_the_odds_fit(browser: Browser) -> None:
    browser.viewport(375, 800, mobile=True)
    browser.js("document.getElementById('calibrate-panel').open = true")
    browser.js("document.getElementById('odds-panel').open = true")
    fill(browser, {**PLANE, **ODDS, "cal-shots": ranging_csv(), "cal-sigma": "0.02"})
    browser.js("document.getElementById('u-best').checked = true")
    browser.js("document.getElementById('calibrate-form').requestSubmit()")
    browser.wait_for("!document.getElementById('cal-results').hidden")
    aim2d(browser)
    overflow = """(() => { const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 0.5; });
        return [document.documentElement.scrollWidth, width, wide.map(e => e.id || e.tagName)]; })()"""
    scroll_width, width, wide = browser.js(overflow)
    assert width == 375 and scroll_width <= width and not wide, wide
    browser.screenshot("page-odds-narrow.png")

"""The page's 3D form and its two views (issue 13) in headless Chromium (tests/chromium.py)
against the real server: the page shows the numbers POST /aim answers, draws the shot from
above (the bearing at firing, the azimuth fired, the aim-off, the target's path, the
intercept) and from the side where the reference lands it, and shows the API's refusals in
its words. GET /trajectory3d itself: tests/test_trajectory3d.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.physics import reference
from tests.chromium import Browser, page_at
from tests.conftest import GRAVITY
from tests.test_trajectory3d import BODY, landed


@pytest.fixture(scope="module")
def shot(client: httpx.Client) -> dict[str, Any]:
    answer: dict[str, Any] = client.post("/aim", json=BODY).json()
    assert answer["hit"] and landed(answer).miss <= 1e-6, answer
    return answer


@pytest.fixture
def browser(server_url: str) -> Iterator[Browser]:
    with page_at(server_url) as page:
        yield page


def fill(page: Browser, fields: dict[str, str]) -> None:
    page.js("document.getElementById('t3-more').open = true")  # the motion and the air
    for element, text in fields.items():
        page.js(f"document.getElementById('{element}').value = {json.dumps(text)}")


FIELDS = {
    "t3-x": "4",
    "t3-y": "1",
    "t3-z": "0.5",
    "t3-vy": "1.5",
    "t3-ax": "-0.5",
    "t3-wind-x": "0",
    "t3-wind-y": "-3",
    "t3-drag": "0.05",
    "t3-launch-height": "0.3",
    "t3-tolerance": "1e-6",
}


def aim3d(page: Browser) -> None:
    """Enter in a field of the 3D form submits it, as a user at the keyboard would."""
    page.js("document.getElementById('t3-x').focus()")
    page.key("Enter", 13, "\r")


def shown(page: Browser, field: str) -> str:
    text: str = page.js(f"document.querySelector('#results3d [data-field={field}]').textContent")
    return text


def in_metres(page: Browser, svg: str, x: float, y: float) -> tuple[float, float]:
    """A point of a view read back in metres, by the scale and origin it was drawn with."""
    scale, x0, y0 = (
        float(page.js(f"document.getElementById('{svg}').dataset.{name}"))
        for name in ("scale", "originX", "originY")
    )
    return (x - x0) / scale, (y0 - y) / scale


def path_points(page: Browser, svg: str, element: str) -> list[tuple[float, float]]:
    d = page.js(f"document.getElementById('{element}').getAttribute('d')")
    return [in_metres(page, svg, *map(float, p.split(",")[:2])) for p in d[1:].split("L")]


def attribute(page: Browser, element: str, name: str) -> float:
    return float(page.js(f"document.getElementById('{element}').getAttribute('{name}')"))


def test_the_page_aims_in_3d_and_draws_it_from_above_and_from_the_side(
    browser: Browser, shot: dict[str, Any]
) -> None:
    fill(browser, FIELDS)
    aim3d(browser)
    status = browser.wait_for(
        "(t => t.startsWith('Aimed at') && t)(document.getElementById('status3d').textContent)"
    )
    assert "hit" in status and "(4.00000, 1.00000, 0.500000) m" in status
    # The numbers POST /aim answers, to the six digits shown, each with its unit in its label.
    point = shot["intercept_point"]
    for field, value in (
        ("angle", shot["angle"]),
        ("angle_degrees", shot["angle_degrees"]),
        ("azimuth", shot["azimuth"]),
        ("azimuth_degrees", shot["azimuth_degrees"]),
        ("velocity", shot["velocity"]),
        ("intercept_time", shot["intercept_time"]),
        ("intercept_x", point["x"]),
        ("intercept_y", point["y"]),
        ("intercept_z", point["z"]),
        ("miss", shot["miss"]),
        ("apex_height", shot["apex_height"]),
    ):
        assert float(shown(browser, field)) == pytest.approx(value, rel=1e-5, abs=1e-12), field
    bearing = math.degrees(math.atan2(1.0, 4.0))
    aim_off = shot["azimuth_degrees"] - bearing
    assert float(shown(browser, "bearing_degrees")) == pytest.approx(bearing, rel=1e-5)
    assert float(shown(browser, "aim_off_degrees")) == pytest.approx(aim_off, rel=1e-5)
    assert abs(aim_off) > 5  # it leads a target running to the left, against the crosswind
    labels = browser.js(
        "[...document.querySelectorAll('#results3d th[scope=row]')].map(t => t.textContent)"
    )
    assert "azimuth (°)" in labels and "intercept time (s after firing)" in labels
    assert shown(browser, "hit") == "yes"
    truth = landed(shot)  # the shot shown lands on the moving target by the reference
    assert truth.miss <= 1e-6

    # From above: the shot's track ends on the intercept, the target's path runs from where
    # it was at firing to where it is met, the azimuth line points where the shot was fired.
    slack = 0.02 / float(browser.js("document.getElementById('top3d').dataset.scale"))
    track = path_points(browser, "top3d", "shot-top")
    assert len(track) == 120 and track[0] == pytest.approx((0.0, 0.0), abs=slack)
    assert track[-1] == pytest.approx(truth.point[:2], abs=slack)
    path = path_points(browser, "top3d", "target-path-top")
    assert path[0] == pytest.approx((4.0, 1.0), abs=slack)
    t = truth.time
    assert path[-1] == pytest.approx((4.0 - 0.25 * t * t, 1.0 + 1.5 * t), abs=1e-6 + slack)
    ends = [attribute(browser, "aim-line", a) for a in ("x1", "y1", "x2", "y2")]
    (x1, y1), (x2, y2) = (
        in_metres(browser, "top3d", *ends[:2]),
        in_metres(browser, "top3d", *ends[2:]),
    )
    assert math.atan2(y2 - y1, x2 - x1) == pytest.approx(shot["azimuth"], abs=1e-3)
    ends = [attribute(browser, "bearing-line", a) for a in ("x2", "y2")]
    assert in_metres(browser, "top3d", *ends) == pytest.approx((4.0, 1.0), abs=slack)
    drawn_off = float(browser.js("document.getElementById('aim-off').dataset.degrees"))
    assert drawn_off == pytest.approx(aim_off, abs=1e-9)
    label = browser.js("document.getElementById('aim-off-label').textContent")
    assert label == f"aim-off {aim_off:#.6g}°"
    centre = [attribute(browser, "intercept-top", a) for a in ("cx", "cy")]
    assert in_metres(browser, "top3d", *centre) == pytest.approx(truth.point[:2], abs=slack)
    wind = browser.js("document.querySelector('#wind-top title').textContent")
    assert wind == "wind x 0.00000 m/s, y -3.00000 m/s"
    # Blown toward -y, right of its way, the track bows left of the chord to the intercept:
    # the shot was aimed off upwind.
    px, py = truth.point[:2]
    left = [(px * y - py * x) / math.hypot(px, py) for x, y in track[1:-1]]
    assert max(left) > 0.01 and min(left) > -slack, (max(left), min(left))

    # From the side: horizontal distance against height, from the launch height to the target.
    slack = 0.02 / float(browser.js("document.getElementById('side3d').dataset.scale"))
    side = path_points(browser, "side3d", "shot-side")
    assert side[0] == pytest.approx((0.0, 0.3), abs=slack)
    assert side[-1] == pytest.approx((math.hypot(*truth.point[:2]), truth.point[2]), abs=slack)
    assert max(z for _, z in side) == pytest.approx(truth.apex_height, abs=0.01)
    assert len(path_points(browser, "side3d", "target-path-side")) == 120
    desc = browser.js("document.getElementById('top3d-desc').textContent")
    assert f"aim-off of {aim_off:#.6g}°" in desc
    conditions = browser.js("document.getElementById('conditions3d').textContent")
    assert conditions == (
        "Target at firing (x, y, z) (4.00000, 1.00000, 0.500000) m, moving at (0.00000, "
        "1.50000, 0.00000) m/s, accelerating at (-0.500000, 0.00000, 0.00000) m/s², wind (x, y) "
        "(0.00000, -3.00000) m/s, drag 0.0500000 1/m, launch height 0.300000 m, intercept "
        "descending, a free shot."
    )
    browser.js("document.getElementById('space').scrollIntoView()")
    browser.screenshot("page-space.png")


def test_a_target_out_of_reach_shows_the_server_detail_and_clears_the_views(
    browser: Browser, client: httpx.Client
) -> None:
    fill(browser, FIELDS)
    aim3d(browser)
    browser.wait_for("document.getElementById('status3d').textContent.startsWith('Aimed at')")
    fill(browser, {"t3-x": "40"})
    aim3d(browser)
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent)(document.getElementById('error3d'))"
    )
    body = {**BODY, "target": {"x": 40.0, "y": 1.0, "z": 0.5}}
    refused = client.post("/aim", json=body).json()
    assert message.startswith("Error 422") and refused["detail"][0]["msg"] in message
    assert f"max range {refused['max_range']:#.6g} m" in message
    assert browser.js("document.getElementById('results3d').hidden")
    assert not browser.js("document.getElementById('shot-top')")
    assert not browser.js("document.getElementById('shot-side')")
    # The 2D form's own error line is left alone.
    assert browser.js("document.getElementById('error').hidden")
    # A scene outside the envelope: the API's words; a field that is no number: the page's.
    fill(browser, {"t3-x": "4", "t3-wind-x": "6"})
    aim3d(browser)
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent.includes('wind') && e.textContent)(document.getElementById('error3d'))"
    )
    assert message.startswith("Error 422"), message
    fill(browser, {"t3-wind-x": "0", "t3-vz": "fast"})
    browser.js("document.getElementById('t3-more').open = false")  # the field folded away
    aim3d(browser)
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent.includes('velocity z') && e.textContent)(document.getElementById('error3d'))"
    )
    assert message == "Target velocity z: enter a number in m/s"
    assert browser.js("document.getElementById('t3-more').open")  # unfolded to be seen
    browser.screenshot("page-space-error.png")


def test_narrow_screen_the_3d_views_fit(browser: Browser) -> None:
    browser.viewport(375, 800, mobile=True)
    fill(browser, FIELDS)
    aim3d(browser)
    browser.wait_for("document.getElementById('status3d').textContent.startsWith('Aimed at')")
    overflow = """(() => { const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 0.5; });
        return [document.documentElement.scrollWidth, width, wide.map(e => e.id || e.tagName)]; })()"""
    scroll_width, width, wide = browser.js(overflow)
    assert width == 375 and scroll_width <= width and not wide, wide
    browser.js("document.getElementById('space').scrollIntoView()")
    browser.screenshot("page-space-narrow.png")


def test_intercept_any_meets_a_falling_target_at_its_closest_pass(
    browser: Browser, client: httpx.Client
) -> None:
    fill(browser, {"t3-x": "4", "t3-y": "1", "t3-z": "2", "t3-vz": "-1", "t3-tolerance": "1e-6"})
    browser.js("document.getElementById('t3-intercept').value = 'any'")
    aim3d(browser)
    browser.wait_for("document.getElementById('status3d').textContent.startsWith('Aimed at')")
    body = {
        "target": {"x": 4, "y": 1, "z": 2},
        "target_velocity": {"z": -1},
        "intercept": "any",
        "tolerance": 1e-6,
    }
    shot = client.post("/aim", json=body).json()
    for field in ("azimuth", "angle", "velocity", "intercept_time", "miss"):
        assert float(shown(browser, field)) == pytest.approx(shot[field], rel=1e-5, abs=1e-12)
    truth = reference.closest(
        shot["velocity"], shot["angle"], shot["azimuth"], (4, 1, 2), (0, 0, -1), gravity=GRAVITY
    )
    assert truth.miss <= 1e-6 and truth.time == pytest.approx(shot["intercept_time"], abs=1e-6)
    slack = 0.02 / float(browser.js("document.getElementById('side3d').dataset.scale"))
    side = path_points(browser, "side3d", "shot-side")
    assert side[-1] == pytest.approx((math.hypot(*truth.point[:2]), truth.point[2]), abs=slack)
    assert "intercept any, a free shot." in browser.js(
        "document.getElementById('conditions3d').textContent"
    )


def test_a_fixed_velocity_on_the_high_arc_is_held(browser: Browser, client: httpx.Client) -> None:
    fill(browser, {**FIELDS, "t3-fixed-velocity": "9.5"})
    browser.js("document.getElementById('t3-arc').value = 'high'")
    aim3d(browser)
    browser.wait_for("document.getElementById('status3d').textContent.startsWith('Aimed at')")
    assert shown(browser, "velocity") == "9.50000"
    high = client.post("/aim", json={**BODY, "velocity": 9.5, "arc": "high"}).json()
    low = client.post("/aim", json={**BODY, "velocity": 9.5, "arc": "low"}).json()
    assert float(shown(browser, "angle")) == pytest.approx(high["angle"], rel=1e-5)
    assert high["angle"] > low["angle"] + 0.2  # the high arc, as chosen
    assert landed(high).miss <= 1e-6  # by the reference
    conditions = browser.js("document.getElementById('conditions3d').textContent")
    assert conditions.endswith("intercept descending, fixed velocity 9.50000 m/s, high arc.")

"""The page at GET /, driven in headless Chromium (tests/chromium.py) against the real
server: the numbers it shows are the API's, the flight it draws (read back from the SVG in
metres) lands where the reference physics says, through the heights and air typed in, and
the API's refusals are shown in its words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.physics import reference
from tests.chromium import Browser, page_at
from tests.conftest import GRAVITY, serving


@pytest.fixture
def browser(server_url: str) -> Iterator[Browser]:
    with page_at(server_url) as page:
        yield page


def shown(page: Browser, shot: str, field: str) -> str:
    text: str = page.js(
        f"document.querySelector('[data-shot={shot}][data-field={field}]').textContent"
    )
    return text


def aim_with_keyboard(page: Browser, distance: str) -> None:
    page.tab_to("distance", presses=30)  # past the air and constraint fields, round again
    page.js("document.getElementById('distance').value = ''")
    page.send("Input.insertText", {"text": distance})
    page.key("Enter", 13, "\r")  # Enter in a field submits the form


NUMBERS = ["angle", "angle_degrees", "velocity", "landing_distance", "miss", "tolerance"]


def test_aiming_shows_the_api_numbers_and_the_arc(browser: Browser, client: httpx.Client) -> None:
    browser.tab_to("tolerance", presses=3)
    browser.send("Input.insertText", {"text": "1e-6"})
    browser.js("document.getElementById('raw').checked = true")
    aim_with_keyboard(browser, "7.5")
    browser.wait_for("document.getElementById('status').textContent.startsWith('Aimed at')")
    answer = client.post("/aim", json={"distance": 7.5, "tolerance": 1e-6}).json()
    raw = client.post("/aim", json={"distance": 7.5, "tolerance": 1e-6, "refine": False}).json()
    for field in NUMBERS:  # shown to six significant digits
        assert float(shown(browser, "final", field)) == pytest.approx(answer[field], rel=1e-5)
        assert float(shown(browser, "raw", field)) == pytest.approx(raw[field], rel=1e-5)
    assert shown(browser, "final", "hit") == "yes" and answer["hit"]
    assert shown(browser, "final", "refined") == ("yes" if answer["refined"] else "no")
    assert shown(browser, "final", "iterations") == str(answer["iterations"])
    assert shown(browser, "raw", "refined") == "no"
    check = client.get(
        "/verify",
        params={"angle": answer["angle"], "velocity": answer["velocity"], "distance": 7.5},
    ).json()
    assert float(shown(browser, "final", "landing_distance")) == pytest.approx(
        check["landing_distance"], rel=1e-5
    )
    assert float(shown(browser, "final", "flight_time")) == pytest.approx(
        check["flight_time"], rel=1e-5
    )
    assert float(shown(browser, "final", "apex_height")) == pytest.approx(
        check["apex_height"], rel=1e-5
    )
    # Both arcs are drawn, each with every point /trajectory gave, plus the target marker.
    for kind in ("final", "raw"):
        path = browser.js(f"document.getElementById('arc-{kind}').getAttribute('d')")
        assert path.count("L") == 119 and path.startswith("M")
    assert browser.js("!!document.getElementById('target-marker')")
    assert "7.50000 m" in browser.js("document.getElementById('arc-desc').textContent")
    browser.screenshot("page-shot.png")

    # The second view: reached by keyboard, switched with an arrow key.
    browser.tab_to("tab-shot", presses=20)
    browser.key("ArrowRight", 39)
    caption = browser.wait_for(
        "(t => t.startsWith('Squared miss') && t)(document.getElementById('loss-caption').textContent)"
    )
    assert "7.50000 m target" in caption and "100 \u00d7 100 grid" in caption
    assert browser.js("document.getElementById('panel-shot').hidden")
    marked = browser.js("document.getElementById('loss').dataset.shot")
    assert marked == f"{answer['velocity']},{answer['angle']}"
    # The heat map is drawn: the canvas has many distinct colours.
    colours = browser.js(
        """(() => { const c = document.getElementById('loss');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set(); for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2]);
        return seen.size; })()"""
    )
    assert colours > 50
    browser.screenshot("page-loss-surface.png")


def test_unreachable_target_shows_the_server_detail(browser: Browser, client: httpx.Client) -> None:
    aim_with_keyboard(browser, "5")
    browser.wait_for("document.getElementById('status').textContent.startsWith('Aimed at')")
    aim_with_keyboard(browser, "12.5")
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent)(document.getElementById('error'))"
    )
    detail = client.post("/aim", json={"distance": 12.5}).json()
    assert detail["detail"][0]["msg"] in message and message.startswith("Error 422")
    assert "max range 10.1937 m" in message
    # The 5 m shot is gone: no numbers or arc stand beside the error.
    assert browser.js("document.getElementById('results').hidden")
    assert not browser.js("document.getElementById('arc-final')")
    browser.screenshot("page-unreachable.png")


def test_the_api_key_field_is_sent() -> None:
    with serving(Settings(api_key="s3cret")) as url, page_at(url) as page:
        aim_with_keyboard(page, "4")
        page.wait_for("document.getElementById('error').textContent.startsWith('Error 401')")
        page.tab_to("api-key")
        page.send("Input.insertText", {"text": "s3cret"})
        page.key("Enter", 13, "\r")
        page.wait_for("document.getElementById('status').textContent.startsWith('Aimed at')")
        assert page.js("document.getElementById('error').hidden")


def test_narrow_screen_nothing_overflows(browser: Browser) -> None:
    browser.viewport(375, 800, mobile=True)
    browser.js("document.getElementById('raw').checked = true")
    aim_with_keyboard(browser, "3.25")
    browser.wait_for("document.getElementById('status').textContent.startsWith('Aimed at')")
    overflow = """(() => { const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 0.5; });
        return [document.documentElement.scrollWidth, width, wide.map(e => e.id || e.tagName)]; })()"""
    scroll_width, width, wide = browser.js(overflow)
    assert width == 375 and scroll_width <= width and not wide, wide
    assert browser.js("document.getElementById('arc').getBoundingClientRect().width") <= 375
    browser.screenshot("page-narrow.png")
    browser.js("document.getElementById('tab-loss').click()")
    browser.wait_for("document.getElementById('loss-caption').textContent.startsWith('Squared')")
    scroll_width, width, wide = browser.js(overflow)
    assert scroll_width <= width and not wide, wide
    browser.screenshot("page-narrow-loss-surface.png")


def fill(page: Browser, fields: dict[str, str]) -> None:
    for element, text in fields.items():
        page.js(f"document.getElementById('{element}').value = {json.dumps(text)}")


def in_metres(page: Browser, x: float, y: float) -> tuple[float, float]:
    """A point of the drawing read back in metres, by the scale and origin it was drawn with."""
    scale, x0, y0 = (
        float(page.js(f"document.getElementById('arc').dataset.{name}"))
        for name in ("scale", "originX", "originY")
    )
    return (x - x0) / scale, (y0 - y) / scale


def path_points(page: Browser, element: str) -> list[tuple[float, float]]:
    d = page.js(f"document.getElementById('{element}').getAttribute('d')")
    return [in_metres(page, *map(float, p.split(",")[:2])) for p in d[1:].split("L")]


def six(x: float) -> str:
    """A number as the page shows it (JavaScript's toPrecision(6))."""
    return f"{x:#.6g}"


AIR = {"launch-height": "1.5", "target-height": "0.5", "wind": "-3", "drag": "0.1"}


def test_aiming_through_air_draws_a_flight_that_lands_on_the_target(
    browser: Browser, client: httpx.Client
) -> None:
    fill(browser, {**AIR, "tolerance": "0.001", "fixed-velocity": "9"})
    browser.js("document.getElementById('arc-choice').value = 'high'")
    aim_with_keyboard(browser, "3.2")
    browser.wait_for("document.getElementById('status').textContent.startsWith('Aimed at')")
    arc = "document.getElementById('arc-final')"
    angle, velocity = (float(browser.js(f"{arc}.dataset.{name}")) for name in ("angle", "velocity"))
    assert velocity == 9.0 and shown(browser, "final", "velocity") == "9.00000"
    # The shot the page drew lands on the target by the reference physics, within tolerance.
    truth = reference.landing(velocity, angle, 1.5, 0.5, -3.0, 0.1, GRAVITY)
    assert abs(truth.distance - 3.2) <= 0.001
    air = {"launch_height": 1.5, "target_height": 0.5, "wind": -3.0, "drag": 0.1}
    low = client.post("/aim", json={"distance": 3.2, "velocity": 9, "arc": "low", **air}).json()
    assert angle > low["angle"] + 0.1  # the high arc, as chosen
    # The drawn flight: from the cannon's height to the target at its height, to the drawing's
    # rounding (two decimals of an SVG unit) beyond the tolerance.
    points = path_points(browser, "arc-final")
    slack = 0.01 / float(browser.js("document.getElementById('arc').dataset.scale"))
    assert len(points) == 120
    assert abs(points[0][0]) <= slack and abs(points[0][1] - 1.5) <= slack
    assert abs(points[-1][0] - 3.2) <= 0.001 + slack and abs(points[-1][1] - 0.5) <= slack
    assert max(y for _, y in points) == pytest.approx(truth.apex_height, abs=0.01)
    target = browser.js("document.getElementById('target-marker').getAttribute('d')")
    tip = in_metres(browser, *map(float, target[1:].split(" ")[0].split(",")))
    assert tip == pytest.approx((3.2, 0.5), abs=slack)
    ground = [
        float(browser.js(f"document.getElementById('ground').getAttribute('{a}')"))
        for a in ("y1", "y2")
    ]
    assert all(in_metres(browser, 0.0, y)[1] == pytest.approx(0.0, abs=slack) for y in ground)
    assert "launch height 1.50000 m" in browser.js(
        "document.querySelector('#launch-marker title').textContent"
    )
    assert "wind -3.00000 m/s" in browser.js("document.getElementById('arc').textContent")
    conditions = browser.js("document.getElementById('conditions').textContent")
    assert conditions == (
        "Launch height 1.50000 m, target height 0.500000 m, wind -3.00000 m/s (headwind), "
        "drag 0.100000 1/m; fixed velocity 9.00000 m/s, high arc."
    )
    assert "0.500000 m above the ground" in browser.js(
        "document.getElementById('arc-desc').textContent"
    )
    browser.screenshot("page-air.png")
    # The loss surface through the same air, the aimed shot marked on it.
    browser.js("document.getElementById('tab-loss').click()")
    caption = browser.wait_for(
        "(t => t.startsWith('Squared miss') && t)(document.getElementById('loss-caption').textContent)"
    )
    assert "wind -3.00000 m/s, drag 0.100000 1/m" in caption
    marked = browser.js("document.getElementById('loss').dataset.shot").split(",")
    assert [float(v) for v in marked] == [velocity, angle]
    browser.screenshot("page-air-loss-surface.png")


def test_a_fixed_angle_in_degrees_is_held(browser: Browser) -> None:
    fill(browser, {"target-height": "1", "drag": "0.05", "fixed-angle": "60"})
    aim_with_keyboard(browser, "4")
    browser.wait_for("document.getElementById('status').textContent.startsWith('Aimed at')")
    assert shown(browser, "final", "angle_degrees") == "60.0000"
    arc = "document.getElementById('arc-final')"
    angle, velocity = (float(browser.js(f"{arc}.dataset.{name}")) for name in ("angle", "velocity"))
    assert angle == pytest.approx(math.pi / 3, abs=1e-12)
    truth = reference.landing(velocity, angle, 0.0, 1.0, 0.0, 0.05, GRAVITY)
    assert abs(truth.distance - 4.0) <= 0.05  # the service's default tolerance


def test_out_of_reach_through_air_shows_the_range_in_that_air(
    browser: Browser, client: httpx.Client
) -> None:
    fill(browser, {"wind": "-5", "drag": "0.2"})
    aim_with_keyboard(browser, "8")
    message = browser.wait_for(
        "(e => !e.hidden && e.textContent)(document.getElementById('error'))"
    )
    body = client.post("/aim", json={"distance": 8, "wind": -5, "drag": 0.2}).json()
    assert message.startswith("Error 422") and body["detail"][0]["msg"] in message
    assert f"max range {six(body['max_range'])} m" in message
    # No 10 m/s shot reaches 8 m in this air, by the reference over a sweep of angles.
    farthest = max(
        reference.landing(10.0, a, 0.0, 0.0, -5.0, 0.2, GRAVITY).distance
        for a in [0.05 * i for i in range(1, 31)]
    )
    assert farthest <= body["max_range"] < 8
    assert browser.js("document.getElementById('results').hidden")
    browser.screenshot("page-air-unreachable.png")

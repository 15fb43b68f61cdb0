"""The page at GET /, driven in headless Chromium through the Chrome DevTools Protocol.

The protocol runs over a pipe (--remote-debugging-pipe: JSON messages ending in a NUL byte
on file descriptors 3 and 4), so the test needs no package beyond the standard library and
Debian's chromium. Every host but 127.0.0.1 is unreachable, so the page can only work if the
service serves everything it loads. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from tests.conftest import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no internet: no CDN
    "--remote-debugging-pipe",
]


TRAMPOLINE = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


def high(fd: int) -> int:
    """The same pipe end on a descriptor above 9; the original is closed."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class Browser:
    """One Chromium and one page in it, spoken to over the DevTools pipe."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="cannon-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4. A small Python
        # trampoline puts our pipe ends there and execs chromium (no preexec_fn: uvicorn runs
        # in a thread of this process; no shell: dash takes single-digit fds only). The ends
        # are moved above 9 first, so neither is itself 3 or 4 and overwritten by the other.
        to_browser_r, from_browser_w = (high(fd) for fd in (to_browser_r, from_browser_w))
        command = [executable, *FLAGS, f"--user-data-dir={self.profile}"]
        self.process = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, str(to_browser_r), str(from_browser_w), *command],
            pass_fds=(to_browser_r, from_browser_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.last_id = 0
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> Any:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if hasattr(self, "session"):
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:  # events arrive between answers; nothing here needs them
            answer = self.receive(deadline)
            if answer.get("id") == self.last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.from_browser], [], [], remaining)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        result: dict[str, Any] = json.loads(message)
        return result

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if a promise)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := self.js(expression)):
            assert time.monotonic() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.05)
        return value

    def key(self, key: str, code: int, text: str = "") -> None:
        """Press and release a key, as a user at a keyboard would."""
        event = {"key": key, "code": key, "windowsVirtualKeyCode": code}
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": text, **event})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})

    def tab_to(self, element_id: str, presses: int = 12) -> None:
        """Press Tab until `element_id` has the focus: it is reachable by keyboard."""
        for _ in range(presses):
            if self.js("document.activeElement && document.activeElement.id") == element_id:
                return
            self.key("Tab", 9)
        raise AssertionError(f"#{element_id} not reached in {presses} Tab presses")

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def screenshot(self, name: str) -> Path:
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        path.write_bytes(base64.b64decode(shot["data"]))
        print(f"screenshot: {path}")
        return path

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.to_browser)
        os.close(self.from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


@contextmanager
def page_at(url: str) -> Iterator[Browser]:
    """Chromium showing the page at `url`, loaded."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    page = Browser(CHROMIUM)
    try:
        page.viewport(1000, 900)
        page.send("Page.navigate", {"url": f"{url}/"})
        page.wait_for("document.readyState === 'complete' && !!document.getElementById('aim')")
        yield page
    finally:
        page.close()


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

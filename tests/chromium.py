"""Headless Chromium driven through the Chrome DevTools Protocol, for the page's tests
(tests/test_page.py).

The protocol runs over a pipe (--remote-debugging-pipe: JSON messages ending in a NUL byte
on file descriptors 3 and 4), so the tests need no package beyond the standard library and
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

import pytest

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

"""Run wrk (an HTTP load generator) against a loopback server and read its figures."""

from __future__ import annotations

import re
import subprocess
import tempfile
from ipaddress import ip_address
from urllib.parse import urlsplit

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}  # wrk's latency units, in ms


def is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def wrk_load(url: str, script: str, seconds: int, connections: int) -> dict[str, float]:
    """Load `url` for `seconds` at `connections` with a wrk Lua `script`.

    Returns p50 and p99 latency in ms and requests/s; raises if any answer was not 2xx.
    """
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or (is_ip(host) and ip_address(host).is_loopback)):
        raise ValueError(f"load tests go to loopback only, not {url}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
        command += ["--timeout", "10s", "-s", lua.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {q: re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)$", output, re.M) for q in ("50", "99")}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None or any(m is None for m in latency.values()) or "Non-2xx" in output:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    row = {f"p{q} (ms)": float(m.group(1)) * UNITS[m.group(2)] for q, m in latency.items() if m}
    return {**row, "requests/s": float(rate.group(1))}

"""Drive an HTTP server with N concurrent connections for a fixed time: wrk when installed,
otherwise a small asyncio generator of our own (raw streams, HTTP/1.1 keep-alive when the
server allows it; gunicorn's sync workers close after every response, so it reconnects).

Both report the same Result: requests per second, latency percentiles, errors.
"""

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx responses, socket errors and timeouts
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run(
    base: str, paths: list[str], *, connections: int, seconds: float, tool: str = "auto",
    headers: dict[str, str] | None = None,
) -> Result:
    """Load `base` (http://host:port) with `paths` in rotation, with wrk when it is there.

    `headers` are sent with every request (e.g. a session cookie: signed-in pages).
    """
    headers = headers or {}
    if tool == "wrk" or (tool == "auto" and shutil.which("wrk")):
        return run_wrk(base, paths, connections=connections, seconds=seconds, headers=headers)
    return asyncio.run(
        run_python(base, paths, connections=connections, seconds=seconds, headers=headers)
    )


# -- wrk ------------------------------------------------------------------------------------

ROTATE_LUA = """
local paths = {%s}
local i = math.random(#paths)
request = function()
  i = i %% #paths + 1
  return wrk.format(nil, paths[i])
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def run_wrk(
    base: str, paths: list[str], *, connections: int, seconds: float,
    headers: dict[str, str] | None = None,
) -> Result:
    header_args = [
        arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(ROTATE_LUA % ", ".join(f'"{p}"' for p in paths))
    try:
        out = subprocess.run(
            ["wrk", "--latency", "-t", str(min(2, connections)), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
             *header_args, base],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(out)


def parse_wrk(out: str) -> Result:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(match[1]) * UNITS[match[2]] if match else float("nan")

    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    if not done:
        raise ValueError(f"unexpected wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(
        requests=int(done[1]),
        seconds=float(done[2]) * UNITS[done[3]] / 1000,
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        errors=errors + (int(non_2xx[1]) if non_2xx else 0),
        tool="wrk",
    )


# -- the Python generator -------------------------------------------------------------------


async def run_python(
    base: str, paths: list[str], *, connections: int, seconds: float,
    headers: dict[str, str] | None = None,
) -> Result:
    match = re.fullmatch(r"http://([^:/]+):(\d+)", base.rstrip("/"))
    if not match:
        raise ValueError(f"expected http://host:port, got {base!r}")
    host, port = match[1], int(match[2])
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    requests = [
        f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: alliances-bench\r\n"
        f"{extra}\r\n".encode()
        for p in paths
    ]
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    async def connection(offset: int) -> None:
        reader = writer = None
        i = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                async with asyncio.timeout(10):
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                    writer.write(requests[i % len(requests)])
                    status, keep_alive = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):  # timeouts are OSErrors
                errors[0] += 1
                writer = close(writer)
                await asyncio.sleep(0.01)  # a refusing server must not turn this into a spin
                continue
            latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                errors[0] += 1
            if not keep_alive:
                writer = close(writer)
            i += 1
        close(writer)

    started = time.perf_counter()
    await asyncio.gather(*(connection(n) for n in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return Result(len(latencies), elapsed, percentile(0.50), percentile(0.99), errors[0], "python")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    keep_alive = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")  # no trailers are sent to us
    else:
        await reader.read()  # the body ends with the connection
        keep_alive = False
    return status, keep_alive


def close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()
    return None

"""Run a few long-lived child processes as one service: all up, or all down.

Used by `alliances serve` (web server + task worker + scheduler). Each child gets its own process
group so a Ctrl-C in the terminal reaches only us, and we deliver it exactly once to each
child: a worker receiving SIGINT twice would abort the task it is running.
"""

import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def supervise(
    commands: Sequence[Sequence[str]],
    *,
    env: Mapping[str, str] | None = None,
    grace: float = 10.0,
    poll: float = 0.1,
) -> int:
    """Start every command, wait until one exits or we are asked to stop, then stop the rest.

    Returns 0 after a requested stop; otherwise the exit status of the child that died
    first (1 if it exited with 0, since a service ending on its own is still a failure).
    """
    stop_requested = False
    children: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in STOP_SIGNALS}
    try:
        for command in commands:
            children.append(subprocess.Popen(list(command), env=env, process_group=0))
        while not stop_requested and all(child.poll() is None for child in children):
            time.sleep(poll)
        first_dead = next((child for child in children if child.poll() is not None), None)
        # After a requested stop the children already have the signal: a second one would
        # turn their graceful shutdown into an abort, so only wait for them.
        stop_all(children, grace=grace, signal_them=not stop_requested)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stop_requested or first_dead is None:
        return 0
    return first_dead.returncode or 1


def stop_all(
    children: Sequence[subprocess.Popen[bytes]], *, grace: float, signal_them: bool = True
) -> None:
    """SIGTERM whatever still runs, then SIGKILL what has not exited after `grace` seconds."""
    if signal_them:
        for child in children:
            if child.poll() is None:
                child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

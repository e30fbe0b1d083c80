import os
import signal
import subprocess
import sys
import threading
import time

from alliances.lib.supervise import supervise

PY = sys.executable


def sleeper(seconds: float = 30) -> list[str]:
    return [PY, "-c", f"import time; time.sleep({seconds})"]


def exits_with(code: int, after: float = 0.2) -> list[str]:
    return [PY, "-c", f"import sys, time; time.sleep({after}); sys.exit({code})"]


def test_it_stops_the_others_when_one_dies_and_reports_its_status():
    started = time.monotonic()
    assert supervise([sleeper(), exits_with(3)]) == 3
    assert time.monotonic() - started < 10  # the sleeper was terminated, not waited for


def test_it_treats_a_clean_exit_of_a_child_as_a_failure():
    assert supervise([sleeper(), exits_with(0)]) == 1


def test_it_forwards_a_stop_signal_once_and_returns_zero(tmp_path):
    # The child counts the SIGTERMs it receives and exits cleanly on the first one.
    marker = tmp_path / "signals"
    child = [PY, "-c", (
        "import signal, sys, time\n"
        f"def stop(*_):\n    open({str(marker)!r}, 'a').write('TERM\\n'); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "time.sleep(30)\n"
    )]
    threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
    assert supervise([child, child], grace=5) == 0
    assert marker.read_text().splitlines() == ["TERM", "TERM"]  # once per child


def test_it_kills_a_child_that_ignores_termination():
    stubborn = [PY, "-c", (
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\ntime.sleep(60)"
    )]
    started = time.monotonic()
    assert supervise([stubborn, exits_with(2, after=1.0)], grace=0.5) == 2
    assert time.monotonic() - started < 10


def test_it_restores_the_previous_signal_handlers():
    before = signal.getsignal(signal.SIGTERM)
    supervise([exits_with(0, after=0)])
    assert signal.getsignal(signal.SIGTERM) is before


def test_children_run_in_their_own_process_group():
    # A terminal's Ctrl-C goes to the foreground group only: the supervisor then forwards it.
    probe = [PY, "-c", "import os, sys; sys.exit(0 if os.getpgrp() == os.getpid() else 5)"]
    assert supervise([probe]) == 1  # exited 0 on its own: in its own group
    assert subprocess.run(probe, check=False).returncode == 5

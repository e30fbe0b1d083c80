"""Helpers for the tests that run the task worker or an import in a real child process on
this test's database, and kill it: the child needs the database's address, and an in-memory
SQLite test database has none.

`shared_database` gives the environment for such a child. On PostgreSQL it names the test
database. On SQLite (an in-memory test database unless SQLITE_TEST_NAME says otherwise) it
copies the migrated test database into a file and points this process's connection at that
file too, for the test's duration, so that the test and the child see the same rows; the
in-memory database is left untouched underneath and given back at the end.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a child process that uses this test's database (module doc).
    Needs a transactional test: the child only sees committed rows."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "alliances.settings"
    env["ALLIANCES_VAR_DIR"] = str(tmp_path / "var")  # media there: see media_root()
    settings_dict = connection.settings_dict
    if connection.vendor != "sqlite":
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
        yield env
        return
    if not connection.is_in_memory_db():
        env["DATABASE_URL"] = f"sqlite:///{settings_dict['NAME']}"
        yield env
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    in_memory, name = connection.connection, settings_dict["NAME"]
    connection.connection = None  # the next query opens the file
    settings_dict["NAME"] = str(path)
    env["DATABASE_URL"] = f"sqlite:///{path}"
    try:
        yield env
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.connection = in_memory


def media_root(tmp_path: Path) -> Path:
    """Where a child started with shared_database's environment keeps its media."""
    return tmp_path / "var" / "media"


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`alliances <command>` in a session of its own (kill_hard kills its children too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "alliances", *command], env=env, start_new_session=True,
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the process and every process of its session: nothing gets to clean up."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition: Callable[[], bool], *, process: subprocess.Popen, log: Path,
             timeout: float = 60, every: float = 0.05) -> None:
    """Poll `condition` until it holds; fail with the child's output if it exits or time
    runs out first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the child exited ({process.returncode}) first:\n"
                                 f"{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            kill_hard(process)
            raise AssertionError(f"timed out:\n{log.read_text()[-3000:]}")
        time.sleep(every)

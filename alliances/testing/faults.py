"""Faults for tests: a database that stops answering, for real."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def database_unavailable() -> Iterator[None]:
    """While inside, the default database fails the way it fails in production.

    PostgreSQL: the connection is closed and pointed at a port nothing listens on, so the
    next query's connection is refused (as while the server restarts). SQLite has no server
    to lose: another connection holds the database's write lock, so every read of a table
    fails with "database table is locked" (the shared in-memory test database reports it at
    once, without waiting). On leaving, the database is back; the test's next request must
    find it by itself.
    """
    if connection.vendor == "postgresql":
        original = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="9")  # discard port
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(original)
        return
    if connection.vendor != "sqlite":
        raise NotImplementedError(connection.vendor)
    name = connection.settings_dict["NAME"]  # the test database's, in a test
    if not connection.is_in_memory_db():
        raise NotImplementedError("a file database would wait for its lock: use the "
                                  "in-memory test database")
    holder = sqlite3.connect(name, uri=True, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()

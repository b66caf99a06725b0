"""Work on the machine's other core, for the long background runs (a whole-city screening):
:func:`alongside` runs a database read on a connection of its own in a thread (the server works
while this process reads other things), and :func:`apart` forks a child that computes while
this process goes on (reading and writing the database), and hands back a function that waits
for the child's result.

The child shares this process's memory as it was at the fork (copy-on-write), so the
computation needs no arguments sent over; it must not touch the database, files or sockets
(it computes and returns a picklable value). The child ends with ``os._exit`` (multiprocessing's
fork start method), so the connections it inherited are never closed or used by it. Where fork
is missing the computation runs here, when asked for; a child that dies or raises makes the
computation run here too, so an error surfaces in this process with its own traceback."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connections

from kechuang.core.forking import own_streams

T = TypeVar("T")
log = logging.getLogger(__name__)


def apart(compute: Callable[[], T]) -> Callable[[], T]:
    """Start ``compute`` in a forked child; the returned function waits for its result."""
    if not hasattr(os, "fork"):
        return compute
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(compute, sender), daemon=True)
    process.start()
    sender.close()

    def result() -> T:
        try:
            status, value = receiver.recv()  # before join: a large answer fills the pipe
        except EOFError:
            status, value = "error", "the child process ended without an answer"
        finally:
            receiver.close()
            process.join()
        if status == "ok":
            return value
        log.warning("computation apart failed (%s); computing it here", value)
        return compute()

    return result


def alongside(read: Callable[[], T], using: str = "default") -> Callable[[], T]:
    """Run the database read ``read`` in a thread, on a connection of its own, while this
    thread goes on; the returned function waits for its result (or raises its error).

    Pays where the database server does the work (PostgreSQL: its own process, the other
    core) and the caller has other reads to make meanwhile. Only outside a transaction: a
    connection of its own sees only what is committed, so inside one (a caller's, a test's)
    and on SQLite (the work is this process's own) ``read`` runs here when asked for."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return read
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = read()
        except BaseException as error:  # raised in the caller's thread by the waiter
            box["error"] = error
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name="kechuang-read", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return result


def _child(compute: Callable[[], Any], sender: Any) -> None:
    own_streams()  # and ends with os._exit once the answer is sent: no exit-time flush
    try:
        answer: tuple[str, Any] = ("ok", compute())
    except BaseException as error:  # the parent recomputes and raises it with its traceback
        answer = ("error", repr(error))
    try:
        sender.send(answer)
        sender.close()
    finally:
        os._exit(0)

"""Pure computation on the machine's other core, for the long background runs (a whole-city
screening): :func:`apart` forks a child that computes while this process goes on (reading and
writing the database), and hands back a function that waits for the child's result.

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
from collections.abc import Callable
from typing import Any, TypeVar

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


def _child(compute: Callable[[], Any], sender: Any) -> None:
    try:
        answer: tuple[str, Any] = ("ok", compute())
    except BaseException as error:  # the parent recomputes and raises it with its traceback
        answer = ("error", repr(error))
    sender.send(answer)
    sender.close()

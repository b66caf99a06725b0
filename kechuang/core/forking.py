"""What a forked child sets up first (the standard library only, so the pure engines use it
too): :func:`core.parallel.apart`'s child and the matching index builder's pool workers."""

from __future__ import annotations

import os
import signal
import sys


def own_streams() -> None:
    """In a forked child (``apart``'s, a multiprocessing pool's worker: its initializer): its
    own stdout and stderr, and the default action of SIGTERM and SIGINT. The inherited streams
    may have been locked by another thread of the parent at the fork (their locks are not reset
    in the child): a child writing to them (a library's log, the exit-time flush) would wait
    forever. A handler the parent installed (a task worker's graceful shutdown sets a flag and
    goes on) would keep a pool's terminate() from ending an idle worker."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the child's, for its whole life
    sys.stderr = sys.stdout
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)

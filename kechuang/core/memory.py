"""Python's cyclic garbage collector paused while a large import or a whole-city screening
run works on its rows.

An import of 100,000 rows holds a few million small objects (cells, parsed values, model
instances, audit changes) that live until it ends and form no reference cycles worth
collecting; the collector would walk all of them again and again as they are allocated — a
third of a large import's CPU time. Paused for the duration (reference counting still frees
everything as usual), resumed as soon as the outermost import ends, even on an error.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nested or in several threads at once: it
    resumes when the last block ends, and only if it was enabled before the first began)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

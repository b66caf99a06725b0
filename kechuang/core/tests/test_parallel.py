"""core.parallel.apart: the computation runs in another process and its answer comes back;
a computation that fails there is done again here, so its error surfaces in this process."""

from __future__ import annotations

import os

import pytest

from kechuang.core.parallel import apart


def test_the_answer_comes_from_another_process() -> None:
    here = os.getpid()
    big = list(range(200_000))  # more than a pipe's buffer: read before the child is joined
    wait = apart(lambda: (os.getpid(), sum(big), big))
    pid, total, back = wait()
    assert pid != here
    assert total == sum(big) and back == big


def test_a_failure_there_is_raised_here() -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(os.getpid())
        raise ValueError("算不出来")

    wait = apart(compute)
    with pytest.raises(ValueError, match="算不出来"):
        wait()
    assert calls == [os.getpid()]  # the child's own call happened in the child's memory

"""The all-or-nothing commit every import shares: only a clean report, only by the user who
validated it, in one transaction; a collision with data changed since validation rolls back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.db import IntegrityError, transaction

from kechuang.core.imports.errors import ImportRefused, RowError
from kechuang.core.memory import collector_paused

T = TypeVar("T")

CHANGED_SINCE_VALIDATION = (
    "导入失败，未写入任何数据：校验之后库中数据已被他人修改（如新增了相同的记录）。"
    "请重新上传校验后再导入。"
)


class Validated(Protocol):
    errors: list[RowError]
    user_id: int | None


def check_committable(report: Validated, user: Any) -> None:
    """Raise ImportRefused unless `report` is clean and was validated by `user`."""
    if report.errors:
        raise ImportRefused(
            f"校验发现 {len(report.errors)} 处错误，未导入任何数据；请修改后重新上传。"
        )
    if report.user_id != getattr(user, "pk", None):
        raise ImportRefused("只能由校验该文件的用户确认导入，请重新上传校验。")


def commit_all(report: Validated, user: Any, write: Callable[[], T]) -> T:
    """Run `write` (which writes every row of `report`) in one transaction, or nothing."""
    check_committable(report, user)
    try:
        with collector_paused(), transaction.atomic():
            return write()
    except IntegrityError as error:
        raise ImportRefused(CHANGED_SINCE_VALIDATION) from error

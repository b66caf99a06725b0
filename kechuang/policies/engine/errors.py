"""The one error the engine raises: Chinese messages keyed by the field they concern."""

from __future__ import annotations


class PolicyRuleError(ValueError):
    """A policy document (or a parameter) was refused; `errors` maps a field path such as
    `conditions[2].value` or `amount.cap` to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("；".join(f"{k}：{m}" for k, ms in errors.items() for m in ms))

    @classmethod
    def on(cls, field: str, message: str) -> PolicyRuleError:
        return cls({field: [message]})

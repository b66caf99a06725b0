"""The one error the programmes engine raises: Chinese messages keyed by the field they concern."""

from __future__ import annotations


class ProgramRuleError(ValueError):
    """A rule refused the input; `errors` maps a field name to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("；".join(m for messages in errors.values() for m in messages))

    @classmethod
    def on(cls, field: str, message: str) -> ProgramRuleError:
        return cls({field: [message]})

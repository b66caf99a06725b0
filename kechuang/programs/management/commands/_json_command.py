"""The shared body of the programmes' JSON commands: read a file (or standard input), run a pure
engine function, write JSON. No database."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from kechuang.programs.engine.errors import ProgramRuleError


def run(source: str, engine: Callable[[Any], dict[str, Any]]) -> str:
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"无法读取输入文件 {source}：{error.strerror}") from error
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"输入文件不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列"
        ) from error
    try:
        result = engine(data)
    except ProgramRuleError as error:
        raise CommandError(str(error)) from error
    return json.dumps(result, ensure_ascii=False, indent=2)

"""Reading a policy document from YAML or JSON text (JSON is YAML, so one reader serves both)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import PolicyRuleError
from .rules import Policy, parse_policy


def read_document(text: str) -> dict[str, Any]:
    """The document in `text` (YAML or JSON), or PolicyRuleError naming the line at fault."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "文本"
        raise PolicyRuleError.on(
            "document", f"{where}无法解析：请检查缩进、冒号和引号。"
        ) from error
    if not isinstance(document, dict):
        raise PolicyRuleError.on("document", "政策文件应为一个对象（YAML 映射或 JSON 对象）。")
    return document


def load_policy(text: str) -> Policy:
    return parse_policy(read_document(text))


def load_file(path: Path) -> tuple[dict[str, Any], Policy]:
    document = read_document(path.read_text(encoding="utf-8"))
    return document, parse_policy(document)

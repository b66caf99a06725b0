"""The dependency rule, checked on the source: `core` ← `accounts` ← `registry` ← the domain apps
← `site` (the composition of the whole site), with the project files (settings, root URLconf,
conftest) above them all.

- An app never imports an app above it.
- Across apps, an app uses another only through its public face: `models` (for foreign keys and
  choices), `selectors` (reads), `services` (writes), `filters` and `engine` (pure code); `core`
  is the shared library and is open to all. `site` composes the apps and may import any part.
- The domain apps import each other without a cycle.
- No import inside a function (the usual way to dodge a cycle), except `AppConfig.ready`, which
  Django asks to connect signal receivers from.

Tests and migrations are not checked (fixtures import models lazily on purpose, so the pure
engine tests run without Django).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]  # kechuang/
LAYERS = {"core": 0, "accounts": 1, "registry": 2, "site": 4}
DOMAIN_LAYER = 3  # monitoring, cultivation and every app to come
PROJECT_LAYER = 5  # kechuang/settings.py, urls.py, wsgi.py, conftest.py
PUBLIC_PARTS = {"models", "selectors", "services", "filters", "engine"}


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "kechuang" or len(parts) < 2:
        return None
    return parts[1]


def _layer(app: str) -> int:
    if (PACKAGE / app).is_dir():
        return LAYERS.get(app, DOMAIN_LAYER)
    return PROJECT_LAYER


def _sources() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "conftest.py"
    )


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = module.split(".")[: -node.level or None]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if node.module is None or target.count(".") < 2:
                # `from kechuang.registry import selectors`: the names are the modules
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return [(line, name) for line, name in found if name.startswith("kechuang.")]


def _local_imports(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name == "ready":
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom) and any(
                (alias.name if isinstance(inner, ast.Import) else inner.module or "").startswith(
                    "kechuang"
                )
                for alias in inner.names
            ):
                lines.append(inner.lineno)
    return sorted(set(lines))


def _violations() -> tuple[list[str], dict[str, set[str]]]:
    problems: list[str] = []
    peers: dict[str, set[str]] = defaultdict(set)
    for path in _sources():
        module = _module_name(path)
        source_app = _app_of(module) or ""
        source_layer = _layer(source_app)
        where = path.relative_to(PACKAGE.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line in _local_imports(tree):
            problems.append(f"{where}:{line}: 函数内的导入（用来绕开循环依赖？）")
        for line, target in _imports(tree, module):
            target_app = _app_of(target)
            if target_app is None or target_app == source_app:
                continue
            target_layer = _layer(target_app)
            if source_layer == PROJECT_LAYER:
                continue
            if target_layer > source_layer:
                problems.append(f"{where}:{line}: {source_app} 不得导入上层的 {target}")
                continue
            part = target.split(".")[2] if target.count(".") >= 2 else ""
            if target_app != "core" and source_app != "site" and part not in PUBLIC_PARTS:
                problems.append(
                    f"{where}:{line}: {target} 不是 {target_app} 的公开部分"
                    f"（{', '.join(sorted(PUBLIC_PARTS))}）"
                )
            if source_layer == target_layer == DOMAIN_LAYER:
                peers[source_app].add(target_app)
    return problems, peers


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_imports_follow_the_layers_and_the_public_parts() -> None:
    problems, _ = _violations()
    assert problems == [], "违反依赖规则的导入：\n" + "\n".join(problems)


def test_domain_apps_import_each_other_without_a_cycle() -> None:
    _, peers = _violations()
    assert _cycle(peers) is None, f"应用之间的循环依赖：{' → '.join(_cycle(peers) or [])}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from kechuang.registry.models import Area\n", []),
        ("from kechuang.site.api import api\n", ["不得导入上层"]),
        ("from kechuang.registry.excel import importer\n", ["不是 registry 的公开部分"]),
        ("def f():\n    from kechuang.core import audit\n", ["函数内的导入"]),
    ],
)
def test_the_checker_itself_catches_each_kind_of_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: list[str]
) -> None:
    app = tmp_path / "kechuang" / "monitoring"
    app.mkdir(parents=True)
    for name in ("core", "registry", "site"):
        (tmp_path / "kechuang" / name).mkdir()
    (app / "views.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(
        __import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", tmp_path / "kechuang"
    )
    problems, _ = _violations()
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


def test_the_cycle_finder_reports_the_loop() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None

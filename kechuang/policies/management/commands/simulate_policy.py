"""manage.py simulate_policy FILE --year YYYY [--set PATH=VALUE ...]: what a (draft) policy in a
YAML/JSON file would reach and cost over the actual confirmed registry, as JSON, with the seconds
it took; with --set, the comparison after the changed parameters. Stores nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.policies import selectors
from kechuang.policies.engine import PolicyRuleError, parse_policy, read_document, summarise
from kechuang.policies.engine.rules import needs_of
from kechuang.policies.engine.simulate import Summary, compare, with_changes


def _summary(s: Summary) -> dict[str, Any]:
    return {
        "evaluated": s.evaluated,
        "eligible": s.eligible,
        "near_miss": s.near_miss,
        "total": str(s.total),
        "by_area": {k: [g.count, str(g.total)] for k, g in sorted(s.by_area.items())},
        "by_size": {k: [g.count, str(g.total)] for k, g in sorted(s.by_size.items())},
    }


class Command(BaseCommand):
    help = "测算政策（草案）在现有已确认数据上的覆盖面与成本，可调整参数比较；不改动任何记录。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="政策规则文件（YAML 或 JSON）")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--set", action="append", default=[], help="参数调整，如 amount.cap=300000"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        changes = {}
        for item in options["set"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"参数调整“{item}”应写成 路径=数值，如 amount.cap=300000。")
            changes[key.strip()] = value.strip()
        started = time.perf_counter()
        try:
            document = read_document(path.read_text(encoding="utf-8"))
            needs = needs_of(parse_policy(document))
            if changes:
                needs = needs | needs_of(parse_policy(with_changes(document, changes)))
            facts = selectors.registry_facts(options["year"], needs=needs)
            loaded = time.perf_counter()
            if changes:
                result = compare(document, changes, facts, options["year"])
                answer = {"before": _summary(result.before), "after": _summary(result.after)}
                answer |= {"gained": len(result.gained), "lost": len(result.lost)}
            else:
                answer = {"before": _summary(summarise(document, facts, options["year"]))}
        except PolicyRuleError as error:
            raise CommandError(str(error)) from error
        answer["seconds"] = {
            "facts": round(loaded - started, 2),
            "evaluation": round(time.perf_counter() - loaded, 2),
        }
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))

"""manage.py import_qualification_list FILE --kind HNTE [--issuer-level national]
[--issuer NAME] [--issued-on YYYY-MM-DD] [--dry-run] [--unmatched OUT.csv]"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import audit_context
from kechuang.registry.models import IssuerLevel, QualificationKind
from kechuang.registry.services.official_list import OUTCOMES, ListOptions, ListReport, import_list


class Command(BaseCommand):
    help = (
        "导入官方认定名单/入库名单（.xlsx 或 .csv：企业名称、统一社会信用代码、证书编号、"
        "认定日期），"
        "按信用代码、再按名称匹配单位，新增或核验资质；重复导入不产生重复记录。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="名单文件（.xlsx 或 .csv）")
        parser.add_argument(
            "--kind", required=True, help="资质类型：" + "、".join(QualificationKind.values)
        )
        parser.add_argument(
            "--issuer-level", default=IssuerLevel.NATIONAL, choices=IssuerLevel.values
        )
        parser.add_argument("--issuer", default="", help="认定机构，如 河南省科学技术厅")
        parser.add_argument("--issued-on", help="名单没有“认定日期”列时的认定日期 YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="只匹配并统计，不写入")
        parser.add_argument(
            "--unmatched",
            help="未匹配、匹配到多个单位或有误的行写入该 CSV（默认：名单旁 *.unmatched.csv）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        issued_on = None
        if options["issued_on"]:
            try:
                issued_on = dt.date.fromisoformat(options["issued_on"])
            except ValueError:
                raise CommandError(
                    f"--issued-on“{options['issued_on']}”不是 YYYY-MM-DD 格式的日期。"
                ) from None
        if options["kind"] not in QualificationKind.values:
            raise CommandError(
                f"--kind“{options['kind']}”无效：应为 "
                + "、".join(QualificationKind.values)
                + " 之一。"
            )
        list_options = ListOptions(
            kind=options["kind"],
            issuer_level=options["issuer_level"],
            issuer=options["issuer"],
            issued_on=issued_on,
            dry_run=options["dry_run"],
        )
        with audit_context(label=f"manage.py import_qualification_list（{path.name}）"):
            report = import_list(None, path.read_bytes(), list_options, filename=path.name)
        if report.errors:
            for error in report.errors:
                self.stderr.write(f"【{error.column_header}】{error.problem} 修改建议：{error.fix}")
            sys.exit(1)
        self._print(report)
        self._write_problems(
            report, Path(options["unmatched"] or path.with_suffix(".unmatched.csv"))
        )

    def _print(self, report: ListReport) -> None:
        counts = report.counts
        parts = "，".join(f"{OUTCOMES[k]} {n}" for k, n in counts.items())
        self.stdout.write(f"共 {len(report.rows)} 行：匹配 {report.matched}（{parts}）。")
        if report.dry_run:
            self.stdout.write("试运行（--dry-run），未写入任何数据。")

    def _write_problems(self, report: ListReport, out: Path) -> None:
        problems = report.problem_rows()
        if not problems:
            return
        with out.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["行号", "企业名称", "统一社会信用代码", "证书编号", "认定日期", "结果", "说明"]
            )
            for r in problems:
                writer.writerow(
                    [
                        r.number,
                        r.name,
                        r.uscc,
                        r.certificate_no,
                        r.issued_on or "",
                        r.outcome_zh,
                        r.note,
                    ]
                )
        self.stdout.write(f"未匹配或有误的 {len(problems)} 行已写入 {out}。")

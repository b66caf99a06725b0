from typing import Any

from django.core.management.base import BaseCommand

from kechuang.core.audit import audit_context
from kechuang.registry.services import REFERENCE_FILE, load_reference


class Command(BaseCommand):
    help = "载入南阳市参考数据（区域、产业、高新技术领域）；重复运行不会产生变化。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", default=str(REFERENCE_FILE), help="参考数据 YAML 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(label="manage.py load_reference"):
            report = load_reference(options["file"])
        if not report.changed:
            self.stdout.write("参考数据已是最新，无变化。")
            return
        for label, bucket in (("新增", report.created), ("更新", report.updated)):
            for model, count in bucket.items():
                self.stdout.write(f"{label} {model} {count} 条")

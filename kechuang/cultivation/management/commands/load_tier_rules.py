from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import audit_context
from kechuang.cultivation.engine.tiers import RuleError
from kechuang.cultivation.services import TIER_RULES_FILE, load_tier_rules


class Command(BaseCommand):
    help = (
        "载入梯度培育标准与高企后备库分级规则（data/cultivation/tier-rules.yaml）；"
        "已有的规则保留局方的修改，除非加 --overwrite。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", default=str(TIER_RULES_FILE), help="规则 YAML 文件")
        parser.add_argument("--overwrite", action="store_true", help="用文件内容覆盖已有规则")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(label="manage.py load_tier_rules"):
            try:
                counts = load_tier_rules(options["file"], overwrite=options["overwrite"])
            except FileNotFoundError as error:
                raise CommandError(f"找不到规则文件：{options['file']}") from error
            except RuleError as error:
                raise CommandError("规则文件有误：\n" + "\n".join(error.errors)) from error
        self.stdout.write(
            f"梯度培育规则：新增 {counts['created']}，更新 {counts['updated']}，"
            f"保留 {counts['kept']}"
        )

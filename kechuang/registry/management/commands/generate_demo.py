"""`manage.py generate_demo --scale S --seed N [--replace]`: the synthetic Nanyang ecosystem."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.audit import audit_context
from kechuang.registry.synthetic.writer import DemoDataExists, write_ecosystem

DEFAULT_SEED = 20220802  # the plan's date (宛政办〔2022〕52号 issued 2022-08)


class Command(BaseCommand):
    help = (
        "生成合成的南阳创新生态演示数据（名称均为虚构并标注“（演示）”）。"
        "--scale 1 约 2000 家单位，--scale 100 约 20 万家；同一 scale 与 seed 生成的数据完全相同。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="规模系数（可为小数）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument("--replace", action="store_true", help="先删除已有的全部演示数据再生成")

    def handle(self, *args: Any, **options: Any) -> None:
        scale, seed = options["scale"], options["seed"]
        if scale <= 0:
            raise CommandError("--scale 须大于 0。")
        label = f"manage.py generate_demo --scale {scale:g} --seed {seed}"
        try:
            with audit_context(label=label):
                report = write_ecosystem(
                    scale, seed, replace=options["replace"], progress=self.stdout.write
                )
        except (DemoDataExists, ValueError) as error:
            raise CommandError(str(error)) from error
        if report.deleted:
            self.stdout.write(
                f"已删除原有演示数据：{report.deleted.get('organizations', 0)} 家单位。"
            )
        self.stdout.write(self.style.SUCCESS(report.summary()))
        self.stdout.write(f"用时 {report.seconds} 秒。")

"""Delete abandoned staged uploads (older than a day by default) and old job result files.

Run it periodically, e.g. from cron every hour:
    0 * * * *  cd /srv/kechuang && .venv/bin/python manage.py purge_staged_uploads
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kechuang.core.imports import staging
from kechuang.core.jobs.services import purge_files


class Command(BaseCommand):
    help = "删除超过一天未提交的暂存上传文件，以及超过 7 天的后台任务结果文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=24.0, help="暂存文件保留小时数")
        parser.add_argument("--job-days", type=int, default=7, help="任务结果文件保留天数")

    def handle(self, *args: Any, **options: Any) -> None:
        files, size = staging.purge(options["hours"] * 3600)
        results = purge_files(options["job_days"])
        self.stdout.write(
            f"已删除暂存上传文件 {files} 个（{size / 1024 / 1024:.1f} MB），"
            f"过期任务结果文件 {results} 个。"
        )

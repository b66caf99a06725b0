"""Demo data for `make demo`: the synthetic Nanyang ecosystem (scale 1) and one account per role.

The organizations come from `manage.py generate_demo` (kechuang/registry/synthetic): invented
names ending in “（演示）”, every row flagged `is_demo`. This command generates them only when
no demo data exists yet, so re-running it is fast; `--accounts-only` skips generation entirely.
The credentials are written to var/demo-credentials.txt (created once, reused) and printed.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kechuang.accounts.models import User
from kechuang.contracts import services as contract_services
from kechuang.contracts.synthetic import demo_contract_count, write_demo_contracts
from kechuang.core.audit import audit_context
from kechuang.core.roles import Role
from kechuang.market.synthetic import demo_market_count, write_demo_market
from kechuang.policies.synthetic import demo_policy_count, write_demo_policies
from kechuang.programs.synthetic import demo_program_count, link_demo_expert, write_demo_programs
from kechuang.projects.synthetic import demo_project_count, write_demo_projects
from kechuang.registry.management.commands.generate_demo import DEFAULT_SEED
from kechuang.registry.models import Area, Organization, OrganizationKind
from kechuang.registry.synthetic.writer import demo_organization_count, write_ecosystem

CREDENTIALS_FILE = settings.VAR_DIR / "demo-credentials.txt"


def demo_password(path: Path = CREDENTIALS_FILE) -> str:
    """The demo password: generated once per checkout, then reused so re-runs stay stable."""
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("password="):
                return line.split("=", 1)[1]
    password = "Kc-" + secrets.token_urlsafe(9) + "9a"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"password={password}\n", encoding="utf-8")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = (
        "载入演示数据：合成的南阳创新生态（规模 1，名称均为虚构并标注“（演示）”，已有则跳过）"
        "和各角色的演示账户。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="演示数据规模系数")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--accounts-only", action="store_true", help="只创建演示账户，不生成演示数据"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Area.objects.exists():
            raise CommandError("请先运行 manage.py load_reference 载入参考数据。")
        with audit_context(label="manage.py load_demo"):
            if options["accounts_only"]:
                self.stdout.write("只创建演示账户（--accounts-only）。")
            elif existing := demo_organization_count():
                self.stdout.write(f"演示数据已存在（{existing} 家演示单位），跳过生成。")
            else:
                report = write_ecosystem(options["scale"], options["seed"])
                self.stdout.write(report.summary())
            if not options["accounts_only"]:
                self.load_contracts(options["scale"], options["seed"])
                self.load_programs(options["seed"])
                self.load_market(options["seed"])
            with transaction.atomic():
                accounts = self.create_accounts()
            if not options["accounts_only"]:
                # the plan's figures (published and 演示数据), the example 免申即享 policies
                # computed, and the demo expert in the programmes' expert pool
                call_command("load_demo_observations", skip_without_plan=True, stdout=self.stdout)
                self.load_policies()
                link_demo_expert(User.objects.filter(username="expert").first())
                self.load_projects()
        self.stdout.write("演示账户（密码相同）：")
        for username, label in accounts:
            self.stdout.write(f"  {username:<14} {label}")
        self.stdout.write(f"  密码：{demo_password()}")

    def load_contracts(self, scale: float, seed: int) -> None:
        """The holiday calendar and the synthetic technology contracts (once)."""
        contract_services.load_calendar(settings.DATA_DIR / "contracts" / "holidays.yaml")
        if existing := demo_contract_count():
            self.stdout.write(f"演示技术合同已存在（{existing} 份），跳过生成。")
            return
        self.stdout.write(write_demo_contracts(scale, seed).summary())

    def load_policies(self) -> None:
        """The example policies computed over the demo registry (once), by the demo accounts."""
        if existing := demo_policy_count():
            self.stdout.write(f"演示政策已存在（{existing} 项），跳过生成。")
            return
        staff = User.objects.get(username="city_staff")
        enterprise = User.objects.filter(username="enterprise").first()
        with transaction.atomic():
            report = write_demo_policies(settings.DATA_DIR / "policies", staff, enterprise)
        self.stdout.write(report.summary())

    def load_programs(self, seed: int) -> None:
        """The synthetic programmes, calls, bids, expert pool and reviews (once)."""
        if existing := demo_program_count():
            self.stdout.write(f"演示科技计划已存在（{existing} 个计划），跳过生成。")
            return
        self.stdout.write(write_demo_programs(seed).summary())

    def load_projects(self) -> None:
        """The demo awards as projects at every stage (once), by the city staff account."""
        if existing := demo_project_count():
            self.stdout.write(f"科技项目演示数据已存在（{existing} 个项目），跳过生成。")
            return
        staff = User.objects.get(username="city_staff")
        self.stdout.write(write_demo_projects(staff).summary())

    def load_market(self, seed: int) -> None:
        """The technology market's demo listings, people, lists and matches (once)."""
        if existing := demo_market_count():
            self.stdout.write(f"科技大市场演示数据已存在（{existing} 条需求），跳过生成。")
            return
        self.stdout.write(write_demo_market(seed).summary())

    def create_accounts(self) -> list[tuple[str, str]]:
        password = demo_password()
        wolong = Area.objects.get(name="卧龙区")
        enterprise = Organization.objects.filter(
            is_demo=True, kind=OrganizationKind.ENTERPRISE, area=wolong
        ).first()
        institution = (
            Organization.objects.filter(is_demo=True)
            .exclude(kind=OrganizationKind.ENTERPRISE)
            .first()
        )
        specs = [
            (
                "admin",
                "市科技局管理员（超级用户）",
                {"role": Role.CITY_ADMIN, "is_staff": True, "is_superuser": True},
            ),
            ("city_staff", "市科技局工作人员", {"role": Role.CITY_STAFF}),
            ("wolong_staff", "县区工作人员 · 卧龙区", {"role": Role.COUNTY_STAFF, "area": wolong}),
            (
                "enterprise",
                f"企业用户 · {enterprise}",
                {"role": Role.ENTERPRISE, "organization": enterprise},
            ),
            (
                "institution",
                f"高校院所用户 · {institution}",
                {"role": Role.INSTITUTION, "organization": institution},
            ),
            ("expert", "评审专家", {"role": Role.EXPERT}),
        ]
        # Without demo organizations (--accounts-only on an empty registry) the two accounts
        # bound to an organization cannot exist yet.
        specs = [s for s in specs if "organization" not in s[2] or s[2]["organization"]]
        for username, label, fields in specs:
            user = User.objects.filter(username=username).first() or User(username=username)
            for name, value in fields.items():
                setattr(user, name, value)
            user.display_name = user.display_name or f"演示{label.split(' ')[0]}"
            if not user.check_password(password):
                user.set_password(password)
            user.full_clean(exclude=["password"])
            user.save()
        return [(u, label) for u, label, _ in specs]

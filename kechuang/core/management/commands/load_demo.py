"""Synthetic, deterministic demo data: invented organizations and one account per role.

Every organization is flagged `is_demo` and its name ends in "（演示）"; none is a real body.
The credentials are written to var/demo-credentials.txt (created once, reused) and printed.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kechuang.accounts.audit import audit_context
from kechuang.accounts.models import User
from kechuang.accounts.roles import Role
from kechuang.registry.engine.uscc import ALPHABET, check_character
from kechuang.registry.models import (
    Area,
    IndustryChain,
    Organization,
    OrganizationKind,
    SizeClass,
    TechField,
)

PREFIXES = [
    "宛科",
    "伏牛",
    "白河",
    "卧岗",
    "丹江",
    "仲景湾",
    "独山",
    "淯水",
    "桐柏岭",
    "菊潭",
    "穰城",
    "涅阳",
]
WORDS = {
    "equipment": ["智能装备", "电机科技", "精工机械"],
    "food": ["食品科技", "粮油工贸", "生物食品"],
    "electronics": ["光电科技", "传感技术", "信息技术"],
    "biomedicine": ["药业", "生物医药", "医疗器械"],
    "materials": ["新材料", "超硬材料", "功能材料"],
    "new_energy": ["新能源", "储能科技", "绿能科技"],
}
FIELD_FOR = {
    "equipment": "08",
    "food": "02",
    "electronics": "01",
    "biomedicine": "02",
    "materials": "04",
    "new_energy": "06",
}
CREDENTIALS_FILE = settings.VAR_DIR / "demo-credentials.txt"


def demo_uscc(rng: random.Random, division: str) -> str:
    body = "91" + division + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


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
    help = "载入合成的演示数据（单位名称均为虚构并标注“演示”）和各角色的演示账户。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organizations", type=int, default=120, help="演示单位数量")
        parser.add_argument("--seed", type=int, default=20220802)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not Area.objects.exists():
            self.stderr.write("请先运行 manage.py load_reference 载入参考数据。")
            raise SystemExit(1)
        with audit_context(label="manage.py load_demo"):
            created = self.create_organizations(options["organizations"], options["seed"])
            accounts = self.create_accounts()
        self.stdout.write(f"演示单位：新增 {created} 家（均为虚构名称，标注“演示”）。")
        self.stdout.write("演示账户（密码相同）：")
        for username, label in accounts:
            self.stdout.write(f"  {username:<14} {label}")
        self.stdout.write(f"  密码：{demo_password()}")

    def create_organizations(self, count: int, seed: int) -> int:
        rng = random.Random(seed)
        counties = list(Area.objects.exclude(parent=None).order_by("sort_order"))
        leading = {i.code: i for i in IndustryChain.objects.filter(parent=None, category="leading")}
        subs = list(IndustryChain.objects.exclude(parent=None).select_related("parent"))
        fields = {f.code: f for f in TechField.objects.all()}
        created = 0
        for n in range(count):
            area = counties[n % len(counties)]
            root = rng.choice(sorted(leading))
            industry = rng.choice([s for s in subs if s.parent.code == root] or [leading[root]])
            kind = (
                OrganizationKind.ENTERPRISE
                if n % 12
                else rng.choice(
                    [
                        OrganizationKind.UNIVERSITY,
                        OrganizationKind.RESEARCH_INSTITUTE,
                        OrganizationKind.HOSPITAL,
                    ]
                )
            )
            prefix = PREFIXES[n % len(PREFIXES)]
            name = f"{prefix}{rng.choice(WORDS[root])}{n + 1:03d}号有限公司（演示）"
            if kind != OrganizationKind.ENTERPRISE:
                name = f"{prefix}{kind.label}{n + 1:03d}（演示）"
            division = area.code if area.code.isdigit() else "411300"
            uscc = demo_uscc(rng, division)
            _, was_created = Organization.objects.get_or_create(
                name=name,
                defaults={
                    "uscc": uscc,
                    "kind": kind,
                    "area": area,
                    "industry": industry,
                    "tech_field": fields[FIELD_FOR[root]],
                    "founded_on": dt.date(
                        rng.randint(1998, 2023), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    "size_class": rng.choice(list(SizeClass.values)),
                    "is_above_designated_size": rng.random() < 0.35,
                    "address": f"{area.name}演示路 {rng.randint(1, 999)} 号",
                    "contact_name": "演示联系人",
                    "contact_phone": f"139{rng.randint(10_000_000, 99_999_999)}",
                    "is_demo": True,
                },
            )
            created += was_created
        return created

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

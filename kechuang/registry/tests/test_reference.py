"""Nanyang reference data: the area tree, the industries, the 8 high-tech fields; idempotent."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kechuang.conftest import shared_dir
from kechuang.core.models import AuditEntry
from kechuang.registry.models import Area, AreaKind, IndustryChain, TechField
from kechuang.registry.selectors import areas_for, working_areas
from kechuang.registry.services import load_reference

pytestmark = pytest.mark.django_db

COUNTIES = [
    "宛城区",
    "卧龙区",
    "南召县",
    "方城县",
    "西峡县",
    "镇平县",
    "内乡县",
    "淅川县",
    "社旗县",
    "唐河县",
    "新野县",
    "桐柏县",
    "邓州市",
]
ZONES = ["城乡一体化示范区", "高新区", "鸭河工区", "官庄工区"]


def test_area_tree_is_the_city_with_13_counties_and_4_functional_zones(reference: None) -> None:
    city = Area.objects.get(parent=None, kind=AreaKind.CITY)
    assert (city.name, city.code, city.path) == ("南阳市", "411300", "411300/")
    # The one other root is the benchmark area of 研发投入强度达到全省平均水平, outside the tree.
    henan = Area.objects.get(parent=None, kind=AreaKind.PROVINCE)
    assert (henan.name, henan.code, henan.path) == ("河南省", "410000", "410000/")
    assert list(Area.local().filter(parent=None)) == [city]
    children = Area.objects.filter(parent=city)
    assert sorted(
        children.exclude(kind=AreaKind.FUNCTIONAL_ZONE).values_list("name", flat=True)
    ) == sorted(COUNTIES)
    assert sorted(
        children.filter(kind=AreaKind.FUNCTIONAL_ZONE).values_list("name", flat=True)
    ) == sorted(ZONES)
    assert Area.objects.get(name="邓州市").kind == AreaKind.COUNTY_CITY
    assert Area.objects.get(name="卧龙区").path == "411300/411303/"


def test_industries_hold_the_six_plus_n_and_their_sub_industries(reference: None) -> None:
    top = IndustryChain.objects.filter(parent=None)
    leading = set(top.filter(category="leading").values_list("name", flat=True))
    assert leading == {"装备制造", "绿色食品", "电子信息", "生物医药", "新材料", "新能源"}
    assert set(top.filter(category="traditional").values_list("name", flat=True)) == {
        "现代化工",
        "轻工纺织",
        "冶金",
        "新型建材",
    }
    electronics = IndustryChain.objects.get(code="electronics")
    assert electronics.children.count() == 7
    assert IndustryChain.objects.get(name="超硬材料").parent.name == "新材料"
    assert IndustryChain.objects.get(name="防爆电气装备").source_section == "三（二）装备制造"
    assert "金刚石" in IndustryChain.objects.get(name="超硬材料").keywords


def test_the_eight_high_tech_fields(reference: None) -> None:
    assert list(TechField.objects.values_list("name", flat=True)) == [
        "电子信息",
        "生物与新医药",
        "航空航天",
        "新材料",
        "高技术服务",
        "新能源与节能",
        "资源与环境",
        "先进制造与自动化",
    ]


def test_loading_twice_changes_nothing(reference: None) -> None:
    audit_before = AuditEntry.objects.count()
    report = load_reference()
    assert not report.changed
    assert AuditEntry.objects.count() == audit_before


def test_loading_repairs_an_edited_row_and_audits_it(reference: None) -> None:
    Area.objects.filter(name="高新区").update(sort_order=99)
    report = load_reference()
    assert report.updated == {"区域": 1} and not report.created
    assert AuditEntry.objects.filter(object_repr="高新区", action="update").exists()


def test_command_reports_no_change_on_second_run(reference: None, capsys: Any) -> None:
    call_command("load_reference")
    assert "无变化" in capsys.readouterr().out


def test_reference_data_is_read_only_for_city_staff(client_for: Any, users: Any) -> None:
    from kechuang.core.scoping import can

    area = Area.objects.get(name="卧龙区")
    assert can(users["city_staff"], "view", area)
    assert not can(users["city_staff"], "change", area)
    assert can(users["city_admin"], "change", area)
    assert not can(None, "view", area)


SEED_PLAN = shared_dir() / "seeds" / "000_324e3a1b7a0f7509.txt"


def test_named_bodies_are_loaded_with_names_and_roles_only(reference: None) -> None:
    from kechuang.registry.models import NamedActor

    assert NamedActor.objects.count() >= 55
    lab = NamedActor.objects.get(name="张衡实验室")
    assert (lab.kind, lab.section, lab.role) == ("laboratory", "二（一）", "依托南阳理工学院筹建")
    assert NamedActor.objects.get(name="森霸传感科技股份有限公司").area.name == "社旗县"
    assert not NamedActor.objects.exclude(
        organization=None
    ).exists()  # never linked to invented records


@pytest.fixture
def seed_plan() -> Path:
    if not SEED_PLAN.exists():
        pytest.fail(
            f"the plan's text {SEED_PLAN} is missing: this test reads ../shared/seeds "
            "(the shared repository, cloned next to this checkout; or set KECHUANG_SHARED)",
            pytrace=False,
        )
    return SEED_PLAN


def test_every_named_body_from_the_plan_occurs_in_its_text(
    reference: None, seed_plan: Path
) -> None:
    from kechuang.registry.models import NamedActor

    text = SEED_PLAN.read_text(encoding="utf-8")
    missing = [a.name for a in NamedActor.objects.filter(seed="000") if a.name not in text]
    assert missing == []


def test_the_benchmark_province_is_never_offered_as_a_working_area(
    reference: None, users: dict[str, Any]
) -> None:
    for user in (None, users["city_staff"]):
        assert "河南省" not in {a.name for a in working_areas(user)}
    assert "河南省" not in {a.name for a in areas_for(users["city_staff"])}

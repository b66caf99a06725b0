"""Research integrity (科研诚信): a record in force blocks an application's submission, an award
and an expert's assignment, each with its message; a record out of its period, or revoked on
contest, blocks nothing; the organization contests its record; the provincial list is imported
all-or-nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook

from kechuang.programs import services as programs
from kechuang.programs.models import Assignment, Award
from kechuang.projects.tests.conftest import through_review
from kechuang.registry.models import IntegrityRecord
from kechuang.registry.selectors import integrity_in_force
from kechuang.registry.services import integrity

pytestmark = pytest.mark.django_db


def restrict(users: dict[str, Any], *, talent: Any = None, org: Any = None, **extra: Any) -> Any:
    today = timezone.localdate()
    data = {
        "talent": talent,
        "organization": org,
        "misconduct": "项目申报材料弄虚作假",
        "severity": "serious",
        "decision": "取消申报资格，三年内不得申报市级科技计划",
        "decided_by": "南阳市科学技术局",
        "decided_on": today - dt.timedelta(days=30),
        "excluded_from": today - dt.timedelta(days=30),
        "excluded_until": today + dt.timedelta(days=365 * 3),
        **extra,
    }
    return integrity.record(users["city_staff"], data)


def test_a_record_on_the_leader_blocks_submission(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    restrict(users, talent=programme["leader"], person_only=True)
    user = users["enterprise"]
    app = programs.create_application(user, programme["call"], bid_data)
    programs.add_attachment(user, app, "可行性研究报告", b"%PDF-1.4\n%%EOF\n", "可研.pdf")
    with pytest.raises(ValidationError) as error:
        programs.transition(user, app, "submit")
    message = error.value.message_dict["submitted_at"][0]
    assert message.startswith("不能提交申报：张负责因科研失信（较重，南阳市科学技术局")
    assert "限制期满或申诉成立后方可办理" in message
    app.refresh_from_db()
    assert app.phase == "draft"


def test_a_record_on_the_organization_blocks_the_award(
    users: dict[str, Any], orgs: dict[str, Any], in_review: Callable[..., Any]
) -> None:
    app = through_review(users, in_review())
    staff = users["city_staff"]
    restrict(users, org=orgs["wolong"])
    with pytest.raises(ValidationError) as error:
        programs.decide(staff, app, {"funded": True, "amount": "200", "reasons": "排名第一"})
    assert error.value.message_dict["funded"][0].startswith(
        "不能立项：卧龙测试企业（测试）因科研失信（较重"
    )
    assert Award.objects.count() == 0


def test_a_record_on_an_expert_blocks_the_assignment(
    users: dict[str, Any], programme: dict[str, Any], submitted: Callable[..., Any]
) -> None:
    staff = users["city_staff"]
    app = programs.transition(staff, submitted(), "pass_check", "齐全")
    expert = programme["experts"][0]
    restrict(users, talent=expert.talent, person_only=True)
    with pytest.raises(ValidationError) as error:
        programs.assign_manually(staff, app, expert)
    assert error.value.message_dict["expert"][0].startswith(
        "不能指定专家专家0评审：专家0因科研失信"
    )
    programs.auto_assign(staff, app.call)
    assigned = set(Assignment.objects.filter(application=app).values_list("expert", flat=True))
    assert expert.pk not in assigned and len(assigned) == 3


def test_an_expired_or_revoked_record_blocks_nothing(
    users: dict[str, Any], programme: dict[str, Any], orgs: dict[str, Any]
) -> None:
    today = timezone.localdate()
    leader = programme["leader"]
    restrict(
        users,
        talent=leader,
        person_only=True,
        excluded_from=today - dt.timedelta(days=800),
        excluded_until=today - dt.timedelta(days=1),
    )
    assert integrity_in_force(person=leader) == []
    record = restrict(users, org=orgs["wolong"])
    assert integrity_in_force(org=orgs["wolong"]) == [record]
    integrity.contest(users["enterprise"], record, "处理决定所依据的材料系他人冒用本单位名义提交")
    integrity.answer_contest(users["city_staff"], record, True, "经复核，申诉成立")
    assert integrity_in_force(org=orgs["wolong"]) == []


def test_only_the_organization_concerned_contests(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    record = restrict(users, org=orgs["wolong"])
    with pytest.raises(PermissionDenied):
        integrity.contest(users["institution"], record, "不是我们")
    with pytest.raises(PermissionDenied):
        integrity.record(users["enterprise"], {"organization": orgs["wolong"]})
    with pytest.raises(ValidationError, match="请填写申诉理由"):
        integrity.contest(users["enterprise"], record, "  ")
    record.refresh_from_db()
    assert record.contest_status == ""


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(integrity.COLUMNS))
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_provincial_list_imports_all_or_nothing(
    users: dict[str, Any], orgs: dict[str, Any], programme: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    good = [
        orgs["wolong"].uscc,
        "张负责",
        "伪造数据",
        "严重",
        "五年内禁止",
        "河南省科学技术厅",
        "2025-03-01",
        "2025-03-01",
        "2030-02-28",
    ]
    bad = [
        orgs["wancheng"].uscc,
        "",
        "挪用经费",
        "很严重",
        "三年内禁止",
        "河南省科学技术厅",
        "2025-04-01",
        "不知道",
        "2028-03-31",
    ]
    report = integrity.validate_import(staff, xlsx([good, bad]))
    assert [(e.row, e.column_header) for e in report.errors] == [
        (3, "限制开始日期"),
        (3, "严重程度"),
    ]
    assert report.errors[1].fix == "请填写 较轻、较重 或 严重。"
    report = integrity.validate_import(staff, xlsx([good]))
    assert report.ok
    saved = integrity.commit_import(staff, report)
    assert [(r.talent.name, r.severity, r.source, r.person_only) for r in saved] == [
        ("张负责", "grave", "province", True)
    ]
    assert IntegrityRecord.objects.count() == 1

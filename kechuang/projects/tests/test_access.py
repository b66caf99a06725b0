"""The projects' access matrix: every API operation and page, every role (the specification,
written out per role); writes refused to a role change nothing.

The setup (awards made directly, projects through the services): the 卧龙 enterprise's
包干制 project A running, its mid-term reviewed by five experts (the `expert` user among them);
its project B in acceptance; its project C closed (通过验收) and public; its project D closed
but confidential; its project F with an unsigned agreement; an unused award E; a pending change
request on A; an integrity record against the 卧龙 enterprise. 404 = outside the caller's scope
(the 卧龙 institution is another organization; the expert sees only what they review); 403 =
visible but not the role's; 401/302 = anonymous.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from kechuang.core.tests.permissions import ROLES, Row, check_row
from kechuang.programs.models import Application, Award
from kechuang.projects import models, services
from kechuang.projects.tests.conftest import AGREEMENT, PDF, signed
from kechuang.registry.models import IntegrityRecord
from kechuang.registry.services import integrity

pytestmark = pytest.mark.django_db

GOVERNMENT = {"city_admin", "city_staff", "county_staff"}
CITY = {"city_admin", "city_staff"}
SIGNED_IN = set(ROLES) - {"anonymous"}
EVERYONE = set(ROLES)


def only(allowed: set[str], ok: int, anonymous: int, others: int = 403) -> dict[str, int]:
    return {
        role: anonymous if role == "anonymous" else (ok if role in allowed else others)
        for role in ROLES
    }


def viewers(ok: int, anonymous: int, expert: int = 404) -> dict[str, int]:
    """Reading a 卧龙 enterprise's project: the city, 卧龙 county staff, the enterprise; the
    expert only when reviewing it."""
    return {**only(GOVERNMENT | {"enterprise"}, ok, anonymous, 404), "expert": expert}


def team_write(ok: int, anonymous: int, expert: int = 403) -> dict[str, int]:
    """The team's write on project A: the enterprise only; the government and the reviewing
    expert see A but may not write (403); the institution does not see it (404)."""
    return {**only({"enterprise"}, ok, anonymous), "institution": 404, "expert": expert}


def city_write(ok: int, anonymous: int, expert: int = 403) -> dict[str, int]:
    """A city step on a row of project A (found first, then the permission)."""
    return {**only(CITY, ok, anonymous), "institution": 404, "expert": expert}


def grew(model: str, ok_roles: set[str], by: int = 1) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        count = getattr(models, model).objects.count()
        wanted = context["counts"][model] + (by if role in ok_roles else 0)
        assert count == wanted, f"{model} 数应为 {wanted}，实为 {count}"

    return check


def tranche_paid_by_city(role: str, response: Any, context: dict[str, Any]) -> None:
    status = models.Tranche.objects.get(pk=context["tranche"]).status
    wanted = "paid" if role in CITY else "pending"
    assert status == wanted, f"拨付状态应为 {wanted}，实为 {status}"


def change_decided_by_city(role: str, response: Any, context: dict[str, Any]) -> None:
    status = models.ChangeRequest.objects.get(pk=context["change"]).status
    wanted = "rejected" if role in CITY else "pending"
    assert status == wanted, f"变更状态应为 {wanted}，实为 {status}"


def acceptance_decided_by_city(role: str, response: Any, context: dict[str, Any]) -> None:
    conclusion = models.Acceptance.objects.get(pk=context["acceptance"]).conclusion
    wanted = "passed" if role in CITY else ""
    assert conclusion == wanted, f"验收结论应为“{wanted}”，实为“{conclusion}”"


def review_by_expert(role: str, response: Any, context: dict[str, Any]) -> None:
    submitted = models.ProjectReview.objects.get(pk=context["mine"]).submitted
    assert submitted == (role == "expert"), f"评审提交状态 {submitted}"


def signed_by(role: str, response: Any, context: dict[str, Any]) -> None:
    f = models.Project.objects.get(pk=context["F"])
    assert bool(f.city_signature) == (role in CITY), f"市科技局签署：{f.city_signature!r}"
    assert bool(f.team_signature) == (role == "enterprise"), f"承担单位签署：{f.team_signature!r}"


def midterm_unchanged(role: str, response: Any, context: dict[str, Any]) -> None:
    assert models.Project.objects.get(pk=context["A"]).midterm == ""


def results_are_public_closed_only(role: str, response: Any, context: dict[str, Any]) -> None:
    ids = [r["id"] for r in response.json()]
    assert ids == [context["C"]], f"公开成果应只有已验收非涉密项目 C，实为 {ids}"


def own_projects_only(role: str, response: Any, context: dict[str, Any]) -> None:
    if role == "anonymous":
        return
    ids = sorted(r["id"] for r in response.json())
    everything = sorted(context[k] for k in ("A", "B", "C", "D", "F"))
    wanted = {"institution": [], "expert": [context["A"]]}.get(role, everything)
    assert ids == wanted, f"{role} 应看到 {wanted}，实为 {ids}"


def contested_by_enterprise(role: str, response: Any, context: dict[str, Any]) -> None:
    status = IntegrityRecord.objects.get(pk=context["record"]).contest_status
    wanted = "pending" if role == "enterprise" else ""
    assert status == wanted, f"申诉状态应为“{wanted}”，实为“{status}”"


def grew_records(ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        count = IntegrityRecord.objects.count()
        wanted = context["records"] + (1 if role in ok_roles else 0)
        assert count == wanted, f"诚信记录数应为 {wanted}，实为 {count}"

    return check


def imported_by_city(role: str, response: Any, context: dict[str, Any]) -> None:
    count = IntegrityRecord.objects.count()
    wanted = context["records"] + (1 if role in CITY else 0)
    assert count == wanted, f"诚信记录数应为 {wanted}，实为 {count}"


def _evidence(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": "达标",
        "evidence": {
            str(context["target_A"]): {
                "file_base64": base64.b64encode(PDF).decode(),
                "file_name": "检测报告.pdf",
                "achieved": "510",
            }
        },
    }


def _upload(context: dict[str, Any]) -> dict[str, Any]:
    book = Workbook()
    book.active.append(list(integrity.COLUMNS))
    book.active.append(
        [
            context["uscc"],
            "",
            "重复发表",
            "较轻",
            "通报批评",
            "河南省科学技术厅",
            "2025-01-01",
            "2025-01-01",
            "2026-12-31",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    name = "名单.xlsx"
    return {"file": SimpleUploadedFile(name, out.getvalue())}


def scanned_by_city(role: str, response: Any, context: dict[str, Any]) -> None:
    f = models.Project.objects.get(pk=context["F"])
    assert bool(f.signed_scan) == (role in CITY), f"扫描件：{f.signed_scan!r}"
    assert (f.status == "running") == (role in CITY), f"状态：{f.status}"


def _scan(context: dict[str, Any]) -> dict[str, Any]:
    return {"action": "scan", "scan": SimpleUploadedFile("任务书.pdf", PDF)}


def integrity_visible(role: str, response: Any, context: dict[str, Any]) -> None:
    if role == "anonymous":
        return
    ids = sorted(r["id"] for r in response.json())
    everything = sorted([context["record"], context["contested"]])
    wanted = everything if role in GOVERNMENT | {"enterprise"} else []
    assert ids == wanted, f"{role} 应看到诚信记录 {wanted}，实为 {ids}"


def answered_by_city(role: str, response: Any, context: dict[str, Any]) -> None:
    status = IntegrityRecord.objects.get(pk=context["contested"]).contest_status
    wanted = "rejected" if role in CITY else "pending"
    assert status == wanted, f"申诉状态应为“{wanted}”，实为“{status}”"


INTEGRITY = {
    "organization_id": "{wancheng}",
    "misconduct": "重复发表",
    "severity": "minor",
    "decision": "通报批评",
    "decided_by": "南阳市科学技术局",
    "decided_on": "2026-01-05",
    "excluded_from": "2026-01-05",
    "excluded_until": "2027-01-04",
}
AGREEMENT_FORM = {
    "starts_on": "2026-01-01",
    "ends_on": "2027-12-31",
    "lump_sum": "on",
    "milestone_1": "完成涂层工艺验证",
    "due_1": "2026-06-30",
}
SPENDING = {
    "items": [
        {"category": "材料费", "description": "金刚石微粉", "amount": "3", "spent_on": "2026-03-01"}
    ]
}
A = "/api/projects"
ROWS = [
    # --- the public record ---
    Row("GET", f"{A}/results", only(EVERYONE, 200, 200), check=results_are_public_closed_only),
    Row("GET", f"{A}/results/{{C}}", only(EVERYONE, 200, 200)),
    Row("GET", f"{A}/results/{{D}}", only(EVERYONE, 404, 404), name="confidential result"),
    Row("GET", f"{A}/results/{{A}}", only(EVERYONE, 404, 404), name="running result"),
    Row("GET", "/projects/results/", only(EVERYONE, 200, 200)),
    Row("GET", "/projects/results/{C}/", only(EVERYONE, 200, 200)),
    Row("GET", "/projects/results/{D}/", only(EVERYONE, 404, 404), name="confidential page"),
    # --- reading projects ---
    Row("GET", f"{A}/projects", only(SIGNED_IN, 200, 401), check=own_projects_only),
    Row("GET", f"{A}/projects/{{A}}", viewers(200, 401, expert=200)),
    Row("GET", f"{A}/projects/{{B}}", viewers(200, 401), name="project not reviewed"),
    Row("GET", "/projects/", only(SIGNED_IN, 200, 302)),
    Row("GET", "/projects/{A}/", viewers(200, 302, expert=200)),
    Row("GET", "/projects/{B}/", viewers(200, 302), name="page of a project not reviewed"),
    Row("GET", "/projects/{C}/certificate.docx", viewers(200, 302)),
    # --- the agreement ---
    Row(
        "POST",
        f"{A}/awards/{{E}}/project",
        only(CITY, 201, 401),
        body={**AGREEMENT, "lump_sum": True},
        check=grew("Project", CITY),
    ),
    Row(
        "POST",
        f"{A}/projects/{{F}}/sign",
        {**only(CITY | {"enterprise"}, 200, 401), "institution": 404, "expert": 404},
        body={},
        check=signed_by,
    ),
    Row(
        "POST",
        f"{A}/projects/{{A}}/changes",
        team_write(201, 401),
        body={"kind": "dates", "reason": "设备延期到货", "proposed": {"ends_on": "2028-03-31"}},
        check=grew("ChangeRequest", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/changes/{{change}}/decision",
        city_write(200, 401),
        body={"approve": False, "note": "理由不充分"},
        check=change_decided_by_city,
    ),
    # --- funds ---
    Row("POST", f"{A}/tranches/{{tranche}}/pay", city_write(200, 401), check=tranche_paid_by_city),
    Row(
        "POST",
        "/projects/tranches/{tranche}/pay/",
        {**only(CITY, 302, 302)},
        name="pay page",
        check=tranche_paid_by_city,
    ),
    Row(
        "POST",
        f"{A}/projects/{{A}}/spending",
        team_write(201, 401),
        body=SPENDING,
        check=grew("Spending", {"enterprise"}),
    ),
    Row("GET", f"{A}/funds", only(GOVERNMENT, 200, 401)),
    # --- progress, reviews, gates ---
    Row(
        "POST",
        f"{A}/projects/{{A}}/reports",
        team_write(201, 401),
        body={"period": "2026 年一季度", "content": "完成工艺验证"},
        check=grew("ProgressReport", {"enterprise"}),
    ),
    Row(
        "POST",
        "/projects/{A}/report/",
        team_write(302, 302),
        body={"period": "2026 年二季度", "content": "样机试制"},
        check=grew("ProgressReport", {"enterprise"}),
    ),
    Row(
        "POST",
        "/projects/{A}/act/",
        team_write(302, 302),
        body={
            "action": "spend",
            "category": "材料费",
            "description": "微粉",
            "amount": "2",
            "spent_on": "2026-03-01",
        },
        check=grew("Spending", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/projects/{{A}}/achieved",
        team_write(200, 401),
        body=lambda c: {"values": {str(c["target_A"]): "300"}},
    ),
    Row(
        "POST",
        f"{A}/projects/{{A}}/reviewers",
        only(CITY, 201, 401),
        body={"stage": "acceptance", "experts": 1},
        check=grew("ProjectReview", CITY),
    ),
    Row("GET", f"{A}/reviews", only({"expert"}, 200, 401)),
    Row(
        "POST",
        f"{A}/reviews/{{mine}}",
        only({"expert"}, 200, 401),
        body={"score": "80", "opinion": "进展良好"},
        check=review_by_expert,
    ),
    Row(
        "POST",
        f"{A}/projects/{{A}}/midterm",
        only(CITY, 422, 401),
        check=midterm_unchanged,
    ),
    Row(
        "POST",
        f"{A}/gates",
        only(CITY, 422, 401),
        body={"race": "none", "decisions": {}},
        check=grew("StageGate", set()),
    ),
    # --- acceptance ---
    Row(
        "POST",
        f"{A}/projects/{{A}}/acceptance",
        team_write(201, 401),
        body=_evidence,
        check=grew("Acceptance", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/acceptances/{{acceptance}}/decision",
        city_write(200, 401, expert=404),
        body={"conclusion": "passed", "reasons": "全部指标完成"},
        check=acceptance_decided_by_city,
    ),
    # --- outputs ---
    Row(
        "POST",
        f"{A}/projects/{{A}}/outputs",
        {**team_write(201, 401), "city_admin": 201, "city_staff": 201},
        body={"kind": "paper", "title": "金刚石涂层刀具寿命研究", "reference": "超硬材料工程"},
        check=grew("Output", CITY | {"enterprise"}),
    ),
    Row(
        "POST",
        "/projects/{A}/act/",
        {**team_write(302, 302), "city_admin": 302, "city_staff": 302},
        body={"action": "output", "kind": "paper", "title": "涂层寿命研究", "year": "2026"},
        name="output page",
        check=grew("Output", CITY | {"enterprise"}),
    ),
    # --- the agreement, its scan and its changes on the pages ---
    Row("GET", "/projects/awards/{E}/agreement/", only(CITY, 200, 302)),
    Row(
        "POST",
        "/projects/awards/{E}/agreement/",
        only(CITY, 302, 302),
        body=AGREEMENT_FORM,
        check=grew("Project", CITY),
    ),
    Row(
        "POST",
        "/projects/{F}/act/",
        {**only(GOVERNMENT | {"enterprise"}, 403, 302, 404), "city_admin": 302, "city_staff": 302},
        body=_scan,
        name="signed scan page",
        check=scanned_by_city,
    ),
    Row(
        "POST",
        "/projects/{A}/act/",
        team_write(302, 302),
        body={"action": "change", "kind": "dates", "ends_on": "2028-03-31", "reason": "设备延期"},
        name="change request page",
        check=grew("ChangeRequest", {"enterprise"}),
    ),
    Row(
        "POST",
        "/projects/{A}/act/",
        city_write(302, 302),
        body={
            "action": "decide_change",
            "change": "{change}",
            "approve": "0",
            "note": "理由不充分",
        },
        name="change decision page",
        check=change_decided_by_city,
    ),
    # --- dashboard and exports ---
    Row("GET", "/projects/dashboard/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/projects/dashboard.docx", only(GOVERNMENT, 200, 302)),
    Row("GET", f"{A}/funds?by=chain", only(GOVERNMENT, 200, 401), name="funds by chain"),
    Row("GET", "/projects/export.xlsx", only(GOVERNMENT, 200, 302)),
    # --- research integrity ---
    Row("GET", f"{A}/integrity", only(SIGNED_IN, 200, 401), check=integrity_visible),
    Row(
        "POST",
        f"{A}/integrity",
        only(CITY, 201, 401),
        body=INTEGRITY,
        check=grew_records(CITY),
    ),
    Row(
        "POST",
        f"{A}/integrity/{{record}}/contest",
        {**only(GOVERNMENT | {"enterprise"}, 403, 401, 404), "enterprise": 200},
        body={"reason": "处理所依据的材料非本单位提交"},
        check=contested_by_enterprise,
    ),
    Row(
        "POST",
        f"{A}/integrity/{{contested}}/answer",
        {**only(GOVERNMENT | {"enterprise"}, 403, 401, 404), "city_admin": 200, "city_staff": 200},
        body={"upheld": False, "answer": "材料经核实无误"},
        check=answered_by_city,
    ),
    Row("GET", "/projects/integrity/", only(SIGNED_IN, 200, 302)),
    Row(
        "POST",
        "/projects/integrity/{record}/contest/",
        {**only({"enterprise"}, 302, 302), "institution": 404, "expert": 404},
        body={"contest": "处理所依据的材料非本单位提交"},
        check=contested_by_enterprise,
    ),
    Row(
        "POST",
        "/projects/integrity/import/",
        only(CITY, 200, 302),
        body=_upload,
        check=imported_by_city,
    ),
]


def _award(programme: dict[str, Any], org: Any, title: str) -> Award:
    app = Application.objects.create(
        call=programme["call"],
        challenge=programme["challenge"],
        organization=org,
        title=title,
        summary="金刚石刀具 涂层",
        leader=programme["leader"],
        requested=Decimal(200),
        self_funding=Decimal(100),
        phase="awarded",
    )
    app.members.set([programme["member"]])
    return Award.objects.create(
        application=app, amount=Decimal(200), reasons="评审第一", decided_on=dt.date(2025, 12, 1)
    )


def _project(users: dict[str, Any], award: Award, sign: bool = True, **extra: Any) -> Any:
    project = services.create_project(
        users["city_staff"], award, {**AGREEMENT, "lump_sum": True, **extra}
    )
    return signed(users, project) if sign else project


def _accepting(users: dict[str, Any], project: Any) -> Any:
    target = project.targets.get()
    return services.apply_for_acceptance(
        users["enterprise"],
        project,
        {
            "summary": "完成",
            "evidence": {str(target.pk): {"content": PDF, "name": "报告.pdf", "achieved": "520"}},
        },
    )


@pytest.fixture
def context(users: dict[str, Any], programme: dict[str, Any], orgs: dict[str, Any]) -> Any:
    staff, org = users["city_staff"], orgs["wolong"]
    a = _project(users, _award(programme, org, "项目A"))
    b = _project(users, _award(programme, org, "项目B"))
    acceptance = _accepting(users, b)
    c = _project(users, _award(programme, org, "项目C"))
    services.decide_acceptance(
        staff, _accepting(users, c), {"conclusion": "passed", "reasons": "达标"}
    )
    d = _project(users, _award(programme, org, "项目D"), confidential=True)
    services.decide_acceptance(
        staff, _accepting(users, d), {"conclusion": "passed", "reasons": "达标"}
    )
    f = _project(users, _award(programme, org, "项目F"), sign=False)
    e = _award(programme, org, "立项E")
    reviews = services.assign_reviewers(staff, a, "midterm", 5)
    mine = next(r for r in reviews if r.expert.user_id == users["expert"].pk)
    change = services.request_change(
        users["enterprise"], a, {"kind": "team", "reason": "成员调动", "proposed": {"team": []}}
    )
    today = timezone.localdate()
    record = integrity.record(
        staff,
        {
            "organization": org,
            "misconduct": "虚报项目经费",
            "severity": "minor",
            "decision": "通报批评",
            "decided_by": "南阳市科学技术局",
            "decided_on": today,
            "excluded_from": today,
            "excluded_until": today + dt.timedelta(days=365),
        },
    )
    contested = integrity.record(
        staff,
        {
            "organization": org,
            "misconduct": "数据造假",
            "severity": "serious",
            "decision": "取消申报资格",
            "decided_by": "南阳市科学技术局",
            "decided_on": today,
            "excluded_from": today,
            "excluded_until": today + dt.timedelta(days=30),
        },
    )
    integrity.contest(users["enterprise"], contested, "数据来源可查")
    return {
        "A": a.pk,
        "contested": contested.pk,
        "wancheng": orgs["wancheng"].pk,
        "B": b.pk,
        "C": c.pk,
        "D": d.pk,
        "E": e.pk,
        "F": f.pk,
        "target_A": a.targets.get().pk,
        "tranche": a.tranches.get(number=1).pk,
        "acceptance": acceptance.pk,
        "mine": mine.pk,
        "change": change.pk,
        "record": record.pk,
        "records": IntegrityRecord.objects.count(),
        "uscc": orgs["wancheng"].uscc,
        "counts": {
            name: getattr(models, name).objects.count()
            for name in (
                "Project",
                "ChangeRequest",
                "Spending",
                "ProgressReport",
                "ProjectReview",
                "StageGate",
                "Acceptance",
                "Output",
            )
        },
    }


@pytest.mark.parametrize("r", ROWS, ids=Row.label)
def test_projects_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)

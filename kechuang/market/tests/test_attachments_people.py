"""Attachments on listings (checked by content against the name, size limit, Chinese errors,
public only with a published listing); technology-transfer institutions (their own model, brokers
attached, free-text search); co-inventors on an expert's profile from the patent registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.market import selectors, services
from kechuang.market.engine.files import MAX_FILE_BYTES, attachment_problem
from kechuang.market.models import (
    Achievement,
    Broker,
    Expert,
    ListingAttachment,
    TechDemand,
    TransferInstitution,
)
from kechuang.market.tests.conftest import ACHIEVEMENT, DEMAND, PDF
from kechuang.registry.models import Patent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


# --- the pure check ----------------------------------------------------------------------------


def test_a_pdf_named_pdf_passes() -> None:
    assert attachment_problem(PDF, "检测报告.PDF") == ("pdf", "")


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (PNG, "检测报告.pdf", "名为 PDF 文件，但内容是PNG 图片"),
        (b"MZ\x90\x00", "说明.docx", "内容是无法识别的内容"),
        (PDF, "脚本.exe", "扩展名“exe”不被接受"),
        (PDF, "无扩展名", "扩展名“无”不被接受"),
        (b"", "空.pdf", "是空文件"),
        (b"%PDF-" + b"0" * MAX_FILE_BYTES, "大.pdf", "过大（10.0 MB）"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    content: bytes, name: str, words: str
) -> None:
    kind, problem = attachment_problem(content, name)
    assert kind is None
    assert words in problem, problem
    assert "不超过 10 MB" in problem or "扩展名" in problem


# --- the service and the pages ------------------------------------------------------------------


def test_owner_attaches_a_file_to_a_draft(users: dict[str, Any]) -> None:
    demand = services.save_listing(users["enterprise"], TechDemand(), dict(DEMAND))
    saved = services.add_attachment(users["enterprise"], demand, PDF, "检测报告.pdf", "检测报告")
    assert (saved.demand, saved.content_type, saved.size) == (demand, "pdf", len(PDF))
    assert saved.organization == users["enterprise"].organization
    assert saved.file.read() == PDF


def test_mismatched_file_changes_nothing(users: dict[str, Any]) -> None:
    demand = services.save_listing(users["enterprise"], TechDemand(), dict(DEMAND))
    with pytest.raises(ValidationError) as error:
        services.add_attachment(users["enterprise"], demand, PNG, "检测报告.pdf")
    assert "按内容检查" in error.value.message_dict["attachment"][0]
    assert ListingAttachment.objects.count() == 0


def test_owner_may_not_attach_once_submitted(
    users: dict[str, Any], publish: Callable[..., Any]
) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="submit")
    with pytest.raises(ValidationError) as error:
        services.add_attachment(users["enterprise"], demand, PDF, "a.pdf")
    assert "只有草稿或被退回" in error.value.message_dict["attachment"][0]
    assert ListingAttachment.objects.count() == 0


def test_upload_page_names_the_problem(
    client_for: Callable[[str], Any], users: dict[str, Any]
) -> None:
    demand = services.save_listing(users["enterprise"], TechDemand(), dict(DEMAND))
    client = client_for("enterprise")
    url = f"/market/demands/{demand.pk}/attachments/"
    bad = SimpleUploadedFile("图.png", PDF)
    page = client.post(url, {"file": bad}, follow=True).content.decode()
    assert "附件：附件“图.png”名为 PNG 图片 文件，但内容是PDF（按内容检查）" in page
    assert ListingAttachment.objects.count() == 0
    good = SimpleUploadedFile("图.png", PNG)
    page = client.post(url, {"file": good, "label": "外观图"}, follow=True).content.decode()
    assert "附件“图.png”已上传" in page and "外观图：图.png" in page
    assert ListingAttachment.objects.get().content_type == "png"


def test_public_sees_attachments_of_published_listings_only(
    client_for: Callable[[str], Any], users: dict[str, Any], publish: Callable[..., Any]
) -> None:
    achievement = publish("institution", Achievement, ACHIEVEMENT, until="submit")
    attached = services.add_attachment(users["city_staff"], achievement, PDF, "成果.pdf")
    anonymous = client_for("anonymous")
    assert anonymous.get(f"/market/attachments/{attached.pk}/").status_code == 404
    assert client_for("enterprise").get(f"/market/attachments/{attached.pk}/").status_code == 404
    api = f"/api/market/public/achievements/{achievement.pk}/attachments"
    assert anonymous.get(api).status_code == 404
    for name in ("review", "publish"):
        services.step(users["city_staff"], achievement, name)
    response = anonymous.get(f"/market/attachments/{attached.pk}/")
    assert response.status_code == 200 and response.content == PDF
    listed = anonymous.get(api).json()
    assert [(a["file_name"], a["url"]) for a in listed] == [
        ("成果.pdf", f"/market/attachments/{attached.pk}/")
    ]


def test_confidential_demand_keeps_its_attachments_private(
    client_for: Callable[[str], Any], users: dict[str, Any], publish: Callable[..., Any]
) -> None:
    demand = publish("enterprise", TechDemand, {**DEMAND, "confidential": True})
    attached = services.add_attachment(users["city_staff"], demand, PDF, "图纸.pdf")
    assert client_for("anonymous").get(f"/market/attachments/{attached.pk}/").status_code == 404
    assert client_for("enterprise").get(f"/market/attachments/{attached.pk}/").status_code == 200


# --- transfer institutions and co-inventors -----------------------------------------------------


def test_institution_is_found_by_free_text_with_its_brokers(
    users: dict[str, Any], wolong: Any, client_for: Callable[[str], Any]
) -> None:
    staff = users["city_staff"]
    institution = services.save_person(
        staff,
        TransferInstitution(),
        {
            "name": "南阳防爆装备技术转移中心",
            "area": wolong,
            "level": "provincial",
            "certificate_no": "豫技转2024-018",
            "fields": "防爆电机、矿用装备、散热结构",
            "services": "技术评估、挂牌交易",
            "deals": 12,
        },
    )
    services.save_person(
        staff,
        Broker(),
        {"name": "王经理", "area": wolong, "fields": "防爆电机", "agency": institution},
    )
    found, _ = selectors.search(staff, "防爆电机温升过高，需要新的散热结构", ("institution",))
    assert [s.obj for s in found] == [institution]
    assert found[0].title == "南阳防爆装备技术转移中心：防爆电机、矿用装备、散热结构"
    listed = client_for("enterprise").get("/api/market/institutions?q=防爆").json()
    assert [(i["name"], i["level_display"], i["brokers"]) for i in listed] == [
        ("南阳防爆装备技术转移中心", "省级技术转移示范机构", ["王经理"])
    ]


def test_institution_search_excludes_hidden_ones(users: dict[str, Any], wolong: Any) -> None:
    staff = users["city_staff"]
    services.save_person(
        staff,
        TransferInstitution(),
        {"name": "未公开机构", "area": wolong, "fields": "防爆电机散热", "is_public": False},
    )
    found, _ = selectors.search(users["enterprise"], "防爆电机散热", ("institution",))
    assert found == []


def test_co_inventors_from_linked_patents(
    users: dict[str, Any],
    orgs: dict[str, Any],
    wolong: Any,
    publish: Callable[..., Any],
    client_for: Callable[[str], Any],
) -> None:
    patent = Patent.objects.create(
        number="ZL202310000001.1",
        kind="invention",
        title="一种隔爆型电动机的冷却装置",
        organization=orgs["wolong_univ"],
        application_date=dt.date(2023, 1, 5),
        legal_status="pending",
    )
    achievement = publish("institution", Achievement, {**ACHIEVEMENT, "people": "李明、王芳，赵强"})
    achievement.patents.add(patent)
    unlinked = publish(
        "institution", Achievement, {**ACHIEVEMENT, "title": "无专利成果", "people": "李明、孙丽"}
    )
    assert unlinked.patents.count() == 0
    expert = Expert.objects.create(name="李明", area=wolong, expertise="电机散热")
    assert selectors.co_inventors(expert) == [
        {"name": "王芳", "patents": ["ZL202310000001.1"]},
        {"name": "赵强", "patents": ["ZL202310000001.1"]},
    ]
    profile = client_for("enterprise").get(f"/api/market/experts/{expert.pk}").json()
    assert [c["name"] for c in profile["co_inventors"]] == ["王芳", "赵强"]
    assert client_for("enterprise").get("/api/market/experts/0").status_code == 422

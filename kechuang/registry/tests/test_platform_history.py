"""A platform's dated status history: the service and its rules, the page and the API, the state
on a day, platforms new between two dates (and the list that shows the same set), the data
migration that gave existing platforms their history, and the demo generator's histories."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.core.models import AuditEntry
from kechuang.registry import selectors
from kechuang.registry.engine.platform_history import HistoryError, Step, replay
from kechuang.registry.excel.exporter import export_xlsx
from kechuang.registry.excel.importer import validate_upload
from kechuang.registry.filters import PlatformFilter
from kechuang.registry.models import InnovationPlatform, PlatformStatusChange
from kechuang.registry.services.platforms import record_status_change

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def staff(users: dict[str, Any]) -> Any:
    return users["city_staff"]


@pytest.fixture
def make_platform(orgs: dict[str, Any]) -> Any:
    counter = iter(range(1, 1000))

    def make(level: str = "municipal", kind: str = "engineering_center", **extra: Any) -> Any:
        host = extra.pop("host", orgs["wolong"])
        return InnovationPlatform.objects.create(
            name=f"测试平台{next(counter)}",
            kind=kind,
            level=level,
            host=host,
            area=host.area,
            **extra,
        )

    return make


def record(user: Any, platform: Any, event: str, day: dt.date, **extra: Any) -> Any:
    return record_status_change(user, platform, {"event": event, "date": day, **extra})


def approved(
    user: Any, make_platform: Any, day: dt.date, level: str = "municipal", **kw: Any
) -> Any:
    platform = make_platform(level=level, **kw)
    record(user, platform, "approved", day, document_no="宛科〔2019〕1号")
    platform.refresh_from_db()
    return platform


def field_error(error: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(error.value.message_dict[field])


# --- the engine -------------------------------------------------------------------------------


def test_replay_gives_each_event_the_state_from_its_day_on() -> None:
    steps = [
        Step("approved", D(2019, 3, 1), "municipal"),
        Step("upgraded", D(2021, 6, 1), "provincial"),
        Step("suspended", D(2022, 1, 1)),
        Step("resumed", D(2022, 9, 1)),
        Step("merged", D(2024, 2, 1)),
    ]
    states = replay(steps, "municipal")
    assert [(s.status, s.level_before, s.level_after) for s in states] == [
        ("operating", "", "municipal"),
        ("operating", "municipal", "provincial"),
        ("suspended", "provincial", "provincial"),
        ("operating", "provincial", "provincial"),
        ("merged", "provincial", "provincial"),
    ]
    during = replay([steps[0], steps[2], Step("upgraded", D(2022, 2, 1), "national")], "municipal")
    assert (during[-1].status, during[-1].level_after) == ("suspended", "national")
    with pytest.raises(HistoryError, match="早于平台的批准"):
        replay([Step("suspended", D(2018, 1, 1)), steps[0]], "municipal")


# --- the service ------------------------------------------------------------------------------


def test_recording_events_keeps_the_platforms_fields_and_is_audited(
    staff: Any, make_platform: Any
) -> None:
    platform = approved(staff, make_platform, D(2019, 3, 1))
    assert (platform.status, platform.level, platform.approved_on) == (
        "operating",
        "municipal",
        D(2019, 3, 1),
    )
    assert platform.approval_document == "宛科〔2019〕1号"
    up = record(staff, platform, "upgraded", D(2022, 7, 1), level="provincial")
    platform.refresh_from_db()
    assert (platform.level, up.level_before, up.level_after) == (
        "provincial",
        "municipal",
        "provincial",
    )
    record(staff, platform, "revoked", D(2024, 4, 30), note="考核不合格")
    platform.refresh_from_db()
    assert platform.status == "revoked"
    events = PlatformStatusChange.objects.filter(platform=platform)
    assert [e.event for e in events.order_by("date")] == ["approved", "upgraded", "revoked"]
    content_type = ContentType.objects.get_for_model(PlatformStatusChange)
    assert AuditEntry.objects.filter(content_type=content_type, action="create").count() == 3
    platform_entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(InnovationPlatform),
        object_id=str(platform.pk),
        action="update",
    )
    assert any(e.changes.get("status") == ["operating", "revoked"] for e in platform_entries)


def test_an_earlier_event_recorded_later_takes_its_place(staff: Any, make_platform: Any) -> None:
    platform = approved(staff, make_platform, D(2018, 5, 1))
    record(staff, platform, "upgraded", D(2023, 3, 1), level="national")
    record(staff, platform, "upgraded", D(2020, 3, 1), level="provincial")  # found later
    platform.refresh_from_db()
    assert platform.level == "national"  # the latest event still decides
    later = PlatformStatusChange.objects.get(platform=platform, date=D(2023, 3, 1))
    assert (later.level_before, later.level_after) == ("provincial", "national")
    # a suspension recorded before the last event: the current fields follow the latest event
    record(staff, platform, "suspended", D(2021, 1, 10))
    record(staff, platform, "resumed", D(2021, 6, 10))
    platform.refresh_from_db()
    assert (platform.status, platform.level) == ("operating", "national")


@pytest.mark.parametrize(
    ("setup", "event", "field", "words"),
    [
        ([], ("upgraded", D(2020, 1, 1), "provincial"), "date", "早于平台的批准"),
        ([("approved", D(2020, 5, 1), "")], ("suspended", D(2020, 4, 1), ""), "date", "早于"),
        (
            [("approved", D(2020, 5, 1), ""), ("revoked", D(2022, 5, 1), "")],
            ("resumed", D(2023, 1, 1), ""),
            "date",
            "平台已于 2022-05-01 撤销，其后不能再记录“恢复”",
        ),
        (
            [("approved", D(2020, 5, 1), ""), ("merged", D(2022, 5, 1), "")],
            ("upgraded", D(2023, 1, 1), "provincial"),
            "date",
            "已于 2022-05-01 整合",
        ),
        ([("approved", D(2020, 5, 1), "")], ("approved", D(2021, 1, 1), ""), "event", "再次"),
        ([("approved", D(2020, 5, 1), "")], ("upgraded", D(2021, 1, 1), ""), "level", "新级别"),
        (
            [("approved", D(2020, 5, 1), "")],
            ("downgraded", D(2021, 1, 1), "provincial"),
            "level",
            "须低于现有级别",
        ),
        ([("approved", D(2020, 5, 1), "")], ("resumed", D(2021, 1, 1), ""), "event", "无需恢复"),
        (
            [("approved", D(2020, 5, 1), "")],
            ("revoked", D(2021, 1, 1), "national"),
            "level",
            "留空",
        ),
    ],
)
def test_impossible_histories_are_refused_in_chinese_and_change_nothing(
    staff: Any,
    make_platform: Any,
    setup: list[tuple[str, dt.date, str]],
    event: tuple[str, dt.date, str],
    field: str,
    words: str,
) -> None:
    platform = make_platform()
    for name, day, level in setup:
        record(staff, platform, name, day, level=level)
    platform.refresh_from_db()
    before = (platform.status, platform.level, platform.approved_on)
    count = PlatformStatusChange.objects.count()
    name, day, level = event
    with pytest.raises(ValidationError) as error:
        record(staff, platform, name, day, level=level)
    assert words in field_error(error, field)
    platform.refresh_from_db()
    assert (platform.status, platform.level, platform.approved_on) == before
    assert PlatformStatusChange.objects.count() == count


def test_future_dates_self_merges_and_outsiders_are_refused(
    staff: Any, users: dict[str, Any], make_platform: Any
) -> None:
    platform = approved(staff, make_platform, D(2020, 5, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        record(staff, platform, "suspended", tomorrow)
    assert "晚于今天" in field_error(error, "date")
    with pytest.raises(ValidationError) as error:
        record(staff, platform, "merged", D(2022, 1, 1), merged_into=platform)
    assert "另一个平台" in field_error(error, "merged_into")
    with pytest.raises(ValidationError) as error:
        record(staff, platform, "revoked", D(2022, 1, 1), merged_into=make_platform())
    assert "只有“整合”" in field_error(error, "merged_into")
    with pytest.raises(PermissionDenied, match="只有市科技局工作人员"):
        record(users["county_staff"], platform, "revoked", D(2022, 1, 1))
    assert PlatformStatusChange.objects.filter(platform=platform).count() == 1


def test_the_history_decides_status_level_and_approval_date(
    staff: Any, make_platform: Any, client_for: Any
) -> None:
    platform = approved(staff, make_platform, D(2020, 5, 1))
    body = {
        "name": platform.name,
        "kind": platform.kind,
        "level": "national",
        "host": platform.host.uscc,
        "approved_on": "2020-05-01",
    }
    response = client_for("city_staff").put(
        f"/api/registry/platforms/{platform.pk}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "由平台的状态变更记录决定" in response.json()["errors"]["level"][0]
    platform.refresh_from_db()
    assert platform.level == "municipal"
    body["level"] = "municipal"
    body["note"] = "其他字段照常修改"
    response = client_for("city_staff").put(
        f"/api/registry/platforms/{platform.pk}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content


# --- the state on a day -----------------------------------------------------------------------


def test_upgrade_changes_the_level_on_its_day_and_merge_ends_the_count(
    staff: Any, make_platform: Any
) -> None:
    a = approved(staff, make_platform, D(2019, 3, 1))
    b = approved(staff, make_platform, D(2019, 3, 1), level="provincial")
    record(staff, a, "upgraded", D(2022, 7, 1), level="provincial")
    record(staff, b, "merged", D(2023, 5, 1), merged_into=a, document_no="豫科〔2023〕9号")

    def state(day: dt.date) -> dict[str, tuple[str | None, str]]:
        rows = selectors.platforms_state_on(day).filter(pk__in=[a.pk, b.pk])
        return {p.name: (p.status_on, p.level_on) for p in rows}

    assert state(D(2022, 6, 30)) == {
        a.name: ("operating", "municipal"),
        b.name: ("operating", "provincial"),
    }
    assert state(D(2022, 7, 1))[a.name] == ("operating", "provincial")
    assert state(D(2023, 4, 30))[b.name] == ("operating", "provincial")
    assert state(D(2023, 5, 1))[b.name] == ("merged", "provincial")
    assert state(D(2019, 2, 28)) == {a.name: (None, None), b.name: (None, None)}
    by_level = dict(
        selectors.platforms_operating_on(D(2023, 12, 31))
        .filter(pk__in=[a.pk, b.pk])
        .values_list("level_on")
        .annotate(n=Count("pk"))
    )
    assert by_level == {"provincial": 1}
    assert list(a.merged_from.values_list("platform__name", flat=True)) == [b.name]


def test_state_on_a_day_is_one_query(
    staff: Any, make_platform: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        approved(staff, make_platform, D(2020, 1, 1))
    with django_assert_num_queries(1):
        assert selectors.platforms_operating_on(D(2021, 12, 31)).count() == 5


def test_platforms_without_history_stand_on_their_fields(make_platform: Any) -> None:
    p = make_platform(approved_on=D(2021, 5, 1))
    q = make_platform(approved_on=D(2021, 5, 1), status="revoked")
    operating = selectors.platforms_operating_on(D(2021, 12, 31)).filter(pk__in=[p.pk, q.pk])
    assert list(operating.values_list("name", flat=True)) == [p.name]
    assert not selectors.platforms_operating_on(D(2021, 4, 30)).filter(pk=p.pk).exists()


# --- new platforms between two dates ----------------------------------------------------------


def test_new_between_counts_the_edges_and_upgrades_into_the_levels(
    staff: Any, make_platform: Any, orgs: dict[str, Any]
) -> None:
    start, end = D(2021, 1, 1), D(2025, 12, 31)
    on_start = approved(staff, make_platform, start, level="provincial")
    on_end = approved(staff, make_platform, D(2024, 12, 31), level="national", kind="key_lab")
    before = approved(staff, make_platform, D(2020, 12, 31), level="provincial")
    upgraded = approved(staff, make_platform, D(2018, 1, 1))
    record(staff, upgraded, "upgraded", D(2022, 3, 1), level="provincial")
    national = approved(staff, make_platform, D(2018, 1, 1), level="provincial")
    record(staff, national, "upgraded", D(2023, 3, 1), level="national")
    municipal = approved(staff, make_platform, D(2022, 1, 1))
    elsewhere = approved(
        staff, make_platform, D(2022, 1, 1), level="provincial", host=orgs["wancheng"]
    )
    legacy = make_platform(level="provincial", approved_on=D(2021, 6, 1))  # no history

    def names(**kw: Any) -> set[str]:
        return set(selectors.platforms_new_between(**kw).values_list("name", flat=True))

    up = ("national", "provincial")
    assert names(start=start, end=end, levels=up) == {
        p.name for p in (on_start, on_end, upgraded, elsewhere, legacy)
    }
    assert before.name not in names(start=start, end=end)
    assert names(start=D(2021, 1, 2), end=D(2024, 12, 30), levels=up) == {
        p.name for p in (upgraded, elsewhere, legacy)
    }
    assert names(start=start, end=end, levels=["national"]) == {on_end.name, national.name}
    assert names(start=start, end=end, levels=up, kinds=["key_lab"]) == {on_end.name}
    assert names(start=start, end=end, levels=up, area=orgs["wolong"].area) == {
        p.name for p in (on_start, on_end, upgraded, legacy)
    }
    assert municipal.name in names(start=start, end=end)
    assert names(start=start, end=end, levels=up, area="411302") == {elsewhere.name}


def test_the_list_url_reproduces_the_new_platforms(
    staff: Any, make_platform: Any, client_for: Any
) -> None:
    inside = approved(staff, make_platform, D(2021, 1, 1), level="provincial")
    upgraded = approved(staff, make_platform, D(2018, 1, 1))
    record(staff, upgraded, "upgraded", D(2024, 12, 31), level="provincial")
    outside = approved(staff, make_platform, D(2020, 12, 31), level="provincial")
    url = selectors.platforms_new_url(
        D(2021, 1, 1), D(2024, 12, 31), None, ["provincial", "national"]
    )
    assert (
        url == "/registry/platforms/?new_from=2021-01-01&new_to=2024-12-31&new_level=provincial_up"
    )
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    listed = PlatformFilter(**params).filter(InnovationPlatform.objects.all())
    expected = selectors.platforms_new_between(
        D(2021, 1, 1), D(2024, 12, 31), levels=["provincial", "national"]
    )
    assert set(listed) == set(expected) == {inside, upgraded}
    page = client_for("city_staff").get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert inside.name in text and upgraded.name in text and outside.name not in text
    only_to = PlatformFilter(new_to=D(2020, 12, 31)).filter(InnovationPlatform.objects.all())
    assert outside in set(only_to) and inside not in set(only_to)


# --- pages and API ----------------------------------------------------------------------------


def test_api_lists_and_records_events(staff: Any, make_platform: Any, client_for: Any) -> None:
    platform = approved(staff, make_platform, D(2020, 5, 1))
    other = approved(staff, make_platform, D(2020, 5, 1))
    api = client_for("city_staff")
    url = f"/api/registry/platforms/{platform.pk}/status-changes"
    body = {"event": "merged", "date": "2023-03-01", "merged_into": other.pk, "document_no": "X1"}
    response = api.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["merged_into_name"] == other.name
    assert response.json()["status_after_display"] == "已整合"
    listed = api.get(url).json()
    assert [(e["event"], e["date"]) for e in listed] == [
        ("approved", "2020-05-01"),
        ("merged", "2023-03-01"),
    ]
    for bad, field, words in (
        ({"event": "resumed", "date": "2024-01-01"}, "date", "其后不能再记录"),
        (
            {"event": "merged", "date": "2022-01-01", "merged_into": 10**12},
            "merged_into",
            "未知的平台编号",
        ),
        ({"event": "upgraded", "date": "2022-13-01"}, "date", ""),
    ):
        response = api.post(url, json.dumps(bad), content_type="application/json")
        assert response.status_code == 422, response.content
        assert words in " ".join(response.json()["errors"][field])
    assert PlatformStatusChange.objects.filter(platform=platform).count() == 2
    county = client_for("county_staff").post(url, json.dumps(body), content_type="application/json")
    assert county.status_code == 403
    assert "市科技局" in county.json()["message"]


def test_detail_page_lists_the_history_and_the_form_records(
    staff: Any, make_platform: Any, client_for: Any
) -> None:
    platform = approved(staff, make_platform, D(2020, 5, 1))
    web = client_for("city_staff")
    detail = web.get(f"/registry/platforms/{platform.pk}/").content.decode()
    assert "状态变更" in detail and "宛科〔2019〕1号" in detail
    form_url = f"/registry/platforms/{platform.pk}/status-changes/new/"
    assert form_url in detail
    assert (
        form_url
        not in client_for("county_staff")
        .get(f"/registry/platforms/{platform.pk}/")
        .content.decode()
    )
    bad = web.post(form_url, {"event": "upgraded", "date": "2021-01-01", "level": "municipal"})
    assert bad.status_code == 422
    assert "须高于现有级别" in bad.content.decode()
    assert PlatformStatusChange.objects.filter(platform=platform).count() == 1
    good = web.post(form_url, {"event": "upgraded", "date": "2021-01-01", "level": "provincial"})
    assert good.status_code == 302
    platform.refresh_from_db()
    assert platform.level == "provincial"
    detail = web.get(f"/registry/platforms/{platform.pk}/").content.decode()
    table = detail[detail.index("状态变更") :]
    assert "<td>升级</td><td>省级</td><td>运行中</td>" in table.replace("\n", "")


# --- the data migration -----------------------------------------------------------------------


def test_the_migration_gives_existing_platforms_their_history(make_platform: Any) -> None:
    migration = importlib.import_module(
        "kechuang.registry.migrations.0009_platform_history_industry_section"
    )
    operating = make_platform(approved_on=D(2019, 4, 1), approval_document="宛科〔2019〕7号")
    revoked = make_platform(level="provincial", approved_on=D(2018, 4, 1), status="revoked")
    InnovationPlatform.objects.filter(pk=revoked.pk).update(
        updated_at=dt.datetime(2023, 6, 1, 8, tzinfo=dt.UTC)
    )
    undated = make_platform(status="merged")  # no approval date: no history
    preparing = make_platform(approved_on=D(2024, 1, 1), status="preparing")
    migration.backfill_history(apps, None)
    rows = PlatformStatusChange.objects.order_by("platform", "date")
    got = [(r.platform_id, r.event, r.date, r.status_after, r.level_after) for r in rows]
    assert got == [
        (operating.pk, "approved", D(2019, 4, 1), "operating", "municipal"),
        (revoked.pk, "approved", D(2018, 4, 1), "operating", "provincial"),
        (revoked.pk, "revoked", D(2023, 6, 1), "revoked", "provincial"),
    ]
    assert rows.get(platform=operating).document_no == "宛科〔2019〕7号"
    assert "实际日期不详" in rows.get(event="revoked").note
    assert not PlatformStatusChange.objects.filter(platform__in=[undated, preparing]).exists()
    # the revoked platform counts until the (assumed) day of its revocation
    counted = selectors.platforms_operating_on(D(2022, 12, 31)).filter(pk=revoked.pk)
    assert counted.exists()


# --- the demo generator -----------------------------------------------------------------------


def test_demo_platforms_carry_a_consistent_history(reference: None) -> None:
    call_command("generate_demo", scale=0.25, seed=5)
    platforms = InnovationPlatform.objects.filter(is_demo=True)
    events = PlatformStatusChange.objects.filter(platform__in=platforms)
    kinds = dict(events.values_list("event").annotate(n=Count("pk")))
    assert kinds["approved"] == platforms.exclude(status="preparing").count()
    assert kinds.get("upgraded", 0) > 0 and kinds.get("revoked", 0) > 0
    late_revocations = events.filter(event="revoked", date__gt=D(2020, 12, 31))
    assert late_revocations.exists()
    # the platform's fields are its latest event's state
    for platform in platforms.exclude(status="preparing").prefetch_related("status_changes")[:200]:
        history = sorted(platform.status_changes.all(), key=lambda c: (c.date, c.pk))
        assert history[0].event == "approved" and history[0].date == platform.approved_on
        assert (history[-1].status_after, history[-1].level_after) == (
            platform.status,
            platform.level,
        )
    # a platform revoked after 2020 still counts on 2020-12-31
    revoked = late_revocations.first().platform
    assert selectors.platforms_operating_on(D(2020, 12, 31)).filter(pk=revoked.pk).exists()
    assert not selectors.platforms_operating_on(D(2024, 12, 31)).filter(pk=revoked.pk).exists()


def test_an_import_cannot_change_what_the_history_decides(staff: Any, make_platform: Any) -> None:
    platform = approved(staff, make_platform, D(2020, 5, 1))
    content = export_xlsx("platforms", InnovationPlatform.objects.filter(pk=platform.pk), staff)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    unchanged = validate_upload("platforms", content, staff, filename="平台.xlsx")
    assert unchanged.errors == [] and unchanged.unchanged == 1
    sheet.cell(row=2, column=headers.index("级别") + 1, value="国家级")
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_upload("platforms", buffer.getvalue(), staff, filename="平台.xlsx")
    assert [(e.row, e.column_header) for e in report.errors] == [(2, "级别")]
    assert "由平台的状态变更记录决定" in report.errors[0].problem


def test_a_platform_registered_without_history_starts_it_from_its_approval_date(
    staff: Any, make_platform: Any
) -> None:
    registered = make_platform(approved_on=D(2021, 5, 1), approval_document="宛科〔2021〕3号")
    record(staff, registered, "revoked", D(2024, 3, 1))
    history = list(selectors.platform_status_changes(registered))
    assert [(c.event, c.date, c.document_no) for c in history] == [
        ("approved", D(2021, 5, 1), "宛科〔2021〕3号"),
        ("revoked", D(2024, 3, 1), ""),
    ]
    assert "补记" in history[0].note
    assert selectors.platforms_operating_on(D(2023, 12, 31)).filter(pk=registered.pk).exists()
    revoked = make_platform(approved_on=D(2019, 5, 1), status="revoked")
    with pytest.raises(ValidationError) as error:
        record(staff, revoked, "upgraded", D(2020, 3, 1), level="provincial")
    assert "登记为“已撤销”，但尚无状态变更记录：请先记录“撤销”" in field_error(error, "event")
    assert not revoked.status_changes.exists()
    record(staff, revoked, "revoked", D(2020, 3, 1))
    assert not selectors.platforms_operating_on(D(2020, 12, 31)).filter(pk=revoked.pk).exists()
    assert selectors.platforms_operating_on(D(2019, 12, 31)).filter(pk=revoked.pk).exists()
    preparing = make_platform(approved_on=D(2024, 5, 1), status="preparing")
    with pytest.raises(ValidationError) as error:
        record(staff, preparing, "suspended", D(2024, 6, 1))
    assert "请先记录“批准”" in field_error(error, "date")


# --- the set-based counts the monitoring's yearly series read ---------------------------------


def _history_for_counts(staff: Any, make_platform: Any, orgs: dict[str, Any]) -> dict[str, Any]:
    """Approvals, an upgrade, a same-day approval and revocation, a merge, a suspension and a
    resumption, one platform elsewhere and two without history (one revoked)."""
    a = approved(staff, make_platform, D(2019, 3, 1))
    record(staff, a, "upgraded", D(2022, 7, 1), level="provincial")
    b = approved(staff, make_platform, D(2020, 6, 1), level="provincial", kind="key_lab")
    record(staff, b, "merged", D(2023, 5, 1), merged_into=a, document_no="豫科〔2023〕9号")
    c = approved(staff, make_platform, D(2021, 12, 31))
    record(staff, c, "revoked", D(2021, 12, 31), document_no="宛科〔2021〕3号")
    d = approved(staff, make_platform, D(2020, 1, 1), level="national")
    record(staff, d, "suspended", D(2021, 3, 1))
    record(staff, d, "resumed", D(2022, 12, 31))
    e = approved(staff, make_platform, D(2022, 2, 1), host=orgs["wancheng"], level="provincial")
    f = make_platform(approved_on=D(2021, 5, 1), level="provincial")
    g = make_platform(approved_on=D(2021, 5, 1), status="revoked")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_operating_counts_equal_the_state_on_each_day(
    staff: Any, make_platform: Any, orgs: dict[str, Any], django_assert_num_queries: Any
) -> None:
    p = _history_for_counts(staff, make_platform, orgs)
    days = [D(2019, 12, 31), D(2020, 12, 31), D(2021, 12, 31), D(2022, 12, 31), D(2023, 12, 31)]
    with django_assert_num_queries(1):
        counts = selectors.platforms_operating_counts(days)
    wolong, wancheng = orgs["wolong"].area_id, orgs["wancheng"].area_id
    # 2019: a; 2020: a b d; 2021: a b f (c revoked the day it was approved, d suspended);
    # 2022: a b d e f; 2023: a d e f (b merged into a)
    assert {day: dict(c) for day, c in counts.items()} == {
        days[0]: {wolong: 1},
        days[1]: {wolong: 3},
        days[2]: {wolong: 3},
        days[3]: {wolong: 4, wancheng: 1},
        days[4]: {wolong: 3, wancheng: 1},
    }
    for day in days:
        expected = dict(
            selectors.platforms_operating_on(day)
            .values("area")
            .annotate(n=Count("pk"))
            .values_list("area", "n")
        )
        assert dict(counts[day]) == expected
    up = ["provincial", "national"]
    scoped = selectors.platforms_operating_counts(days, area=orgs["wolong"].area, levels=up)
    # at 省级以上 on the day: 2021 b d? (d suspended) → b f; 2022 a(upgraded) b d f
    assert [sum(scoped[day].values()) for day in days] == [0, 2, 2, 4, 3]
    assert sum(selectors.platforms_operating_counts(days, kinds=["key_lab"])[days[2]].values()) == 1
    assert p["g"].status == "revoked"


def test_new_counts_equal_the_new_platforms_up_to_each_end(
    staff: Any, make_platform: Any, orgs: dict[str, Any]
) -> None:
    _history_for_counts(staff, make_platform, orgs)
    start = D(2021, 1, 1)
    ends = [D(2021, 12, 31), D(2022, 12, 31), D(2023, 12, 31)]
    for kinds, levels, area in (
        (None, None, None),
        (None, ["provincial", "national"], None),
        (["key_lab"], None, None),
        (None, ["provincial", "national"], orgs["wolong"].area),
    ):
        counts = selectors.platforms_new_counts(start, ends, kinds, levels, area)
        assert counts == {
            end: selectors.platforms_new_between(start, end, kinds, levels, area).count()
            for end in ends
        }
    # 省级以上 new from 2021: f (2021, no history), a (upgraded 2022), e (2022, 宛城)
    assert selectors.platforms_new_counts(start, ends, None, ["provincial", "national"]) == {
        ends[0]: 1,
        ends[1]: 3,
        ends[2]: 3,
    }

"""The market's writes: listings and their workflow by role, the published lists, matches and the
pipeline, the index watermark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.models import AuditEntry
from kechuang.market import matching, selectors, services
from kechuang.market.models import (
    Achievement,
    Broker,
    ListingStatus,
    Match,
    MatchEvent,
    MatchStatus,
    PublishedList,
    TechDemand,
)
from kechuang.market.tests.conftest import DEMAND

pytestmark = pytest.mark.django_db


def test_enterprise_posts_a_demand_for_its_own_organization(users: dict[str, Any]) -> None:
    demand = services.save_listing(users["enterprise"], TechDemand(), dict(DEMAND))
    assert demand.organization == users["enterprise"].organization
    assert demand.area.name == "卧龙区"
    assert demand.status == ListingStatus.DRAFT
    entries = AuditEntry.objects.filter(object_id=str(demand.pk), content_type__model="techdemand")
    assert entries.exists()


def test_negative_budget_is_refused_in_chinese(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        services.save_listing(users["enterprise"], TechDemand(), {**DEMAND, "budget": Decimal(-1)})
    assert "budget" in error.value.message_dict
    assert TechDemand.objects.count() == 0


def test_staff_must_name_the_owner(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        services.save_listing(users["city_staff"], TechDemand(), dict(DEMAND))
    assert "发布单位" in str(error.value.message_dict), error.value.message_dict
    assert TechDemand.objects.count() == 0


def test_missing_problem_is_named(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        services.save_listing(users["enterprise"], TechDemand(), {"title": "只有标题"})
    assert "problem" in error.value.message_dict


def test_unknown_transfer_mode_is_refused(users: dict[str, Any]) -> None:
    data = {"title": "x", "description": "y", "maturity": "pilot", "trl": 5}
    with pytest.raises(ValidationError) as error:
        services.save_listing(
            users["institution"], Achievement(), {**data, "transfer_modes": ["送"]}
        )
    assert "转化方式只能是" in error.value.message_dict["transfer_modes"][0]


def test_workflow_submit_review_publish_close(publish: Callable[..., Any], users: dict) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="submit")
    assert demand.status == ListingStatus.SUBMITTED
    with pytest.raises(PermissionDenied):  # the owner does not review itself
        services.step(users["enterprise"], demand, "review")
    demand = services.step(users["county_staff"], demand, "review")  # the county's own node
    demand = services.step(users["county_staff"], demand, "publish")
    assert demand.status == ListingStatus.PUBLISHED
    assert demand.published_on is not None
    with pytest.raises(ValidationError, match="只有草稿或被退回的才能修改"):
        services.save_listing(users["enterprise"], demand, {"title": "改"})
    assert services.step(users["city_staff"], demand, "close").status == ListingStatus.CLOSED


def test_return_needs_a_reason_and_reopens_editing(
    publish: Callable[..., Any], users: dict
) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="submit")
    with pytest.raises(ValidationError, match="退回理由"):
        services.step(users["city_staff"], demand, "return")
    demand = services.step(users["city_staff"], demand, "return", "请补充量化指标")
    assert (demand.status, demand.return_reason) == (ListingStatus.RETURNED, "请补充量化指标")
    demand = services.save_listing(users["enterprise"], demand, {"targets": "温升降低 15 K"})
    assert services.step(users["enterprise"], demand, "submit").status == ListingStatus.SUBMITTED


def test_step_out_of_order_names_the_state(publish: Callable[..., Any], users: dict) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="submit")
    with pytest.raises(ValidationError, match="当前为已提交"):
        services.step(users["city_staff"], demand, "publish")
    with pytest.raises(ValidationError, match="未知的操作"):
        services.step(users["city_staff"], demand, "approve")


def test_another_county_cannot_review(
    publish: Callable[..., Any], users: dict, make_user: Callable[..., Any]
) -> None:
    from kechuang.registry.models import Area

    other = make_user("county_staff", "wancheng_staff", area=Area.objects.get(name="宛城区"))
    demand = publish("enterprise", TechDemand, DEMAND, until="submit")
    with pytest.raises(PermissionDenied):
        services.step(other, demand, "review")
    demand.refresh_from_db()
    assert demand.status == ListingStatus.SUBMITTED


def test_unpublished_is_invisible_to_public_and_other_enterprise(
    publish: Callable[..., Any], make_user: Callable[..., Any], orgs: dict
) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="review")
    other = make_user("enterprise", "other_ent", organization=orgs["wancheng"])
    assert not selectors.public_listings("demand").filter(pk=demand.pk).exists()
    assert not selectors.listings_for(other, "demand").filter(pk=demand.pk).exists()


def test_suggestions_explain_the_issues_example(market: dict[str, Any], users: dict) -> None:
    found = selectors.suggestions_for(users["enterprise"], "demand", market["demand"])
    best = found["achievement"][0]
    assert best.obj == market["achievement"]
    labels = {
        row["query_term"]: row["matched_term"] for row in best.explanation() if row["synonym"]
    }
    assert labels["电机"] == "电动机" and labels["散热"] == "冷却"
    assert all(s.obj != market["other"] for s in found["achievement"])
    assert any(flag for _, flag in best.highlighted_title())


def test_unpublished_achievement_is_never_suggested(
    publish: Callable[..., Any], market: dict, users: dict
) -> None:
    from kechuang.market.tests.conftest import ACHIEVEMENT

    draft = publish(
        "institution", Achievement, {**ACHIEVEMENT, "title": "隔爆电动机散热器"}, "submit"
    )
    found = selectors.suggestions_for(users["enterprise"], "demand", market["demand"])
    assert draft not in [s.obj for s in found["achievement"]]


def test_watermark_moves_and_the_index_follows(market: dict, users: dict) -> None:
    index = matching.get_index()
    assert ("achievement", market["achievement"].pk) in index
    before = matching.current_version()
    services.step(users["city_staff"], market["achievement"], "close")
    assert matching.current_version() == before + 1
    assert ("achievement", market["achievement"].pk) not in matching.get_index()
    assert matching.rebuild() == len(matching.get_index())


def test_one_listing_update_is_caught_up_without_a_rebuild(
    market: dict, users: dict, publish: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kechuang.market.tests.conftest import ACHIEVEMENT

    matching.get_index()  # the copy is current
    monkeypatch.setattr(matching, "build", lambda: pytest.fail("rebuilt instead of catching up"))
    data = {**ACHIEVEMENT, "title": "防爆电机散热风道"}
    fresh = publish("institution", Achievement, data)
    # visible to the next query (how fast: bench/bench_matching_scale.py, not a timed test)
    found = selectors.search(users["city_staff"], "散热风道", ("achievement",))[0]
    assert found[0].obj == fresh
    services.step(users["city_staff"], fresh, "close")
    found = selectors.search(users["city_staff"], "散热风道", ("achievement",))[0]
    assert fresh not in [s.obj for s in found]


def test_issue_list_freezes_items_and_numbers(market: dict, users: dict, wolong: Any) -> None:
    first = services.issue_list(
        users["city_staff"], "demands", [market["demand"].pk], wolong, on=dt.date(2026, 1, 5)
    )
    second = services.issue_list(users["city_staff"], "demands", [market["demand"].pk], wolong)
    assert (first.number, second.number, first.title) == (1, 2, "第1期技术需求清单")
    services.step(users["city_staff"], market["demand"], "close")
    first.refresh_from_db()
    assert first.items[0]["title"] == DEMAND["title"]  # frozen as issued


def test_issue_list_refuses_unpublished_and_roles(
    publish: Callable[..., Any], users: dict, wolong: Any
) -> None:
    draft = publish("enterprise", TechDemand, DEMAND, until="submit")
    with pytest.raises(ValidationError, match=str(draft.pk)):
        services.issue_list(users["city_staff"], "demands", [draft.pk], wolong)
    with pytest.raises(PermissionDenied):
        services.issue_list(users["enterprise"], "demands", [draft.pk], wolong)
    assert PublishedList.objects.count() == 0


def test_pipeline_moves_one_stage_at_a_time_with_history(market: dict, users: dict) -> None:
    match = services.create_match(users["county_staff"], market["demand"], market["achievement"])
    assert match.score > 0 and match.explanation
    with pytest.raises(ValidationError, match="只能从"):
        services.move_match(users["county_staff"], match, "signed")
    for status in ("contacted", "negotiating", "signed", "closed"):
        match = services.move_match(users["county_staff"], match, status, on=dt.date(2026, 2, 1))
    assert match.status == MatchStatus.CLOSED
    steps = list(
        MatchEvent.objects.filter(match=match).order_by("id").values_list("to_status", flat=True)
    )
    assert steps == ["recommended", "contacted", "negotiating", "signed", "closed"]
    with pytest.raises(ValidationError, match="不能再变更"):
        services.move_match(users["county_staff"], match, "failed", reason="x")


def test_failed_needs_a_reason(market: dict, users: dict) -> None:
    match = services.create_match(users["city_staff"], market["demand"], market["achievement"])
    with pytest.raises(ValidationError, match="原因"):
        services.move_match(users["city_staff"], match, "failed")
    match = services.move_match(users["city_staff"], match, "failed", reason="价格未谈拢")
    assert (match.status, match.failure_reason) == ("failed", "价格未谈拢")
    with pytest.raises(ValidationError, match="进行中"):
        services.create_match(users["city_staff"], market["demand"], market["other"])
        services.create_match(users["city_staff"], market["demand"], market["other"])


def test_a_broker_follows_the_match_assigned_to_them(
    market: dict, users: dict, make_user: Callable[..., Any], wolong: Any
) -> None:
    account = make_user("expert", "broker1")
    broker = Broker.objects.create(name="演示经理人", user=account, area=wolong, fields="电机")
    match = services.create_match(
        users["county_staff"], market["demand"], market["achievement"], broker=broker
    )
    assert selectors.match_for(account, match.pk) == match
    services.move_match(account, match, "contacted")
    stranger = make_user("expert", "broker2")
    Broker.objects.create(name="另一位", user=stranger, area=wolong, fields="食品")
    with pytest.raises(PermissionDenied):
        services.move_match(stranger, match, "negotiating")
    assert Match.objects.get(pk=match.pk).status == "contacted"
    with pytest.raises(PermissionDenied):
        services.create_match(users["enterprise"], market["demand"], market["achievement"])

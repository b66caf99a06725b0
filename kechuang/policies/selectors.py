"""Reads of the policies module: policies, runs, entitlements, objections and batches as a user
may see them; the facts the engine reads, gathered from the confirmed registry in a few
vectorised queries; uptake figures and the simulation over the actual registry.

What counts (the same definitions as everywhere in Kechuang):
- qualifications: verified rows only (`Qualification.counted()`), held on 31 December of the
  year; "first granted in the year" = the enterprise's earliest verified certificate of the kind
  was issued in that year;
- annual figures: confirmed reports only (`confirmed_at` set, on or before the run's date);
- platforms: approvals and upgrades recorded in the platform history within the year (the
  platform's approval date and current level when it has no recorded history), hosted by the
  enterprise;
- technology contracts: registered (or changed) contracts the enterprise sold, by 登记日期, summed
  on 核定技术交易额 (`contracts.selectors.counted_contracts`);
- patents: invention patents granted (授权公告日) within the year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from kechuang.contracts.selectors import counted_contracts
from kechuang.policies.engine import Facts, parse_policy, summarise
from kechuang.policies.engine.rules import Needs, needs_of
from kechuang.policies.engine.simulate import Comparison, Summary, compare, with_changes
from kechuang.policies.engine.vocabulary import FIGURES
from kechuang.policies.models import (
    BenefitRun,
    Entitlement,
    EntitlementStatus,
    Objection,
    ObjectionStatus,
    PaymentBatch,
    Policy,
    PolicyStatus,
    PolicyVersion,
)
from kechuang.policies.permissions import MANAGE_POLICIES, REVIEW_ENTITLEMENTS
from kechuang.registry.models import (
    AnnualReport,
    InnovationPlatform,
    Organization,
    Patent,
    PlatformEvent,
    PlatformStatusChange,
    Qualification,
)

# --- what a user sees --------------------------------------------------------------------------


def policies_for(user: Any) -> QuerySet[Policy]:
    """Issued policies for every signed-in user (they are public); drafts for the bureau."""
    visible = Policy.objects.restrict(user, "view")
    if getattr(user, "is_authenticated", False):
        visible = Policy.objects.filter(
            Q(pk__in=visible.values("pk")) | Q(status=PolicyStatus.ISSUED)
        )
    return visible.order_by("code")


def policy_for(user: Any, pk: int) -> Policy | None:
    return policies_for(user).filter(pk=pk).first()


def versions_of(policy: Policy) -> QuerySet[PolicyVersion]:
    return policy.versions.order_by("-number")


def runs_for(user: Any) -> QuerySet[BenefitRun]:
    """Runs: the city's (restrict); county staff read every run too, since they review their
    area's entitlements of it (the entitlements stay restricted to their area)."""
    runs = BenefitRun.objects.restrict(user, "view")
    if REVIEW_ENTITLEMENTS.allows(user) and not MANAGE_POLICIES.allows(user):
        runs = BenefitRun.objects.all()
    return runs.select_related("version__policy").order_by("-year", "-pk")


def run_for(user: Any, pk: int) -> BenefitRun | None:
    return runs_for(user).filter(pk=pk).first()


def entitlements_for(user: Any) -> QuerySet[Entitlement]:
    return Entitlement.objects.restrict(user, "view").select_related(
        "organization__area", "run__version__policy", "batch"
    )


def entitlement_for(user: Any, pk: int) -> Entitlement | None:
    return entitlements_for(user).filter(pk=pk).first()


def run_entitlements(
    user: Any, run: BenefitRun, status: str = "", q: str = ""
) -> QuerySet[Entitlement]:
    rows = entitlements_for(user).filter(run=run)
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(organization__name__icontains=q) | Q(organization__uscc=q))
    return rows.order_by("-amount", "organization__name")


def notice_rows(run: BenefitRun) -> QuerySet[Entitlement]:
    """The public notice's list (公示): the entitled enterprises and amounts of a run in notice
    (never the near misses, the excluded nor any bank account)."""
    shown = (
        EntitlementStatus.ENTITLED,
        EntitlementStatus.HELD,
        EntitlementStatus.CONFIRMED,
        EntitlementStatus.BATCHED,
        EntitlementStatus.PAID,
    )
    return (
        run.entitlements.filter(status__in=shown)
        .select_related("organization__area")
        .order_by("organization__area__code", "organization__name")
    )


def my_entitlements(user: Any) -> QuerySet[Entitlement]:
    """The enterprise's own page (我可享受的政策): its entitlements and near misses."""
    return entitlements_for(user).order_by("-run__year", "-pk")


def objections_for(user: Any, run: BenefitRun | None = None) -> QuerySet[Objection]:
    rows = Objection.objects.restrict(user, "view").select_related(
        "entitlement__organization", "entitlement__run__version__policy", "raised_by"
    )
    return rows.filter(entitlement__run=run) if run else rows


def batches_for(user: Any, run: BenefitRun | None = None) -> QuerySet[PaymentBatch]:
    rows = PaymentBatch.objects.restrict(user, "view").select_related("run__version__policy")
    return rows.filter(run=run) if run else rows


def batch_for(user: Any, pk: int) -> PaymentBatch | None:
    return batches_for(user).filter(pk=pk).first()


def batch_rows(batch: PaymentBatch) -> QuerySet[Entitlement]:
    return batch.entitlements.select_related("organization__area").order_by("organization__name")


def budget_used(policy: Policy, year: int, exclude_batch: PaymentBatch | None = None) -> Decimal:
    """What the batches of `policy` for `year` have already taken from its budget."""
    batches = PaymentBatch.objects.filter(run__version__policy=policy, run__year=year)
    if exclude_batch is not None:
        batches = batches.exclude(pk=exclude_batch.pk)
    return batches.aggregate(total=Sum("total"))["total"] or Decimal(0)


def open_objections(entitlement: Entitlement) -> bool:
    return entitlement.objections.filter(status=ObjectionStatus.OPEN).exists()


# --- the facts of the registry ------------------------------------------------------------------


def _enterprises(
    area_ids: Iterable[int] | None, organization_ids: Iterable[int] | None = None
) -> QuerySet[Organization]:
    rows = Organization.objects.filter(kind="enterprise")
    if organization_ids is not None:
        rows = rows.filter(pk__in=list(organization_ids))
    return rows.filter(area__in=list(area_ids)) if area_ids is not None else rows


def _qualification_facts(
    year: int, orgs: QuerySet[Organization], kinds: Iterable[str] | None = None
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    end, start = dt.date(year, 12, 31), dt.date(year, 1, 1)
    held: dict[int, set[str]] = defaultdict(set)
    first: dict[tuple[int, str], dt.date] = {}
    rows = Qualification.objects.filter(Qualification.counted(), organization__in=orgs.values("pk"))
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    for pk, kind, issued, expires in rows.values_list(
        "organization_id", "kind", "issued_on", "expires_on"
    ).iterator(chunk_size=20000):
        if issued <= end and (expires is None or expires >= end):
            held[pk].add(kind)
        if (pk, kind) not in first or issued < first[(pk, kind)]:
            first[(pk, kind)] = issued
    first_granted: dict[int, set[str]] = defaultdict(set)
    for (pk, kind), issued in first.items():
        if start <= issued <= end:
            first_granted[pk].add(kind)
    return held, first_granted


def _figure_facts(
    year: int, as_of: dt.date, orgs: QuerySet[Organization], names: list[str] | None = None
) -> dict[int, dict[int, dict[str, Decimal | None]]]:
    figures: dict[int, dict[int, dict[str, Decimal | None]]] = defaultdict(dict)
    names = list(FIGURES) if names is None else names
    if not names:
        return figures
    rows = AnnualReport.objects.filter(
        organization__in=orgs.values("pk"),
        year__in=(year - 1, year),
        confirmed_at__isnull=False,
        confirmed_at__date__lte=as_of,
    )
    columns = rows.values_list("organization_id", "year", *names)
    for pk, row_year, *values in columns.iterator(chunk_size=20000):
        figures[pk][row_year] = dict(zip(names, values, strict=True))
    return figures


def _platform_facts(year: int, orgs: QuerySet[Organization]) -> dict[int, list[tuple[str, ...]]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    events = PlatformStatusChange.objects.filter(
        event__in=(PlatformEvent.APPROVED, PlatformEvent.UPGRADED),
        date__range=(start, end),
        platform__host__in=orgs.values("pk"),
    )
    for host, kind, event, before, after in events.values_list(
        "platform__host_id", "platform__kind", "event", "level_before", "level_after"
    ):
        found[host].append((kind, after, before if event == PlatformEvent.UPGRADED else ""))
    plain = InnovationPlatform.objects.filter(
        ~Exists(PlatformStatusChange.objects.filter(platform=OuterRef("pk"))),
        approved_on__range=(start, end),
        host__in=orgs.values("pk"),
    )
    for host, kind, level in plain.values_list("host_id", "kind", "level"):
        found[host].append((kind, level, ""))
    return found


def _contract_facts(year: int, orgs: QuerySet[Organization]) -> dict[int, Decimal]:
    rows = (
        counted_contracts()
        .filter(registered_on__year=year, seller__in=orgs.values("pk"))
        .values("seller_id")
        .annotate(total=Sum("tech_amount"))
    )
    return {r["seller_id"]: r["total"] or Decimal(0) for r in rows}


def _patent_facts(year: int, orgs: QuerySet[Organization]) -> dict[int, int]:
    rows = (
        Patent.objects.filter(
            kind="invention", grant_date__year=year, organization__in=orgs.values("pk")
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
    )
    return {r["organization_id"]: r["n"] for r in rows}


def registry_facts(
    year: int,
    as_of: dt.date | None = None,
    area_ids: Iterable[int] | None = None,
    organization_ids: Iterable[int] | None = None,
    needs: Needs | None = None,
) -> list[Facts]:
    """The engine's facts for every enterprise (of `area_ids`, or only `organization_ids`, when
    given) for `year`, from the confirmed registry as of `as_of` (today by default). Seven
    queries at most, whatever the size; with `needs` (what a policy reads, `needs_of`) only the
    tables and figures it names."""
    as_of = as_of or dt.date.today()
    orgs = _enterprises(area_ids, organization_ids)
    kinds = None if needs is None else needs.qualifications
    held, first = _qualification_facts(year, orgs, kinds) if kinds != frozenset() else ({}, {})
    names = None if needs is None else sorted(needs.figures)
    figures = _figure_facts(year, as_of, orgs, names)
    platforms = _platform_facts(year, orgs) if needs is None or needs.platforms else {}
    contracts = _contract_facts(year, orgs) if needs is None or needs.contracts else {}
    patents = _patent_facts(year, orgs) if needs is None or needs.patents else {}
    facts = []
    columns = ("pk", "name", "area__code", "area__name", "size_class")
    for pk, name, area, area_name, size in orgs.values_list(*columns).iterator(chunk_size=20000):
        facts.append(
            Facts(
                organization_id=pk,
                name=name,
                area=area or "",
                area_name=area_name or "",
                size=size or "",
                held=frozenset(held.get(pk, ())),
                first_granted=frozenset(first.get(pk, ())),
                figures=figures.get(pk, {}),
                new_platforms=tuple(platforms.get(pk, ())),
                contract_amount=contracts.get(pk, Decimal(0)),
                patents_granted=patents.get(pk, 0),
            )
        )
    return facts


def rewarded_before(policy: Policy, year: int) -> set[int]:
    """Enterprises that already hold a live entitlement of `policy` for an earlier year (for
    one-time rewards)."""
    rows = Entitlement.objects.filter(
        run__version__policy=policy, run__year__lt=year, amount__gt=0
    ).exclude(status__in=(EntitlementStatus.NEAR_MISS, EntitlementStatus.EXCLUDED, "declined"))
    return set(rows.values_list("organization_id", flat=True))


# --- simulation and uptake ----------------------------------------------------------------------


def simulate(document: dict[str, Any], year: int, policy: Policy | None = None) -> Summary:
    """What a (draft) policy document would reach and cost over the actual registry for `year`."""
    rewarded = rewarded_before(policy, year) if policy else set()
    needs = needs_of(parse_policy(document))
    return summarise(document, registry_facts(year, needs=needs), year, rewarded)


def simulate_change(
    document: dict[str, Any], changes: dict[str, Any], year: int, policy: Policy | None = None
) -> Comparison:
    rewarded = rewarded_before(policy, year) if policy else set()
    needs = needs_of(parse_policy(document)) | needs_of(
        parse_policy(with_changes(document, changes))
    )
    return compare(document, changes, registry_facts(year, needs=needs), year, rewarded)


def uptake(user: Any, run: BenefitRun) -> dict[str, Any]:
    """Per area of a run: entitled, confirmed, declined, objected, paid, the 应享尽享 rate
    (paid ÷ entitled enterprises) and the mean days from the data (the run's cut-off) to the
    payment, within what `user` may see."""
    rows = entitlements_for(user).filter(run=run).exclude(status=EntitlementStatus.NEAR_MISS)
    areas: dict[str, dict[str, Any]] = {}
    counted = ("entitled", "confirmed", "declined", "objected", "paid", "excluded")
    for e in rows.annotate(objected=Count("objections")):
        area = e.organization.area.name if e.organization.area_id else "未填写"
        row = areas.setdefault(area, {**dict.fromkeys(counted, 0), "amount": Decimal(0)})
        row["entitled"] += e.status != EntitlementStatus.EXCLUDED
        row["excluded"] += e.status == EntitlementStatus.EXCLUDED
        row["confirmed"] += e.confirmed_at is not None
        row["declined"] += e.status == EntitlementStatus.DECLINED
        row["objected"] += e.objected > 0
        row["paid"] += e.status == EntitlementStatus.PAID
        row["amount"] += e.paid_amount or Decimal(0)
        if e.paid_on:
            row.setdefault("days", []).append((e.paid_on - run.as_of).days)
    for row in areas.values():
        row["rate"] = (row["paid"] / row["entitled"]) if row["entitled"] else None
        days = row.pop("days", [])
        row["days_to_payment"] = round(sum(days) / len(days), 1) if days else None
    return dict(sorted(areas.items()))

"""Batch screening (service): every enterprise on record, or one area's, against 高企 (hnte-2016),
科小 (tsme-2022) and the configurable tier rule sets; writes the reserve pool and its movements.

Flow: :func:`start_screening` (a user's request: permission, scope, an audited run, a background
task) → the task → :func:`execute_run` → :func:`screen` (pure computation over the registry's
cases, vectorised with numpy) → :func:`write_pool` (entries upserted, movements appended).

Pool entries are derived data, rewritten by every run; the audited unit is the run (who asked,
when, for which area, with which policy, and its summary), and the movements are the history.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.accounts.audit import record
from kechuang.accounts.roles import is_government
from kechuang.accounts.scoping import fits_scope
from kechuang.cultivation.cases import cases_for
from kechuang.cultivation.engine import CaseError, assess, hnte_2016, load_case, tsme_2022
from kechuang.cultivation.engine.metrics import compute_metrics
from kechuang.cultivation.engine.tiers import assign_reserve_tiers, evaluate_rule_sets
from kechuang.cultivation.engine.vector import (
    FigureArrays,
    VectorInputError,
    figures_from_cases,
    screen_hnte,
    screen_tsme,
)
from kechuang.cultivation.models import (
    DataStatus,
    PoolEntry,
    ReservePolicy,
    RunStatus,
    ScreeningRun,
    TierMovement,
    TierRuleSet,
    stage_counts_text,
)
from kechuang.registry.models import Area, InnovationPlatform, Organization
from kechuang.registry.models.platforms import PlatformKind, PlatformStatus

log = logging.getLogger(__name__)

HNTE = "hnte"  # the stage after the reserve pool (a movement's to_tier may be it)
HNTE_CONDITION_LABELS = {
    "hnte.c1.registration": "注册满一年",
    "hnte.c2.ip_ownership": "知识产权",
    "hnte.c3.tech_field": "技术领域",
    "hnte.c4.st_staff_ratio": "科技人员占比",
    "hnte.c5.rd_ratio": "研发费用占比",
    "hnte.c5.rd_domestic_share": "境内研发费用占比",
    "hnte.c6.hightech_revenue_share": "高新收入占比",
    "hnte.c7.innovation_score": "创新能力评分",
    "hnte.c8.no_major_incident": "无重大事故",
}
# A previous result this many days before the new one counts as "a year earlier" for the
# annual tier-to-HNTE conversion rates.
ANNUAL_WINDOW = (300, 430)
BATCH = 5000
GAP_MAX_FAILED = 2  # gaps are stored for enterprises failing at most this many HNTE conditions
RD_PLATFORM_KINDS = (
    PlatformKind.KEY_LAB,
    PlatformKind.TECH_INNOVATION_CENTER,
    PlatformKind.ENGINEERING_CENTER,
    PlatformKind.ENTERPRISE_TECH_CENTER,
    PlatformKind.NEW_RD_INSTITUTE,
    PlatformKind.ACADEMICIAN_STATION,
    PlatformKind.ZHONGYUAN_SCHOLAR_STATION,
    PlatformKind.POSTDOC_STATION,
    PlatformKind.INTERNATIONAL_JOINT_LAB,
    PlatformKind.CLINICAL_RESEARCH_CENTER,
    PlatformKind.MANUFACTURING_INNOVATION_CENTER,
)
# The report figures the tier metrics (engine/metrics.py) are derived from.
METRIC_YEAR_FIELDS = (
    "sales_revenue",
    "total_revenue",
    "rd_expense",
    "cost_expense_total",
    "net_assets_end",
    "total_assets_end",
    "employees_avg",
    "st_staff_avg",
)


# --------------------------------------------------------------------------- starting a run


def start_screening(
    user: Any, as_of: dt.date | None = None, area: Area | None = None
) -> ScreeningRun:
    """Queue a screening for `user`: city staff for the city or any area, county staff for their
    own area only. Returns the queued run; the background worker executes it."""
    if not is_government(user):
        raise PermissionDenied("只有市科技局工作人员和县区工作人员可以发起批量筛查。")
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError({"as_of": ["评价基准日不能晚于今天。"]})
    if as_of.year < 2000:
        raise ValidationError({"as_of": ["评价基准日不早于 2000 年。"]})
    run = ScreeningRun(as_of=as_of, area=area or user.area, requested_by=user)
    if not fits_scope(user, "add", run):  # the run's area must lie within the user's
        raise PermissionDenied("您只能筛查本县区的企业。")
    from kechuang.cultivation.tasks import screen_enterprises

    with transaction.atomic():
        run.save()
        run.task_id = str(screen_enterprises.enqueue(run.pk).id)
        ScreeningRun.objects.filter(pk=run.pk).update(task_id=run.task_id)
    return run


# --------------------------------------------------------------------------- computing


@dataclass
class Screened:
    """What :func:`screen` found for each organization (keyed by organization id)."""

    as_of: dt.date
    org_ids: list[int]
    data_status: dict[int, str] = field(default_factory=dict)
    missing: dict[int, list[str]] = field(default_factory=dict)
    latest_year: dict[int, int | None] = field(default_factory=dict)
    held: dict[int, set[str]] = field(default_factory=dict)
    hnte: dict[str, np.ndarray] = field(default_factory=dict)  # per org index
    tsme: dict[str, np.ndarray] = field(default_factory=dict)
    failed: list[list[str]] = field(default_factory=list)
    gaps: dict[int, list[str]] = field(default_factory=dict)
    tier: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    tier_codes: tuple[str, ...] = ()
    rule_sets: dict[str, np.ndarray] = field(default_factory=dict)


def _case_errors(error: CaseError) -> list[str]:
    return [f"{k}：{m}" if k else m for k, ms in error.errors.items() for m in ms][:5]


def screen(
    organizations: Any, as_of: dt.date, policy: ReservePolicy, rule_sets: list[TierRuleSet]
) -> Screened:
    """Screen the enterprises of the queryset on `as_of` (no writes)."""
    cases, reports, held = cases_for(organizations, as_of)
    org_ids = list(cases)
    n = len(org_ids)
    out = Screened(as_of=as_of, org_ids=org_ids, held=held)
    complete: list[int] = []
    parsed = []
    for i, pk in enumerate(org_ids):
        rows = reports.get(pk, [])
        out.latest_year[pk] = rows[-1]["year"] if rows else None
        if not rows:
            out.data_status[pk] = DataStatus.NO_DATA
            continue
        try:
            case = load_case(cases[pk])
            hnte_2016.check_case(case)
            tsme_2022.check_case(case)
        except CaseError as error:
            out.data_status[pk] = DataStatus.INCOMPLETE
            out.missing[pk] = _case_errors(error)
            continue
        out.data_status[pk] = DataStatus.COMPLETE
        complete.append(i)
        parsed.append(case)

    parsed_by_row = dict(zip(complete, parsed, strict=True))
    figures, complete = _vectorisable(org_ids, complete, parsed, out)
    nan = np.full(n, np.nan)
    hnte_eligible, tsme_eligible = nan.copy(), nan.copy()
    hnte_min, hnte_max, tsme_min, tsme_max, failed_n = (nan.copy() for _ in range(5))
    out.failed = [[] for _ in range(n)]
    if figures is not None:
        h, t = screen_hnte(figures), screen_tsme(figures)
        index = np.array(complete)
        hnte_eligible[index] = h.eligible
        tsme_eligible[index] = t.eligible
        hnte_min[index], hnte_max[index] = h.total_min, h.total_max
        tsme_min[index], tsme_max[index] = t.total_min, t.total_max
        verdicts = np.stack(list(h.conditions.values()))  # (conditions, rows)
        failed_n[index] = (verdicts == 0).sum(axis=0)
        codes = list(h.conditions)
        for row, i in enumerate(complete):
            out.failed[i] = [codes[c] for c in np.flatnonzero(verdicts[:, row] == 0)]
        _close_gaps(org_ids, complete, parsed_by_row, failed_n, out)
    out.hnte = {"eligible": hnte_eligible, "min": hnte_min, "max": hnte_max, "failed": failed_n}
    out.tsme = {"eligible": tsme_eligible, "min": tsme_min, "max": tsme_max}

    metrics = compute_metrics(
        _year_arrays(org_ids, reports),
        _scalars(org_ids, cases, reports, held, as_of, out),
    )
    engine_policy = policy.to_engine()
    out.tier = assign_reserve_tiers(engine_policy, metrics)
    out.tier_codes = tuple(t.code for t in engine_policy.tiers)
    out.rule_sets = evaluate_rule_sets([r.to_engine() for r in rule_sets], metrics, as_of)
    return out


def _close_gaps(
    org_ids: list[int],
    rows: list[int],
    cases: dict[int, Any],
    failed: np.ndarray,
    out: Screened,
) -> None:
    """The HNTE gaps, in the user's units, of the enterprises close to HNTE (at most
    GAP_MAX_FAILED conditions failing, not holding it yet): the single-case engine's own
    answer, so the list says exactly what each one lacks."""
    for i in rows:
        pk = org_ids[i]
        if not 0 < failed[i] <= GAP_MAX_FAILED or "HNTE" in out.held.get(pk, ()):
            continue
        result = assess("hnte-2016", cases[i])
        out.gaps[pk] = [gap.message_zh for gap in result.gaps]


def _vectorisable(
    org_ids: list[int], complete: list[int], parsed: list[Any], out: Screened
) -> tuple[FigureArrays | None, list[int]]:
    """The column store of the cases the vector path can represent exactly, and their row
    indexes; any other case (e.g. an amount beyond 10¹³ 万元) is reported as incomplete with the
    reason instead of failing the whole run."""
    if not parsed:
        return None, []
    try:
        return figures_from_cases(parsed), complete
    except VectorInputError:
        pass
    kept_index, kept_cases = [], []
    for i, case in zip(complete, parsed, strict=True):
        try:
            figures_from_cases([case])
        except VectorInputError as error:
            pk = org_ids[i]
            out.data_status[pk] = DataStatus.INCOMPLETE
            out.missing[pk] = [str(error).removeprefix("案例 0：")]
            continue
        kept_index.append(i)
        kept_cases.append(case)
    return (figures_from_cases(kept_cases) if kept_cases else None), kept_index


def _year_arrays(org_ids: list[int], reports: dict[int, list[dict]]) -> dict[str, np.ndarray]:
    """Report figures right-aligned in (n, 3) float arrays (NaN where missing)."""
    n = len(org_ids)
    arrays = {name: np.full((n, 3), np.nan) for name in METRIC_YEAR_FIELDS}
    for i, pk in enumerate(org_ids):
        rows = reports.get(pk, [])
        for j, row in enumerate(rows, start=3 - len(rows)):
            for name in METRIC_YEAR_FIELDS:
                if row[name] is not None:
                    arrays[name][i, j] = float(row[name])
    return arrays


def _main_business_share(org_ids: list[int], reports: dict[int, list[dict]]) -> np.ndarray:
    """主营业务收入 / 销售收入（营业收入）of the latest report, in %; NaN when not reported."""
    out = np.full(len(org_ids), np.nan)
    for i, pk in enumerate(org_ids):
        rows = reports.get(pk)
        if rows and rows[-1]["main_revenue"] is not None and rows[-1]["sales_revenue"]:
            out[i] = float(rows[-1]["main_revenue"]) * 100 / float(rows[-1]["sales_revenue"])
    return out


def _rd_platforms(org_ids: list[int], as_of: dt.date) -> np.ndarray:
    """1 where the enterprise hosts an operating R&D platform (municipal level or above, every
    level the registry holds) approved by `as_of`; incubators and service bodies do not count."""
    hosts = set(
        InnovationPlatform.objects.filter(
            kind__in=RD_PLATFORM_KINDS, status=PlatformStatus.OPERATING, approved_on__lte=as_of
        ).values_list("host_id", flat=True)
    )
    return np.array([1.0 if pk in hosts else 0.0 for pk in org_ids])


def _scalars(
    org_ids: list[int],
    cases: dict[int, dict],
    reports_of: dict[int, list[dict]],
    held: dict[int, set[str]],
    as_of: dt.date,
    out: Screened,
) -> dict[str, np.ndarray]:
    def flag(kind: str) -> np.ndarray:
        return np.array([1.0 if kind in held.get(pk, ()) else 0.0 for pk in org_ids])

    ages = []
    for pk in org_ids:
        registered = cases[pk]["registered_on"]
        ages.append(
            (as_of - dt.date.fromisoformat(registered)).days / 365.25 if registered else np.nan
        )
    return {
        "is_hnte": flag("HNTE"),
        "is_tsme": flag("TSME"),
        "holds_gazelle": flag("gazelle"),
        "holds_innovation_leader": flag("innovation_leader"),
        "holds_eaglet": flag("eaglet"),
        "holds_srdi": flag("srdi"),
        "holds_innovative_sme": flag("innovative_sme"),
        "main_business_share_last": _main_business_share(org_ids, reports_of),
        "rd_platform_municipal": _rd_platforms(org_ids, as_of),
        "hnte_eligible": out.hnte["eligible"],
        "tsme_eligible": out.tsme["eligible"],
        "hnte_failed_conditions": out.hnte["failed"],
        "hnte_total_min": out.hnte["min"],
        "hnte_total_max": out.hnte["max"],
        "tsme_total_min": out.tsme["min"],
        "tsme_total_max": out.tsme["max"],
        "age_years": np.array(ages, dtype=float),
        "class_i_ip": np.array([float(cases[pk]["ip"]["class_i"]) for pk in org_ids]),
        "class_ii_ip": np.array([float(cases[pk]["ip"]["class_ii"]) for pk in org_ids]),
    }


# --------------------------------------------------------------------------- writing


def stage_of(entry_tier: str, is_hnte: bool) -> str:
    """The funnel stage: HNTE holders are past the pool; '' is "not in the pool"."""
    return HNTE if is_hnte else entry_tier


def _int(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def write_pool(run: ScreeningRun, screened: Screened) -> dict[str, Any]:
    """Upsert the pool entries of the screened organizations, append their movements, and
    return the run's summary (counts by stage, data problems, annual transitions)."""
    previous = {
        e["organization_id"]: e
        for start in range(0, len(screened.org_ids), BATCH)  # bounded IN lists
        for e in PoolEntry.objects.filter(
            organization_id__in=screened.org_ids[start : start + BATCH]
        ).values("organization_id", "tier", "tier_since", "is_hnte", "as_of")
    }
    stages: Counter[str] = Counter()
    data: Counter[str] = Counter()
    transitions: dict[str, Counter[str]] = defaultdict(Counter)
    entries: list[PoolEntry] = []
    movements: list[TierMovement] = []
    rule_counts: dict[str, Counter[int]] = {code: Counter() for code in screened.rule_sets}
    as_of = screened.as_of
    kept_newer = 0
    for i, pk in enumerate(screened.org_ids):
        before = previous.get(pk)
        if before is not None and before["as_of"] > as_of:
            kept_newer += 1  # a run as of an earlier day never overwrites a later result
            continue
        held = screened.held.get(pk, set())
        is_hnte = "HNTE" in held
        tier_index = int(screened.tier[i])
        tier = screened.tier_codes[tier_index] if tier_index >= 0 else ""
        stage = stage_of(tier, is_hnte)
        before_stage = stage_of(before["tier"], before["is_hnte"]) if before else ""
        since = before["tier_since"] if before and before["tier"] == tier and tier else None
        if stage != before_stage:
            movements.append(
                TierMovement(
                    organization_id=pk, run=run, on=as_of, from_tier=before_stage, to_tier=stage
                )
            )
        if before is not None:
            days = (as_of - before["as_of"]).days
            if ANNUAL_WINDOW[0] <= days <= ANNUAL_WINDOW[1]:
                transitions[before_stage or "none"][stage or "none"] += 1
        stages[stage or "none"] += 1
        data[screened.data_status[pk]] += 1
        results = {code: int(values[i]) for code, values in screened.rule_sets.items()}
        for code, value in results.items():
            rule_counts[code][value] += 1
        entries.append(
            PoolEntry(
                organization_id=pk,
                run=run,
                as_of=as_of,
                data_status=screened.data_status[pk],
                missing=screened.missing.get(pk, []),
                latest_year=screened.latest_year.get(pk),
                tier=tier,
                tier_since=since or (as_of if tier else None),
                is_hnte=is_hnte,
                is_tsme="TSME" in held,
                is_gazelle="gazelle" in held,
                is_leader="innovation_leader" in held,
                hnte_eligible=_int(screened.hnte["eligible"][i]),
                hnte_failed=_int(screened.hnte["failed"][i]),
                failed_conditions=screened.failed[i],
                gaps=screened.gaps.get(pk, []),
                hnte_total_min=_int(screened.hnte["min"][i]),
                hnte_total_max=_int(screened.hnte["max"][i]),
                tsme_eligible=_int(screened.tsme["eligible"][i]),
                tsme_total_min=_int(screened.tsme["min"][i]),
                tier_results=results,
            )
        )
    fields = [
        f.name
        for f in PoolEntry._meta.concrete_fields
        if f.name not in ("id", "organization", "created_at")
    ]
    with transaction.atomic():
        for start in range(0, len(entries), BATCH):
            PoolEntry.objects.bulk_create(
                entries[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["organization"],
                update_fields=fields,
            )
        TierMovement.objects.bulk_create(movements, batch_size=BATCH)
    return {
        "screened": len(screened.org_ids),
        "stages": dict(stages),
        "data": dict(data),
        "movements": len(movements),
        "kept_newer": kept_newer,
        "transitions": {k: dict(v) for k, v in transitions.items()},
        "rule_sets": {k: {str(c): n for c, n in v.items()} for k, v in rule_counts.items()},
    }


def execute_run(run_id: int) -> ScreeningRun:
    """Run a queued screening (called by the background task); a failure is recorded on the
    run with its message and changes no entry."""
    run = ScreeningRun.objects.select_related("area").get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.FAILED):
        return run
    started = time.perf_counter()
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), error=""
    )
    try:
        policy = ReservePolicy.objects.get(active=True)
        organizations = Organization.objects.filter(kind="enterprise")
        if run.area_id:
            organizations = organizations.filter(area__in=Area.subtree_ids(run.area.path))
        rule_sets = list(TierRuleSet.objects.exclude(status="inactive"))
        screened = screen(organizations, run.as_of, policy, rule_sets)
        summary = write_pool(run, screened)
    except ReservePolicy.DoesNotExist:
        return _fail(
            run, "没有启用的后备库分级规则，请先在管理后台启用一套规则（load_tier_rules）。"
        )
    except Exception as error:  # a failed run must say why, whatever happened
        log.exception("screening run %s failed", run.pk)
        return _fail(run, f"筛查失败：{error}")
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return _finish(
        run, RunStatus.DONE, _note(run, summary), policy_version=policy.version, summary=summary
    )


def _fail(run: ScreeningRun, message: str) -> ScreeningRun:
    return _finish(run, RunStatus.FAILED, message, error=message)


def _finish(run: ScreeningRun, status: str, note: str, **fields: Any) -> ScreeningRun:
    """Close the run (a queryset update, so the audit entry is written here)."""
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), **fields
    )
    run.refresh_from_db()
    record(
        "update",
        instance=run,
        changes={"status": [RunStatus.QUEUED, status]},
        actor=run.requested_by,
        note=note,
    )
    return run


def _note(run: ScreeningRun, summary: dict[str, Any]) -> str:
    stages = summary.get("stages", {})
    return f"{run}：筛查 {summary.get('screened', 0)} 家，{stage_counts_text(stages)}"

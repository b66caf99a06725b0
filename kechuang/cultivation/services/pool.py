"""Executing a screening run (the background task's work): the enterprises screened by
:func:`kechuang.cultivation.selectors.screen`, the reserve pool entries upserted and the tier
movements appended (:func:`write_pool`), the run closed with its summary.

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
from django.db import transaction
from django.utils import timezone

from kechuang.core import bulk
from kechuang.core.audit import record
from kechuang.core.columns import fetch_columns
from kechuang.core.memory import collector_paused
from kechuang.core.parallel import apart
from kechuang.cultivation.engine.batch import Screened
from kechuang.cultivation.models import (
    PoolEntry,
    ReservePolicy,
    RunStatus,
    ScreeningRun,
    TierMovement,
    TierRuleSet,
    stage_counts_text,
)
from kechuang.cultivation.selectors import screen
from kechuang.registry.models import Area, Organization

log = logging.getLogger(__name__)

HNTE = "hnte"  # the stage after the reserve pool (a movement's to_tier may be it)
# A previous result this many days before the new one counts as "a year earlier" for the
# annual tier-to-HNTE conversion rates.
ANNUAL_WINDOW = (300, 430)
BATCH = 5000


def stage_of(entry_tier: str, is_hnte: bool) -> str:
    """The funnel stage: HNTE holders are past the pool; '' is "not in the pool"."""
    return HNTE if is_hnte else entry_tier


def _ints(values: np.ndarray) -> list[int | None]:
    """A float column as Python ints, None for NaN (one pass, not a numpy scalar per value)."""
    return [None if v != v else int(v) for v in values.tolist()]  # v != v: NaN


@dataclass
class _Tally:
    """The run's summary counts."""

    rule_sets: dict[str, Counter[int]]
    stages: Counter[str] = field(default_factory=Counter)
    data: Counter[str] = field(default_factory=Counter)
    transitions: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    kept_newer: int = 0

    def summary(self, screened: int, movements: int) -> dict[str, Any]:
        return {
            "screened": screened,
            "stages": dict(self.stages),
            "data": dict(self.data),
            "movements": movements,
            "kept_newer": self.kept_newer,
            "transitions": {k: dict(v) for k, v in self.transitions.items()},
            "rule_sets": {k: {str(c): n for c, n in v.items()} for k, v in self.rule_sets.items()},
        }


@dataclass
class _Before:
    """The current pool entries of the screened organizations, by row (None: no entry)."""

    tier: list[str | None]
    since: list[dt.date | None]
    is_hnte: list[bool]
    as_of: list[dt.date | None]

    @classmethod
    def read(cls, org_ids: list[int]) -> _Before:
        """One read of the pool (the whole table when most of it is screened, else by id)."""
        fields = ("organization_id", "tier", "tier_since", "is_hnte", "as_of")
        entries = PoolEntry.objects.order_by()  # not by name: a join and a sort for nothing
        if len(org_ids) < BATCH:
            entries = entries.filter(organization_id__in=org_ids)
        pks, *values = fetch_columns(entries, fields, dates=(2, 4), bools=(3,))
        found = dict(zip(pks, zip(*values, strict=True), strict=True))
        none = (None, None, False, None)
        rows = [found.get(pk, none) for pk in org_ids]
        tier, since, is_hnte, as_of = (
            (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 4
        )
        return cls(tier=tier, since=since, is_hnte=is_hnte, as_of=as_of)


def write_pool(run: ScreeningRun, screened: Screened) -> dict[str, Any]:
    """Upsert the pool entries of the screened organizations, append their movements, and
    return the run's summary (counts by stage, data problems, annual transitions): the entries
    built column by column from the screening's arrays and written in bulk
    (:func:`_save`), no model instance or dict per row."""
    org_ids = screened.org_ids
    before = _Before.read(org_ids)
    tally = _Tally(rule_sets={code: Counter() for code in screened.rule_sets})
    as_of = screened.as_of
    kept = [b is None or b <= as_of for b in before.as_of]
    # a run as of an earlier day never overwrites a later result
    tally.kept_newer = len(kept) - sum(kept)
    columns = _columns(run, screened, before)
    stage = [stage_of(t, h) for t, h in zip(columns["tier"], columns["is_hnte"], strict=True)]
    before_stage = [
        "" if t is None else stage_of(t, h)
        for t, h in zip(before.tier, before.is_hnte, strict=True)
    ]
    moved = [k and a != b for k, a, b in zip(kept, stage, before_stage, strict=True)]
    movements = [
        (pk, run.pk, as_of, b, a)
        for pk, m, a, b in zip(org_ids, moved, stage, before_stage, strict=True)
        if m
    ]
    _count(tally, screened, columns, kept, before, stage, before_stage)
    pending = screened.pending_gaps is not None
    empty: list[str] = []
    # gaps still being computed apart are written last, by organization, when they come
    columns["gaps"] = [empty] * len(org_ids) if pending else _gaps_column(screened)
    _save(columns, kept, movements, screened if pending else None)
    return tally.summary(len(org_ids), len(movements))


def _gaps_column(screened: Screened) -> list[list[str]]:
    gaps, empty = screened.gaps, []
    return [gaps.get(pk, empty) for pk in screened.org_ids]


def _columns(run: ScreeningRun, screened: Screened, before: _Before) -> dict[str, list[Any]]:
    """The pool entries' values by column, one list per column in the screening's row order
    (but the gaps: :func:`write_pool` adds them last, as they may still be being computed);
    the tier keeps its start date while it stays the same."""
    org_ids, as_of, n = screened.org_ids, screened.as_of, len(screened.org_ids)
    codes = screened.tier_codes
    tier = [codes[t] if t >= 0 else "" for t in screened.tier.tolist()]
    since = [
        s if t and b == t and s else (as_of if t else None)
        for t, b, s in zip(tier, before.tier, before.since, strict=True)
    ]
    held = [screened.held.get(pk, ()) for pk in org_ids]
    rule_codes = list(screened.rule_sets)
    results = list(zip(*(v.astype(int).tolist() for v in screened.rule_sets.values()), strict=True))
    # one object per distinct value, shared by its rows (the writer encodes each object once)
    result_dicts = {r: dict(zip(rule_codes, r, strict=True)) for r in set(results)}
    empty: list[str] = []
    numbers = {
        "hnte_eligible": screened.hnte["eligible"],
        "hnte_failed": screened.hnte["failed"],
        "hnte_total_min": screened.hnte["min"],
        "hnte_total_max": screened.hnte["max"],
        "tsme_eligible": screened.tsme["eligible"],
        "tsme_total_min": screened.tsme["min"],
    }
    return {
        "organization_id": org_ids,
        "run_id": [run.pk] * n,
        "as_of": [as_of] * n,
        "data_status": [screened.data_status[pk] for pk in org_ids],
        "missing": [screened.missing.get(pk, empty) for pk in org_ids],
        "latest_year": [screened.latest_year.get(pk) for pk in org_ids],
        "tier": tier,
        "tier_since": since,
        "is_hnte": ["HNTE" in h for h in held],
        "is_tsme": ["TSME" in h for h in held],
        "is_gazelle": ["gazelle" in h for h in held],
        "is_leader": ["innovation_leader" in h for h in held],
        "failed_conditions": screened.failed,
        "tier_results": [result_dicts[r] for r in results] if rule_codes else [{}] * n,
        **{name: _ints(values) for name, values in numbers.items()},
    }


def _count(
    tally: _Tally,
    screened: Screened,
    columns: dict[str, list[Any]],
    kept: list[bool],
    before: _Before,
    stage: list[str],
    before_stage: list[str],
) -> None:
    """The summary of the written entries; a previous result about a year older makes a
    transition."""
    as_of = screened.as_of
    low, high = ANNUAL_WINDOW
    for i in range(len(kept)):
        if not kept[i]:
            continue
        previous = before.as_of[i]
        if previous is not None and low <= (as_of - previous).days <= high:
            tally.transitions[before_stage[i] or "none"][stage[i] or "none"] += 1
    tally.stages.update(s or "none" for s, k in zip(stage, kept, strict=True) if k)
    tally.data.update(d for d, k in zip(columns["data_status"], kept, strict=True) if k)
    for code, values in screened.rule_sets.items():
        written = values.astype(int)[np.asarray(kept, dtype=bool)] if kept else values[:0]
        tally.rule_sets[code].update(dict(Counter(written.tolist())))


def _save(
    columns: dict[str, list[Any]],
    kept: list[bool],
    movements: list[tuple[Any, ...]],
    pending: Screened | None = None,
) -> None:
    """Upsert the entries (one per organization) and append the movements in bulk
    (:mod:`kechuang.core.bulk`), in one transaction; the gaps of a screening still computing them
    (``pending``) are waited for only then, and written to the entries that have some."""
    run_ids = set(columns["run_id"]) | {m[1] for m in movements}
    with bulk.parents_checked_here(PoolEntry), transaction.atomic():
        # An enterprise deleted while the run read and screened is left out, not a failed run:
        # the organizations are locked against writes (PostgreSQL: SHARE lock; SQLite: the
        # IMMEDIATE write lock) from here to the commit, so none can vanish before the insert.
        alive = _existing_organizations()
        bulk.require_rows(ScreeningRun, run_ids)
        keep = [k and pk in alive for k, pk in zip(kept, columns["organization_id"], strict=True)]
        entries = _rows(columns, keep)
        _upsert_entries(entries)
        bulk.insert(
            TierMovement,
            {
                name: [m[j] for m in movements if m[0] in alive]
                for j, name in enumerate(
                    ("organization_id", "run_id", "on", "from_tier", "to_tier")
                )
            },
        )
        if pending is not None:
            written = set(entries["organization_id"])
            gaps = {pk: g for pk, g in pending.settle().gaps.items() if pk in written}
            bulk.update_by_key(
                PoolEntry,
                {"organization_id": list(gaps), "gaps": list(gaps.values())},
                key="organization_id",
            )


def _upsert_entries(entries: dict[str, list[Any]]) -> None:
    """The entries of organizations with one already are updated by its key, the others
    inserted (read under the run's write lock, so no entry appears meanwhile)."""
    existing = dict(
        zip(*fetch_columns(PoolEntry.objects.order_by(), ("organization_id", "pk")), strict=True)
    )
    ids = [existing.get(pk) for pk in entries["organization_id"]]
    old = [i is not None for i in ids]
    bulk.update_by_key(PoolEntry, {**_rows(entries, old), "id": [i for i in ids if i is not None]})
    bulk.insert(PoolEntry, _rows(entries, [not o for o in old]))


def _rows(columns: dict[str, list[Any]], keep: list[bool]) -> dict[str, list[Any]]:
    """The rows of `columns` marked in `keep` (all or none of them: no pass over the rows)."""
    if all(keep):
        return columns
    if not any(keep):
        return {name: [] for name in columns}
    return {
        name: [v for v, k in zip(values, keep, strict=True) if k]
        for name, values in columns.items()
    }


def _existing_organizations() -> set[int]:
    """The ids of every organization, locked against deletes until the commit."""
    bulk.lock_against_writes(Organization)
    return set(Organization.objects.values_list("pk", flat=True).iterator(50000))


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
        # archived (注销) enterprises are no longer screened; their past results stay
        organizations = Organization.objects.filter(kind="enterprise", archived=False)
        if run.area_id:
            organizations = organizations.filter(area__in=Area.subtree_ids(run.area.path))
        rule_sets = list(TierRuleSet.objects.exclude(status="inactive"))
        with collector_paused():  # millions of small objects, no cycles worth collecting
            screened = screen(organizations, run.as_of, policy, rule_sets, apart)
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

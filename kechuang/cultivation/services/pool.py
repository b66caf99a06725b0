"""Executing a screening run (the background task's work): the enterprises screened by
:func:`kechuang.cultivation.selectors.screen`, the reserve pool entries upserted and the tier
movements appended (:func:`write_pool`), the run closed with its summary.

Pool entries are derived data, rewritten by every run; the audited unit is the run (who asked,
when, for which area, with which policy, and its summary), and the movements are the history.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connections, models, router, transaction
from django.utils import timezone

from kechuang.core.audit import record
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
class _Rows:
    """The screened columns as Python lists, converted once for the entries."""

    tier: list[int]
    numbers: dict[str, list[int | None]]
    rule_sets: dict[str, list[int]]

    @classmethod
    def of(cls, screened: Screened) -> _Rows:
        numbers = {
            "hnte_eligible": screened.hnte["eligible"],
            "hnte_failed": screened.hnte["failed"],
            "hnte_total_min": screened.hnte["min"],
            "hnte_total_max": screened.hnte["max"],
            "tsme_eligible": screened.tsme["eligible"],
            "tsme_total_min": screened.tsme["min"],
        }
        return cls(
            tier=screened.tier.tolist(),
            numbers={k: _ints(v) for k, v in numbers.items()},
            rule_sets={code: v.astype(int).tolist() for code, v in screened.rule_sets.items()},
        )


@dataclass
class _Tally:
    """The run's summary counts, gathered while the entries are built."""

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


def write_pool(run: ScreeningRun, screened: Screened) -> dict[str, Any]:
    """Upsert the pool entries of the screened organizations, append their movements, and
    return the run's summary (counts by stage, data problems, annual transitions)."""
    previous = _previous_entries(screened.org_ids)
    tally = _Tally(rule_sets={code: Counter() for code in screened.rule_sets})
    entries: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    rows = _Rows.of(screened)
    for i, pk in enumerate(screened.org_ids):
        before = previous.get(pk)
        if before is not None and before["as_of"] > screened.as_of:
            tally.kept_newer += 1  # a run as of an earlier day never overwrites a later result
            continue
        entry = _entry(run, screened, rows, i, before)
        stage = stage_of(entry["tier"], entry["is_hnte"])
        before_stage = stage_of(before["tier"], before["is_hnte"]) if before else ""
        if stage != before_stage:
            movements.append(
                {
                    "organization_id": pk,
                    "run_id": run.pk,
                    "on": screened.as_of,
                    "from_tier": before_stage,
                    "to_tier": stage,
                }
            )
        _count(tally, entry, before, before_stage, stage)
        entries.append(entry)
    _save(entries, movements)
    return tally.summary(len(screened.org_ids), len(movements))


def _previous_entries(org_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The current entries of the organizations (tier, since when, HNTE, base date)."""
    fields = ("organization_id", "tier", "tier_since", "is_hnte", "as_of")
    return {
        e["organization_id"]: e
        for start in range(0, len(org_ids), BATCH)  # bounded IN lists
        for e in PoolEntry.objects.filter(
            organization_id__in=org_ids[start : start + BATCH]
        ).values(*fields)
    }


def _entry(
    run: ScreeningRun, screened: Screened, rows: _Rows, i: int, before: dict[str, Any] | None
) -> dict[str, Any]:
    """The pool entry's values (by column) of the organization in row `i`; the tier keeps its
    start date while it stays the same."""
    pk = screened.org_ids[i]
    as_of = screened.as_of
    held = screened.held.get(pk, set())
    tier_index = rows.tier[i]
    tier = screened.tier_codes[tier_index] if tier_index >= 0 else ""
    since = before["tier_since"] if before and before["tier"] == tier and tier else None
    return dict(
        organization_id=pk,
        run_id=run.pk,
        as_of=as_of,
        data_status=screened.data_status[pk],
        missing=screened.missing.get(pk, []),
        latest_year=screened.latest_year.get(pk),
        tier=tier,
        tier_since=since or (as_of if tier else None),
        is_hnte="HNTE" in held,
        is_tsme="TSME" in held,
        is_gazelle="gazelle" in held,
        is_leader="innovation_leader" in held,
        failed_conditions=screened.failed[i],
        gaps=screened.gaps.get(pk, []),
        tier_results={code: values[i] for code, values in rows.rule_sets.items()},
        **{name: values[i] for name, values in rows.numbers.items()},
    )


def _count(
    tally: _Tally,
    entry: dict[str, Any],
    before: dict[str, Any] | None,
    before_stage: str,
    stage: str,
) -> None:
    """Add one entry to the summary; a previous result about a year older is a transition."""
    if before is not None:
        days = (entry["as_of"] - before["as_of"]).days
        if ANNUAL_WINDOW[0] <= days <= ANNUAL_WINDOW[1]:
            tally.transitions[before_stage or "none"][stage or "none"] += 1
    tally.stages[stage or "none"] += 1
    tally.data[entry["data_status"]] += 1
    for code, value in entry["tier_results"].items():
        tally.rule_sets[code][value] += 1


def _save(entries: list[dict[str, Any]], movements: list[dict[str, Any]]) -> None:
    """Upsert the entries (one per organization) and append the movements, in batches of
    prepared rows (one INSERT … ON CONFLICT statement run over many rows: no model instance
    and no SQL compiled per row), in one transaction."""
    with transaction.atomic():
        # An enterprise deleted while the run read and screened is left out, not a failed run:
        # its rows are locked (PostgreSQL) or the write lock is held (SQLite, IMMEDIATE) from
        # here to the commit, so none can vanish between this check and the insert.
        alive = _existing_organizations([e["organization_id"] for e in entries])
        entries = [e for e in entries if e["organization_id"] in alive]
        movements = [m for m in movements if m["organization_id"] in alive]
        _insert_rows(PoolEntry, entries, conflict="organization_id")
        _insert_rows(TierMovement, movements)


def _adapter(model_field: models.Field, ops: Any) -> Callable[[Any], Any] | None:
    """How a Python value of the field is handed to the database driver (None: as it is)."""
    if isinstance(model_field, models.JSONField):
        encoder = model_field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    if isinstance(model_field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(model_field, models.DateField):
        return functools.lru_cache(maxsize=4096)(ops.adapt_datefield_value)  # few distinct days
    return None


def _insert_rows(
    model: type[models.Model], rows: list[dict[str, Any]], conflict: str | None = None
) -> None:
    """INSERT the rows (values by column name; created_at/updated_at set here), updating every
    column but the key and created_at of a row whose `conflict` column exists already."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    stamps = {"created_at": now, "updated_at": now}  # adapted once, not per row
    prepared = [
        (f.column, None if f.column in stamps else _adapter(f, connection.ops)) for f in columns
    ]
    names = ", ".join(quote(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    if conflict:
        updated = [f.column for f in columns if f.column not in (conflict, "created_at")]
        sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated)
        sql += f" ON CONFLICT ({quote(conflict)}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            params = [
                tuple(adapt(full[c]) if adapt else full[c] for c, adapt in prepared)
                for full in ({**stamps, **row} for row in rows[start : start + BATCH])
            ]
            cursor.executemany(sql, params)


def _existing_organizations(org_ids: list[int]) -> set[int]:
    """The ids among `org_ids` whose organization still exists, locked until the commit."""
    alive: set[int] = set()
    for start in range(0, len(org_ids), BATCH):
        chunk = org_ids[start : start + BATCH]
        rows = Organization.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        alive.update(rows.values_list("pk", flat=True))
    return alive


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

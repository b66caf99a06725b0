"""Computing a benefit run (a bulk writer beside the services, so the task and the services both
import it without a cycle) (the background task's work): every enterprise's facts from the
confirmed registry, the policy version's rules evaluated, stacking against the other policies of
the same group and year, the entitlements (and the near misses, with their one gap) stored with
the facts and conditions that decided them.

Entitlements are written in bulk; the audited unit is the run (one audit entry with its summary),
as for the cultivation screening run. A failed run says why and stores no entitlement.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction

from kechuang.core import bulk
from kechuang.core.audit import record
from kechuang.policies.engine import Facts, Outcome, Policy, evaluate, parse_policy, stack
from kechuang.policies.engine.rules import needs_of
from kechuang.policies.models import (
    LIVE_STATES,
    BenefitRun,
    Entitlement,
    EntitlementStatus,
    RunStatus,
)
from kechuang.policies.selectors import registry_facts, rewarded_before

log = logging.getLogger(__name__)
PROGRESS_EVERY = 5000


def prior_in_group(run: BenefitRun, policy: Policy) -> dict[int, list[tuple[str, Decimal]]]:
    """{organization: [(policy name, amount)]} of the other policies of the same stacking group
    for the same year, still live (not excluded, declined or near misses)."""
    if policy.stacking is None:
        return {}
    found: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    others = (
        Entitlement.objects.filter(run__year=run.year, status__in=LIVE_STATES, amount__gt=0)
        .exclude(run__version__policy=run.version.policy)
        .filter(run__version__rules__stacking__group=policy.stacking.group)
        .values_list("organization_id", "run__version__policy__name", "amount")
    )
    for pk, name, amount in others:
        found[pk].append((name, amount))
    return found


def entitlement_of(run: BenefitRun, outcome: Outcome, prior: list[Any], policy: Policy) -> Any:
    """The unsaved entitlement an outcome gives (an application that fails more than one
    condition is refused with its gaps; in a city-wide run such rows are not kept)."""
    payable, note = stack(outcome.amount, prior, policy.stacking)
    if not outcome.eligible and not outcome.near_miss:
        status = EntitlementStatus.REFUSED
    elif not outcome.eligible:
        status = EntitlementStatus.NEAR_MISS
    elif payable <= 0:
        status = EntitlementStatus.EXCLUDED
    else:
        status = EntitlementStatus.ENTITLED
    checks = [
        {"label": c.label, "fact": c.fact, "held": c.held, "missing": c.missing}
        for c in outcome.checks
    ]
    return Entitlement(
        run=run,
        organization_id=outcome.organization_id,
        status=status,
        computed_amount=outcome.amount,
        amount=payable if outcome.eligible else Decimal(0),
        base=outcome.base,
        formula=outcome.formula[:500],
        stacking_note=note[:300],
        review_reason=note[:300] if status == EntitlementStatus.EXCLUDED else "",
        checks=checks,
        gaps=outcome.gaps,
    )


def compute(run: BenefitRun, facts: list[Facts]) -> dict[str, Any]:
    """Evaluate and store; returns the run's summary."""
    policy = parse_policy(run.version.rules)
    once = rewarded_before(run.version.policy, run.year) if policy.frequency == "once" else set()
    prior = prior_in_group(run, policy)
    rows: list[Entitlement] = []
    for i, f in enumerate(facts, 1):
        outcome = evaluate(policy, f, run.year, rewarded_before=f.organization_id in once)
        if outcome.eligible or outcome.near_miss:
            rows.append(entitlement_of(run, outcome, prior.get(f.organization_id, []), policy))
        if i % PROGRESS_EVERY == 0:
            BenefitRun.objects.filter(pk=run.pk).update(progress=min(90, 90 * i // len(facts)))
    with transaction.atomic():
        run.entitlements.all().delete()
        # one COPY (PostgreSQL) or prepared INSERT (SQLite) for every row, no SQL compiled per
        # row: Django's bulk_create spent about 40 s of a whole-city run quoting its arrays
        bulk.create(Entitlement, rows)
    entitled = [r for r in rows if r.status == EntitlementStatus.ENTITLED]
    return {
        "evaluated": len(facts),
        "entitled": len(entitled),
        "near_miss": sum(r.status == EntitlementStatus.NEAR_MISS for r in rows),
        "total": sum((r.amount for r in entitled), Decimal(0)),
    }


def execute_run(run_id: int) -> BenefitRun:
    """Compute the queued run `run_id`; a failure is recorded on the run with its message."""
    run = BenefitRun.objects.select_related("version__policy").get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.FAILED):
        return run
    BenefitRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=0, error="")
    try:
        needs = needs_of(parse_policy(run.version.rules))
        summary = compute(run, registry_facts(run.year, run.as_of, needs=needs))
    except Exception as error:  # a failed run must say why, whatever happened
        log.exception("benefit run %s failed", run.pk)
        BenefitRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"计算失败：{error}"[:500]
        )
        run.refresh_from_db()
        return run
    BenefitRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100, **summary)
    run.refresh_from_db()
    record(
        "update",
        instance=run,
        actor=run.started_by,
        changes={k: [None, str(v)] for k, v in summary.items()},
        note=f"兑现名单计算完成：{summary['entitled']} 家符合条件，合计 {summary['total']} 元",
    )
    return run

"""Benchmark: a whole-city benefit run (免申即享) on the scale-100 database (≈200,000
organizations): the R&D post-subsidy example policy evaluated for 2024 (the
registry's last year) from the database to the stored entitlements (facts read,
rules evaluated with their explanation, entitlements and near misses written) —
what the task worker does when staff press 计算兑现名单; and the simulation of one
parameter change (the cap) over the facts already read.

Budgets (issue “Policy benefits delivered without applying”): the run under 30 s,
the simulation of one change under 2 s. Writes bench/results/policies.json with
`passed` per budget; it reports and exits 0 either way, so `make bench` goes on to
the other benchmarks."""

from __future__ import annotations

import json
import time

from bench_generate import ROOT, database_meta, results_path
from bench_org_list import bench_users, ensure_database

RUN_BUDGET = 30.0
SIMULATION_BUDGET = 2.0
YEAR = 2024  # the synthetic registry's last year of confirmed reports


def main() -> None:
    ensure_database()
    from kechuang.core.audit import audit_context
    from kechuang.policies import selectors, services
    from kechuang.policies.engine import parse_policy, read_document, summarise, with_changes
    from kechuang.policies.engine.rules import needs_of
    from kechuang.policies.models import (
        BenefitRun,
        Entitlement,
        Objection,
        PaymentBatch,
        Policy,
        PolicyVersion,
    )

    # Bench data only: raw deletes, without the per-row audit entries a service would write.
    for model in (Objection, Entitlement, PaymentBatch, BenefitRun, PolicyVersion, Policy):
        model.objects.all()._raw_delete(model.objects.db)
    staff = bench_users()["bench_city"]
    text = (ROOT / "data" / "policies" / "rd-increase-subsidy.yaml").read_text(encoding="utf-8")
    with audit_context(label="bench_policies"):
        policy = services.create_policy(staff, text)
        started = time.perf_counter()
        run = services.start_run(staff, policy, YEAR, inline=True)
        run_seconds = time.perf_counter() - started
    started = time.perf_counter()
    facts = selectors.registry_facts(YEAR, needs=needs_of(parse_policy(read_document(text))))
    facts_seconds = time.perf_counter() - started
    changed = with_changes(read_document(text), {"amount.cap": 300000})
    started = time.perf_counter()
    summary = summarise(changed, facts, YEAR)
    simulation_seconds = time.perf_counter() - started
    result = {
        "benchmark": "whole-city benefit run and one-parameter simulation (policies)",
        **database_meta(),
        "enterprises": run.evaluated,
        "entitled": run.entitled,
        "near_miss": run.near_miss,
        "total_yuan": str(run.total),
        "run_seconds": round(run_seconds, 2),
        "facts_seconds": round(facts_seconds, 2),
        "simulation_seconds": round(simulation_seconds, 2),
        "simulation_entitled": summary.eligible,
        "run_budget_seconds": RUN_BUDGET,
        "simulation_budget_seconds": SIMULATION_BUDGET,
        "run_passed": run_seconds < RUN_BUDGET,
        "simulation_passed": simulation_seconds < SIMULATION_BUDGET,
    }
    results_path("policies").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

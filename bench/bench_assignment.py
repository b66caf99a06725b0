"""Benchmark: assign 5 reviewers to each of 500 applications from a pool of 300 experts under
recusal (own and co-applicant organizations, team members, collaborators, declared conflicts)
and load limits (kechuang.programs.engine.assignment, scipy HiGHS min-cost flow). Target: under
5 s. The same run solves the greedy baseline and reports both total fits, and checks that the
result has no conflict, no expert over their load and every application filled when feasible.
Writes bench/results/assignment.json. No database needed.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kechuang.programs.engine.assignment import (  # noqa: E402
    Application,
    Expert,
    assign,
    greedy,
    recusal_reasons,
)

APPLICATIONS, EXPERTS, K = 500, 300, 5
TARGET_SECONDS = 5.0
SEED = 20261206
RESULTS = ROOT / "bench" / "results"
FIELDS = ["新材料", "装备制造", "生物医药", "电子信息", "现代农业", "新能源", "节能环保", "化工"]
WORDS = [
    "超硬材料",
    "金刚石",
    "刀具",
    "光电",
    "中药",
    "艾草",
    "种业",
    "防爆电机",
    "新能源汽车",
    "储能",
    "电池",
    "玉雕",
    "数控",
    "传感器",
    "芯片",
    "算法",
    "仿生",
    "发酵",
    "检测",
    "涂层",
    "钒电池",
    "氢能",
    "食用菌",
    "小麦",
    "育种",
    "电网",
    "风电",
    "光伏",
    "陶瓷",
    "纺织",
]


def pool(rng: random.Random) -> tuple[list[Application], list[Expert]]:
    orgs = [f"org{i}" for i in range(400)]
    people = [f"p{i}" for i in range(6000)]
    apps = [
        Application(
            f"a{i}",
            frozenset(rng.sample(orgs, rng.randint(1, 3))),
            frozenset(rng.sample(people, rng.randint(3, 8))),
            frozenset(rng.sample(FIELDS, 2)),
            " ".join(rng.sample(WORDS, 8)),
        )
        for i in range(APPLICATIONS)
    ]
    experts = [
        Expert(
            f"e{j}",
            rng.choice(people),
            rng.choice(orgs),
            frozenset(rng.sample(FIELDS, 2)),
            " ".join(rng.sample(WORDS, 6)),
            rng.randint(8, 12),
            frozenset(rng.sample(people, 30)),
            frozenset(f"a{rng.randrange(APPLICATIONS)}" for _ in range(3)),
        )
        for j in range(EXPERTS)
    ]
    return apps, experts


def check(apps: list[Application], experts: list[Expert], assignments: dict) -> dict:
    by_id = {e.id: e for e in experts}
    conflicts = sum(1 for a in apps for e in assignments[a.id] if recusal_reasons(a, by_id[e]))
    load: dict[str, int] = {}
    for chosen in assignments.values():
        for e in chosen:
            load[e] = load.get(e, 0) + 1
    over = sum(1 for e, n in load.items() if n > by_id[e].max_load)
    return {"conflicts": conflicts, "overloaded_experts": over}


def main() -> int:
    apps, experts = pool(random.Random(SEED))
    start = time.perf_counter()
    best = assign(K, apps, experts)
    seconds = time.perf_counter() - start
    base = greedy(K, apps, experts)
    result = {
        "applications": APPLICATIONS,
        "experts": EXPERTS,
        "reviews_per_application": K,
        "seconds": round(seconds, 3),
        "target_seconds": TARGET_SECONDS,
        "solver": "scipy.optimize.linprog (HiGHS dual simplex), transportation min-cost flow",
        "total_fit": round(best.fit, 3),
        "greedy_total_fit": round(base.fit, 3),
        "fit_gain_over_greedy_percent": round(100 * (best.fit - base.fit) / base.fit, 2),
        "unfilled": len(best.unfilled),
        "greedy_unfilled": len(base.unfilled),
        **check(apps, experts, best.assignments),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "assignment.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False))
    ok = (
        seconds < TARGET_SECONDS
        and result["conflicts"] == 0
        and result["overloaded_experts"] == 0
        and best.fit >= base.fit
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

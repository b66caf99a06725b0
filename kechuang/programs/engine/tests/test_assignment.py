"""Reviewer assignment: recusal rules one by one, a hand-solved case where greedy is worse, and a
property test over random pools (no conflict, no overload, k reviewers whenever feasible)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import maximum_flow

from kechuang.programs.engine.assignment import (
    Application,
    Expert,
    assign,
    assign_json,
    greedy,
    recusal_reasons,
)
from kechuang.programs.engine.errors import ProgramRuleError
from kechuang.programs.engine.text import bm25_matrix, tokens

APP = Application(
    "A1",
    organizations=frozenset({"org-a", "org-b"}),
    people=frozenset({"p1", "p2"}),
    fields=frozenset({"新材料"}),
    text="超硬材料 金刚石 刀具",
    area="卧龙区",
)


@pytest.mark.parametrize(
    ("expert", "rule"),
    [
        (Expert("e", organization="org-b"), "回避：本单位"),
        (Expert("e", person="p2"), "回避：本人参与"),
        (Expert("e", collaborators=frozenset({"p1"})), "回避：合作关系"),
        (Expert("e", conflicts=frozenset({"A1"})), "回避：本人声明"),
    ],
)
def test_each_recusal_rule(expert: Expert, rule: str) -> None:
    reasons = recusal_reasons(APP, expert)
    assert len(reasons) == 1 and rule in reasons[0]


def test_same_area_only_when_configured() -> None:
    expert = Expert("e", organization="org-z", area="卧龙区")
    assert recusal_reasons(APP, expert) == []
    assert "回避：同地区" in recusal_reasons(APP, expert, same_area=True)[0]


def test_tokens_and_bm25() -> None:
    assert tokens("超硬材料 CNC") == ["超硬", "硬材", "材料", "cnc"]
    scores = bm25_matrix(["金刚石 刀具"], ["金刚石 超硬 刀具", "中药 艾草", "刀具"])
    assert scores[0, 0] == 1.0 and scores[0, 1] == 0.0 and 0 < scores[0, 2] < 1


def test_optimal_beats_greedy_in_a_hand_solved_case() -> None:
    # Two applications, two experts with one seat each. Greedy gives A the expert it fits best
    # (the only one B fits at all); the optimum gives each its own specialist.
    apps = [
        Application("A", fields=frozenset({"材料", "装备"}), text="材料 装备"),
        Application("B", fields=frozenset({"材料"}), text="材料"),
    ]
    experts = [
        Expert("mat", fields=frozenset({"材料"}), text="材料", max_load=1),
        Expert("eq", fields=frozenset({"装备"}), text="装备", max_load=1),
    ]
    best = assign(1, apps, experts)
    assert best.assignments == {"A": ["eq"], "B": ["mat"]}
    base = greedy(1, apps, experts)
    assert base.assignments["A"] == ["mat"] and base.fit < best.fit


def test_unfilled_reason_names_the_shortage() -> None:
    apps = [APP]
    experts = [Expert("e1", organization="org-a"), Expert("e2", organization="org-x")]
    result = assign(2, apps, experts)
    assert result.assignments == {"A1": ["e2"]}
    assert result.unfilled["A1"] == (
        "需要 2 位评审专家，回避后可选专家只有 1 位，已分配 1 位：请扩充专家库。"
    )


def test_load_limit_reason() -> None:
    apps = [Application("A"), Application("B")]
    result = assign(1, apps, [Expert("e", max_load=1)])
    assert sum(len(v) for v in result.assignments.values()) == 1
    assert "评审量已满" in next(iter(result.unfilled.values()))


def random_pool(rng: random.Random, n_apps: int, n_exp: int) -> tuple[list, list]:
    fields = ["材料", "装备", "医药", "电子", "农业", "信息"]
    orgs = [f"o{i}" for i in range(12)]
    people = [f"p{i}" for i in range(60)]
    apps = [
        Application(
            f"a{i}",
            frozenset(rng.sample(orgs, rng.randint(1, 2))),
            frozenset(rng.sample(people, 3)),
            frozenset(rng.sample(fields, 2)),
            " ".join(rng.sample(fields, 3)),
            rng.choice(["卧龙区", "宛城区"]),
        )
        for i in range(n_apps)
    ]
    experts = [
        Expert(
            f"e{j}",
            rng.choice(people),
            rng.choice(orgs),
            frozenset(rng.sample(fields, 2)),
            " ".join(rng.sample(fields, 2)),
            rng.randint(0, 4),
            frozenset(rng.sample(people, 4)),
            frozenset(rng.sample([a.id for a in apps], 2)),
            rng.choice(["卧龙区", "宛城区"]),
        )
        for j in range(n_exp)
    ]
    return apps, experts


def max_flow_feasible(k: int, apps: list, experts: list, same_area: bool) -> int:
    """Seats fillable at most: an independent max flow (scipy.sparse.csgraph), for the check."""
    n_a, n_e = len(apps), len(experts)
    sink = 1 + n_a + n_e
    rows, cols, caps = [], [], []
    for i, a in enumerate(apps):
        rows.append(0), cols.append(1 + i), caps.append(k)
        for j, e in enumerate(experts):
            if not recusal_reasons(a, e, same_area):
                rows.append(1 + i), cols.append(1 + n_a + j), caps.append(1)
    for j, e in enumerate(experts):
        rows.append(1 + n_a + j), cols.append(sink), caps.append(e.max_load)
    graph = sparse.csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1), dtype=np.int32)
    return int(maximum_flow(graph, 0, sink).flow_value)


@pytest.mark.parametrize("seed", range(12))
def test_property_random_pools(seed: int) -> None:
    rng = random.Random(seed)
    apps, experts = random_pool(rng, rng.randint(5, 25), rng.randint(4, 20))
    k = rng.randint(1, 4)
    same_area = seed % 3 == 0
    result = assign(k, apps, experts, same_area)
    by_id = {e.id: e for e in experts}
    load: dict[str, int] = {}
    for app in apps:
        chosen = result.assignments[app.id]
        assert len(chosen) == len(set(chosen)) <= k
        for e in chosen:
            assert recusal_reasons(app, by_id[e], same_area) == []
            load[e] = load.get(e, 0) + 1
        assert (len(chosen) < k) == (app.id in result.unfilled)
    assert all(load[e] <= by_id[e].max_load for e in load)
    filled = sum(len(v) for v in result.assignments.values())
    assert filled == max_flow_feasible(k, apps, experts, same_area)
    if filled == k * len(apps):
        assert result.unfilled == {}


def test_json_interface_and_errors() -> None:
    out = assign_json(
        {
            "reviews_per_application": 1,
            "applications": [
                {
                    "id": 1,
                    "organizations": ["X"],
                    "people": ["p"],
                    "fields": ["材料"],
                    "text": "材料",
                }
            ],
            "experts": [
                {
                    "id": "e1",
                    "person": "q",
                    "organization": "X",
                    "fields": ["材料"],
                    "text": "材料",
                    "max_load": 3,
                },
                {
                    "id": "e2",
                    "person": "r",
                    "organization": "Y",
                    "fields": ["材料"],
                    "text": "材料",
                    "max_load": 3,
                    "collaborators": [],
                    "conflicts": [],
                },
            ],
        }
    )
    assert out["assignments"] == {"1": ["e2"]} and out["unfilled"] == {}
    with pytest.raises(ProgramRuleError) as caught:
        assign_json(
            {
                "reviews_per_application": 0,
                "applications": [{"x": 1}],
                "experts": [{"id": "e", "max_load": -1}],
            }
        )
    messages = caught.value.errors["input"]
    assert "reviews_per_application“0”应为正整数（每个申报的评审专家人数）。" in messages
    assert "第 1 个申报应为含 id 的对象。" in messages
    assert "第 1 位专家的 max_load“-1”应为不小于 0 的整数。" in messages

"""`manage.py assign_reviewers` and `manage.py aggregate_scores` on plain JSON (no database)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def run(command: str, data: object, tmp_path: Path, *args: str) -> dict:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command(command, "--input", str(path), "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_assign_reviewers(tmp_path: Path) -> None:
    data = {
        "reviews_per_application": 2,
        "applications": [
            {
                "id": "A",
                "organizations": ["甲"],
                "people": ["p1"],
                "fields": ["材料"],
                "text": "金刚石",
            },
            {
                "id": "B",
                "organizations": ["乙"],
                "people": ["p2"],
                "fields": ["医药"],
                "text": "中药",
            },
        ],
        "experts": [
            {
                "id": "e1",
                "person": "q1",
                "organization": "甲",
                "fields": ["材料"],
                "text": "金刚石",
                "max_load": 2,
            },
            {
                "id": "e2",
                "person": "q2",
                "organization": "丙",
                "fields": ["材料"],
                "text": "金刚石",
                "max_load": 2,
            },
            {
                "id": "e3",
                "person": "q3",
                "organization": "丁",
                "fields": ["医药"],
                "text": "中药",
                "max_load": 2,
                "collaborators": ["p2"],
            },
            {
                "id": "e4",
                "person": "q4",
                "organization": "戊",
                "fields": ["医药"],
                "text": "中药",
                "max_load": 2,
                "conflicts": ["A"],
            },
        ],
    }
    out = run("assign_reviewers", data, tmp_path)
    assert out["assignments"]["A"] == ["e2", "e3"]  # e1 same organization, e4 declared conflict
    assert out["assignments"]["B"] == ["e4", "e2"] or out["assignments"]["B"] == ["e4", "e1"]
    assert out["unfilled"] == {}


def test_aggregate_scores(tmp_path: Path) -> None:
    data = {
        "scores": [
            {"application": "A", "reviewer": "r", "score": 60},
            {"application": "B", "reviewer": "r", "score": 70},
            {"application": "C", "reviewer": "r", "score": 80},
        ]
    }
    out = run("aggregate_scores", data, tmp_path)["applications"]
    assert out["C"] == {
        "count": 1,
        "raw_mean": 80.0,
        "trimmed_mean": 80.0,
        "z_mean": 1.2247,
        "rank": 1,
    }
    assert out["A"]["z_mean"] == -1.2247 and out["A"]["rank"] == 3


def test_bad_input_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="reviews_per_application“x”应为正整数"):
        run("assign_reviewers", {"reviews_per_application": "x"}, tmp_path)
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON：第 1 行"):
        call_command("aggregate_scores", "--input", str(path))

"""The market's commands: rebuild_match_index, eval_matching (BEIR layout, JSON and table)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kechuang.market import matching

pytestmark = pytest.mark.django_db


def test_rebuild_match_index_counts_the_documents(market: dict) -> None:
    out = io.StringIO()
    before = matching.current_version()
    call_command("rebuild_match_index", stdout=out)
    assert "匹配索引已重建：3 条文档" in out.getvalue()
    assert matching.current_version() == before + 1


def _beir(path: Path) -> Path:
    (path / "qrels").mkdir()
    corpus = [
        {"_id": "p1", "title": "一种隔爆型电动机的冷却装置", "text": "轴向风道与散热片"},
        {"_id": "p2", "title": "香菇酱", "text": "超临界萃取增香"},
    ]
    (path / "corpus.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in corpus))
    queries = [{"_id": "q1", "text": "防爆电机散热"}, {"_id": "q2", "text": "香菇酱增香"}]
    (path / "queries.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in queries)
    )
    (path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tp1\t1\nq2\tp2\t1\n")
    return path


def test_eval_matching_reports_both_engines(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("eval_matching", dataset=str(_beir(tmp_path)), format="json", stdout=out)
    result = json.loads(out.getvalue())
    ours, plain = result["engines"]["kechuang"], result["engines"]["bm25-plain"]
    assert ours["queries"] == plain["queries"] == 2
    assert ours["ndcg@10"] == 1.0  # 防爆≈隔爆, 电机≈电动机, 散热 in the text
    assert set(ours) == {"queries", "ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms"}
    table = io.StringIO()
    call_command("eval_matching", dataset=str(tmp_path), engine="bm25-plain", stdout=table)
    assert table.getvalue().splitlines()[1].startswith("bm25-plain")


def test_eval_matching_names_a_bad_dataset(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="不存在"):
        call_command("eval_matching", dataset=str(tmp_path / "missing"))
    with pytest.raises(CommandError, match=r"corpus\.jsonl"):
        call_command("eval_matching", dataset=str(tmp_path))


def test_rebuild_learns_synonyms_that_the_index_then_uses(
    market: dict, learnt_synonyms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rebuild_match_index writes the learnt groups under var/ (here the test's file); the
    index built from them bridges with the learnt group and says so."""
    from kechuang.market.engine import learnt as learnt_module

    def fake_learn(texts: object, words_of: object) -> tuple:
        assert any("隔爆型电动机" in text for text in texts)  # the published listings are read
        return (
            learnt_module.SynonymGroup(
                ("外壳", "壳体"), 0.4, "语料学习：上下文相似度 0.80（共同语境：电机）"
            ),
        )

    monkeypatch.setattr(matching, "learn_groups", fake_learn)
    out = io.StringIO()
    call_command("rebuild_match_index", stdout=out)
    assert "从平台语料学习到 1 组同义词" in out.getvalue()
    assert (
        learnt_synonyms.read_text(encoding="utf-8").splitlines()[1].startswith("外壳|壳体\t0.4\t")
    )
    hits = matching.get_index().search("壳体", filters={"kind": {"demand"}}).hits
    assert [h.doc_id for h in hits] == [("demand", market["demand"].pk)]
    assert hits[0].terms[0].synonym.reason.startswith("语料学习")
    quiet = io.StringIO()
    call_command("rebuild_match_index", "--no-learn", stdout=quiet)
    assert "学习" not in quiet.getvalue()


def test_eval_matching_dense_needs_a_corpus_to_train_on(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="语料太少"):
        call_command(
            "eval_matching", "--dataset", str(_beir(tmp_path)), "--engine", "kechuang-dense"
        )

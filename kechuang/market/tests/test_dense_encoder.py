"""The optional dense encoder in the web app: off by default (lexical only), trained on the
platform's own text by `manage.py train_match_encoder`, and when KECHUANG_MARKET_ENCODER_DIR
names it, searches fuse both rankings and every result carries its cosine (API and page); an
unreadable model directory is a configuration error, never silently ignored."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from kechuang.market import matching
from kechuang.market.engine.dense import Encoder, HybridIndex
from kechuang.market.models import Achievement
from kechuang.market.tests.conftest import ACHIEVEMENT

pytestmark = pytest.mark.django_db
A = "/api/market"


@pytest.fixture(autouse=True)
def fresh_index() -> Any:
    matching.forget()
    yield
    matching.forget()


def _model(directory: Path) -> Path:
    # 防爆电机 ≈ 隔爆电动机 ≈ 冷却 ≈ 散热; 香菇 far away
    words = ["防爆电机", "隔爆电动机", "冷却", "散热", "香菇", "萃取"]
    vectors = np.array(
        [[1, 0, 0], [0.95, 0.3, 0], [0.8, 0.6, 0], [0.85, 0.5, 0], [0, 0, 1], [0, 0.2, 0.98]]
    )
    Encoder(words, vectors).save(directory)
    return directory


def test_without_an_encoder_the_search_is_lexical(
    client_for: Callable[[str], Any], market: dict
) -> None:
    assert not isinstance(matching.get_index(), HybridIndex)
    results = client_for("enterprise").get(f"{A}/search", {"q": "隔爆电动机 冷却"}).json()
    assert results["results"] and all(r["similarity"] is None for r in results["results"])


def test_with_an_encoder_results_carry_their_cosine(
    client_for: Callable[[str], Any], market: dict, settings: Any, tmp_path: Path
) -> None:
    settings.MARKET_ENCODER_DIR = str(_model(tmp_path / "model"))
    assert isinstance(matching.get_index(), HybridIndex)
    body = client_for("enterprise").get(f"{A}/search", {"q": "防爆电机", "kind": "achievement"})
    first = body.json()["results"][0]
    assert first["title"] == "一种隔爆型电动机的冷却装置"
    assert 0.8 < first["similarity"] < 1  # 隔爆电动机、冷却 mixed in the document's vector
    page = client_for("enterprise").get("/market/search/", {"q": "防爆电机"})
    assert f"语义相近（向量余弦 {first['similarity']:.2f}）" in page.content.decode()
    # the persisted lexical copy is not written for a hybrid index (its vectors are not in it)
    assert matching.save_snapshot() is None


def test_an_unreadable_model_directory_is_a_configuration_error(
    market: dict, settings: Any, tmp_path: Path
) -> None:
    settings.MARKET_ENCODER_DIR = str(tmp_path / "missing")
    with pytest.raises(ImproperlyConfigured, match=r"KECHUANG_MARKET_ENCODER_DIR.*vectors\.txt"):
        matching.get_index()


def test_train_match_encoder_writes_vectors_the_app_loads(
    publish: Callable[..., Any], market: dict, settings: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="语料太少"):
        call_command("train_match_encoder", "--out", str(tmp_path / "few"))
    for number in range(4):
        publish("institution", Achievement, {**ACHIEVEMENT, "title": f"隔爆电动机冷却风道{number}"})
    out = io.StringIO()
    call_command("train_match_encoder", "--out", str(tmp_path / "trained"), "--dimension", "2",
                 stdout=out)  # fmt: skip
    assert "词向量已写入" in out.getvalue()
    encoder = Encoder.load(tmp_path / "trained")
    assert encoder.dimension == 2 and len(encoder.position) >= 3
    with pytest.raises(CommandError, match="--dimension"):
        call_command("train_match_encoder", "--out", str(tmp_path / "x"), "--dimension", "1")

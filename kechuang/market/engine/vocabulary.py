"""The domain dictionary from the reference file: `data/reference/nanyang.yaml` lists the plan's
industries and sub-industries with the technology terms quoted from 三（二）/（三）. The web app
reads the same terms from the registry's `IndustryChain.keywords` (loaded from this file)."""

from __future__ import annotations

from pathlib import Path

import yaml

from kechuang.market.engine.tokens import domain_terms

REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference" / "nanyang.yaml"


def reference_terms(path: Path = REFERENCE) -> set[str]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return domain_terms(data.get("industries", []))

"""The technology market's matching engine (科技大市场 供需匹配), pure Python, no Django.

- `normalize`: full-width → half-width, lower case, traditional → simplified (a documented table,
  `data/traditional.tsv`; OpenCC is not in the lock).
- `tokens`: jieba words with the plan's technology terms as a domain dictionary (`vocabulary`,
  from `data/reference/nanyang.yaml`), beside character bigrams.
- `synonyms`: synonym and related-term groups as data (`data/synonyms.tsv`), each with its reason.
- `index`: BM25F over title, keywords and text with synonym expansion, filters and an explanation
  of every hit (which terms matched, in which fields, their share of the score, which synonym
  bridged them); `highlight` marks the matched terms in a text.
- `segment`, `scaled`: the index at scale: a columnar base segment (numpy CSR postings saved as
  .npy, opened memory-mapped, built by worker processes) with an in-memory delta and tombstones;
  `ScaledIndex` scores exactly as `MatchIndex` (which stays the reference and the delta).
- `evaluation`: BEIR-layout and CSL proxy datasets, nDCG@10 / recall@100 / MRR@10 / latency, the
  `kechuang` engine against the `bm25-plain` peer (figures in bench/results/matching.json).
"""

from kechuang.market.engine.highlight import highlight
from kechuang.market.engine.index import MAX_QUERY_CHARS, Hit, MatchIndex, SearchResult, TermMatch
from kechuang.market.engine.normalize import normalize
from kechuang.market.engine.scaled import ScaledIndex
from kechuang.market.engine.segment import Segment, build_segment
from kechuang.market.engine.synonyms import SynonymGroup, Thesaurus, default_groups
from kechuang.market.engine.tokens import Tokenizer, domain_terms

__all__ = [
    "MAX_QUERY_CHARS",
    "Hit",
    "MatchIndex",
    "ScaledIndex",
    "SearchResult",
    "Segment",
    "SynonymGroup",
    "TermMatch",
    "Thesaurus",
    "Tokenizer",
    "build_segment",
    "default_groups",
    "domain_terms",
    "highlight",
    "normalize",
]

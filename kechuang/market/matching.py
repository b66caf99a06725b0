"""The matching index as the web app uses it: derived data built from the database.

One `ScaledIndex` per process holds the published demands, achievements and scenarios, the public
experts and brokers, and the registry's patents: a columnar base segment written by
`manage.py rebuild_match_index` (worker processes tokenise; .npy files under
var/market/match_index.base/, memory-mapped, so the processes of a server share the pages) and
an in-memory delta of what changed since, with tombstones in the base. Every write that changes
what the index holds moves the `IndexWatermark` (in the database, so several app servers see the
same mark); a process whose copy is behind catches up on its next query (the rows changed since
it last read); `manage.py rebuild_match_index` rebuilds at once. Visibility is not the index's
business: callers keep only the hits the user may view (`selectors.search`).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils import timezone

from kechuang.market.engine import (
    ScaledIndex,
    Segment,
    Thesaurus,
    Tokenizer,
    build_segment,
    default_groups,
    domain_terms,
)
from kechuang.market.engine.dense import Encoder, HybridIndex, train_vectors
from kechuang.market.engine.index import DEFAULT_FIELDS
from kechuang.market.engine.learnt import learn_groups, merge, to_tsv
from kechuang.market.engine.synonyms import SynonymGroup, parse_groups
from kechuang.market.models import (
    Achievement,
    Broker,
    Expert,
    IndexWatermark,
    ListingStatus,
    Scenario,
    TechDemand,
    TransferInstitution,
)
from kechuang.registry.models import IndustryChain, Patent

NAME = "market"
_lock = threading.Lock()
_state: dict[str, Any] = {
    "index": None,
    "version": None,
    "since": None,
    "tokenizer": None,
    "tried_snapshot": False,
    "encoder": None,
}


def current_version() -> int:
    return IndexWatermark.objects.filter(name=NAME).values_list("version", flat=True).first() or 0


def _mark() -> tuple[int, Any]:
    """The watermark as a copy compares it: the version and the time it moved."""
    row = IndexWatermark.objects.filter(name=NAME).values_list("version", "updated_at").first()
    return row or (0, None)


def bump() -> None:
    """Tell every copy of the index that the database has moved on. Inside the writer's
    transaction: rolled back with it, visible to the other servers when it commits."""
    updated = IndexWatermark.objects.filter(name=NAME).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        IndexWatermark.objects.get_or_create(name=NAME, defaults={"version": 1})


def domain_vocabulary() -> set[str]:
    """The domain dictionary: the industries' names and technology keywords (the registry's
    `IndustryChain`, loaded from data/reference/nanyang.yaml) and the synonym table's terms."""
    industries = [
        {"name": name, "keywords": keywords or []}
        for name, keywords in IndustryChain.objects.values_list("name", "keywords")
    ]
    return domain_terms(industries) | Thesaurus(default_groups()).terms()


def _tokenizer() -> Tokenizer:
    if _state["tokenizer"] is None:
        _state["tokenizer"] = Tokenizer(domain_vocabulary())
    return _state["tokenizer"]


PEOPLE = (("expert", Expert), ("broker", Broker), ("institution", TransferInstitution))
LISTINGS = (("demand", TechDemand), ("achievement", Achievement), ("scenario", Scenario))
# A write may commit after a copy read the rows changed "since": read a margin further back.
MARGIN = dt.timedelta(seconds=60)


def _listing_document(kind: str, row: Any) -> tuple[tuple[str, int], dict[str, str], dict]:
    meta = {
        "kind": kind,
        "area": row.area_id,
        "industry": (row.industry.parent_id or row.industry_id) if row.industry else None,
        "maturity": getattr(row, "maturity", None),
        "organization": row.organization_id,
    }
    return (kind, row.pk), row.match_texts(), meta


def _person_document(kind: str, row: Any) -> tuple[tuple[str, int], dict[str, str], dict]:
    if kind == "expert":
        texts = {"title": row.expertise, "text": row.publications}
    elif kind == "institution":
        texts = {"title": row.fields, "keywords": row.name, "text": row.services}
    else:
        texts = {"title": row.fields, "text": ""}
    return (kind, row.pk), texts, {"kind": kind, "area": row.area_id}


def _documents() -> Iterator[tuple[tuple[str, int], dict[str, str], dict[str, Any]]]:
    for kind, model in LISTINGS:
        rows = model.objects.filter(status=ListingStatus.PUBLISHED).select_related("industry")
        for row in rows:
            yield _listing_document(kind, row)
    for kind, people in PEOPLE:
        for person in people.objects.filter(is_public=True):
            yield _person_document(kind, person)
    for patent in Patent.objects.only("pk", "title", "abstract").iterator(chunk_size=2000):
        texts = {"title": patent.title, "text": patent.abstract}
        yield ("patent", patent.pk), texts, {"kind": "patent"}


def learnt_path() -> Path:
    """Where the learnt synonyms are kept: settings.MARKET_LEARNT_SYNONYMS, by default
    var/market/learnt_synonyms.tsv."""
    default = Path(settings.VAR_DIR) / "market" / "learnt_synonyms.tsv"
    return Path(getattr(settings, "MARKET_LEARNT_SYNONYMS", default))


def learnt_groups() -> tuple[SynonymGroup, ...]:
    """The synonyms learnt from the corpus by the last `rebuild_match_index` (none before)."""
    path = learnt_path()
    if not path.is_file():
        return ()
    try:
        return parse_groups(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()  # derived data: a damaged file is as good as none; the next rebuild rewrites it


def learn() -> int:
    """Learn synonyms from the platform's own text (published listings, public experts and
    brokers, the registry's patent titles and abstracts: `engine.learnt`) and keep them under
    var/ for every process's index; returns the number of learnt groups. Slow (tens of seconds
    on thousands of documents), so only `rebuild_match_index` runs it, never a request."""
    plain = Tokenizer(_tokenizer().terms, bigrams=False, search_mode=False)
    texts = [" ".join(v for v in texts.values() if v) for _, texts, _ in _documents()]
    groups = learn_groups(texts, plain.words)
    path = learnt_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_tsv(groups), encoding="utf-8")
    return len(groups)


def thesaurus() -> Thesaurus:
    """The hand table (engine/data/synonyms.tsv) with the learnt groups beside it."""
    return Thesaurus(merge(default_groups(), learnt_groups()))


def encoder_dir() -> Path | None:
    """settings.MARKET_ENCODER_DIR: the local word vectors fused with the lexical ranking."""
    configured = getattr(settings, "MARKET_ENCODER_DIR", "")
    return Path(configured) if configured else None


def _encoder() -> Encoder:
    """The configured encoder, loaded once per process (ImproperlyConfigured when unreadable:
    a configuration mistake is not silently ignored)."""
    if _state["encoder"] is None:
        try:
            _state["encoder"] = Encoder.load(encoder_dir())
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(f"KECHUANG_MARKET_ENCODER_DIR：{exc}") from exc
    return _state["encoder"]


def build() -> ScaledIndex | HybridIndex:
    """The index in memory (all in the delta): what a process builds when it has no persisted
    copy to load; it forks no workers and writes no files. With an encoder configured, the
    lexical index inside the hybrid one."""
    index: ScaledIndex | HybridIndex = ScaledIndex(_tokenizer(), thesaurus())
    if encoder_dir() is not None:
        index = HybridIndex(index, _encoder())
    index.add_many(_documents())
    return index


def build_base(workers: int = 1) -> ScaledIndex:
    """A new base segment of every document (tokenised by `workers` processes) in its own
    directory under `base_root()`, and the index on it."""
    directory = base_root() / f"{time.time_ns():x}-{os.getpid()}"
    segment = build_segment(directory, _documents(), _tokenizer(), list(DEFAULT_FIELDS), workers)
    _prune_bases(keep=directory)
    return ScaledIndex(_tokenizer(), thesaurus(), segment=segment)


def _prune_bases(keep: Path, kept: int = 2) -> None:
    """Remove old base segments but the newest `kept` (a process still serving the previous one
    keeps its memory-mapped files, and may still name it in a snapshot it writes)."""
    bases = sorted(
        (p for p in base_root().iterdir() if p.is_dir() and p.suffix != ".building"),
        key=lambda p: p.stat().st_mtime_ns,
    )
    for old in [p for p in bases if p != keep][: max(0, len(bases) - kept)]:
        shutil.rmtree(old, ignore_errors=True)


def train_encoder(directory: Path, dimension: int = 100) -> int:
    """Train word vectors on the platform's own text (what `learn` reads) and write them to
    `directory` for KECHUANG_MARKET_ENCODER_DIR; returns the number of words."""
    plain = Tokenizer(_tokenizer().terms, bigrams=False, search_mode=False)
    texts = [" ".join(v for v in texts.values() if v) for _, texts, _ in _documents()]
    encoder = train_vectors(texts, plain.words, dimension)
    encoder.save(directory)
    return len(encoder.position)


def catch_up(index: ScaledIndex | HybridIndex, since: dt.datetime) -> int:
    """Apply the listings, experts and brokers changed since `since` (less the margin): the
    published and public ones are (re)indexed, the others removed. Returns the rows read."""
    read = 0
    after = since - MARGIN
    for kind, model in LISTINGS:
        for row in model.objects.filter(updated_at__gte=after).select_related("industry"):
            read += 1
            if row.status == ListingStatus.PUBLISHED:
                doc_id, texts, meta = _listing_document(kind, row)
                index.add(doc_id, texts, meta)
            else:
                index.remove((kind, row.pk))
    for kind, people in PEOPLE:
        for person in people.objects.filter(updated_at__gte=after):
            read += 1
            if person.is_public:
                index.add(*_person_document(kind, person))
            else:
                index.remove((kind, person.pk))
    return read


def get_index() -> ScaledIndex | HybridIndex:
    """This process's copy of the index. At start-up it loads the persisted copy (if it belongs
    to this database). When the watermark has moved on, the copy catches up with the rows changed
    since it last read (one listing's update is visible to the next query); when it moved back
    (a rolled-back write, a restored database) or nothing was read yet, the copy is rebuilt."""
    mark = _mark()
    with _lock:
        if _state["index"] is None and not _state["tried_snapshot"]:
            _state["tried_snapshot"] = True
            _load_snapshot()
        index, seen = _state["index"], _state["version"]
        if index is not None and seen == mark:
            return index
        started = timezone.now()
        if index is None or seen is None or mark[0] <= seen[0]:
            _state["index"] = build()
        else:
            catch_up(index, _state["since"])
        _state["version"], _state["since"] = mark, started
        return _state["index"]


def rebuild(workers: int = 1) -> int:
    """Rebuild now (the management command): a new base segment tokenised by `workers`
    processes, and persist the copy; returns the number of documents."""
    with _lock:
        started = timezone.now()
        # with an encoder the vectors are computed in memory (not persisted): no base segment
        _state["index"] = build() if encoder_dir() is not None else build_base(workers)
        _state["version"], _state["since"] = _mark(), started
        count = len(_state["index"])
    save_snapshot()
    return count


# --- the persisted copy --------------------------------------------------------------------------


def snapshot_path() -> Path:
    """settings.MARKET_INDEX_SNAPSHOT, by default var/market/match_index.pickle: the watermark
    read, the base segment's name, the tombstones and the delta (small: what changed since the
    base was built, so writing it after every change stays cheap)."""
    default = Path(settings.VAR_DIR) / "market" / "match_index.pickle"
    return Path(getattr(settings, "MARKET_INDEX_SNAPSHOT", default))


def base_root() -> Path:
    """Where the base segments are kept: beside the snapshot, `<snapshot>.base/<build>/`."""
    path = snapshot_path()
    return path.with_name(path.stem + ".base")


def _lineage() -> str:
    return IndexWatermark.objects.filter(name=NAME).values_list("lineage", flat=True).first() or ""


def save_snapshot() -> Path | None:
    """Write this process's copy with the watermark it has read (atomically: a temporary file
    renamed over the old one). The file is derived data written by the platform itself."""
    with _lock:
        index = _state["index"]
        if index is None or isinstance(index, HybridIndex):
            return None
        directory = index.segment.directory
        payload = {
            "lineage": _lineage(),
            "version": _state["version"],
            "since": _state["since"],
            "base": directory.name if directory is not None else None,
            "delta": index.delta_state(),
        }
    path = snapshot_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
    return path


def _load_snapshot() -> bool:
    """Load the persisted copy when it is this database's (same lineage); the caller then
    catches it up with the watermark as usual. Anything unreadable is ignored (rebuilt)."""
    path = snapshot_path()
    lineage = _lineage()
    if not lineage or not path.is_file() or encoder_dir() is not None:
        return False  # with an encoder the vectors are computed at start-up (not persisted)
    try:
        with path.open("rb") as handle:
            payload = pickle.load(handle)  # our own derived file under var/
        if payload.get("lineage") != lineage:
            return False
        base = payload["base"]
        segment = Segment.open(base_root() / base) if base is not None else None
        index = ScaledIndex(_tokenizer(), thesaurus(), segment=segment)
        index.restore_delta(payload["delta"])
    except (OSError, ValueError, KeyError, pickle.UnpicklingError, EOFError, AttributeError):
        return False
    _state["index"], _state["version"], _state["since"] = (
        index,
        payload["version"],
        payload["since"],
    )
    return True


def refresh_and_save() -> int:
    """The background task's work: catch this process's copy up with the database and persist
    it, so the next server to start loads a current copy; returns the documents indexed."""
    count = len(get_index())
    save_snapshot()
    return count


def forget() -> None:
    """Drop this process's copy (tests; a process that must reload from the persisted copy)."""
    with _lock:
        _state.update(index=None, version=None, since=None, tried_snapshot=False, encoder=None)

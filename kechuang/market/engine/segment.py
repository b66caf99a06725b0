"""The matching index's base segment: a compact columnar copy of many documents (numpy only).

What `MatchIndex` keeps in dicts, a segment keeps in arrays, so a million documents fit in a few
hundred megabytes and load in milliseconds:

- `vocab`: the terms (UTF-8 bytes, sorted; UTF-8 byte order is code-point order, so the sort is
  Python's `sorted`), a term's id is its position;
- `indptr`, `docs`, `counts`: postings in CSR form: the postings of term t are
  `docs[indptr[t]:indptr[t+1]]` (document ordinals, ascending) with the term's count in each field
  (`counts`, one column per field, uint8 unless a count exceeds 255);
- `lengths`: every document's length (terms) per field, and their `totals`;
- `id_codes` (the document ids as JSON, by ordinal), `id_keys`/`id_order` (the same sorted, with
  their ordinals, to find an id by binary search);
- filter metadata as integer-coded columns (`meta_<key>.npy`, −1 where a document has no such
  key) with each key's value table in the manifest.

Scores are not stored: they are computed at query time from the counts (see `scaled.ScaledIndex`),
so the collection statistics stay exact when documents are added or removed.

`build_segment` tokenises in worker processes (chunks of documents; each worker writes its
partial postings to a temporary file and returns its sorted vocabulary), then the parent merges:
with sorted vocabularies the remap of a partial's term ids to the global ids is monotonic, so the
merge places each partial's postings of a term right after the previous partials' (a counting
sort, no global sort). The arrays are saved with `np.save` and opened with `mmap_mode="r"`: a
starting process does not rebuild and the processes of one server share the pages.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import time
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from kechuang.core.forking import own_streams
from kechuang.market.engine.tokens import Tokenizer

FORMAT = 1
MANIFEST = "manifest.json"
ARRAYS = ("vocab", "indptr", "docs", "counts", "lengths", "id_codes", "id_keys", "id_order")
Document = tuple[Any, Mapping[str, str], Mapping[str, Any]]


def encode_id(doc_id: Any) -> bytes:
    """A document id (an int, a str, or a tuple of them) as the bytes the segment stores."""
    return json.dumps(doc_id, ensure_ascii=False, separators=(",", ":")).encode()


def decode_id(code: bytes) -> Any:
    value = json.loads(code.decode())
    return tuple(value) if isinstance(value, list) else value


def _find(sorted_bytes: np.ndarray, key: bytes) -> int:
    """The position of `key` in a sorted bytes array, −1 when absent (a key longer than the
    array's width is absent: numpy would compare it truncated)."""
    if not len(sorted_bytes) or len(key) > sorted_bytes.dtype.itemsize:
        return -1
    position = int(np.searchsorted(sorted_bytes, key))
    if position < len(sorted_bytes) and sorted_bytes[position] == key:
        return position
    return -1


@dataclass
class Segment:
    """An opened segment (its arrays memory-mapped, read-only)."""

    fields: list[str]
    arrays: dict[str, np.ndarray]
    columns: dict[str, np.ndarray]  # meta key → codes by ordinal (−1: no such key)
    values: dict[str, list[Any]]  # meta key → value of each code
    totals: list[int]
    directory: Path | None = None
    _codes: dict[str, dict[Any, int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for key, values in self.values.items():
            self._codes[key] = {value: code for code, value in enumerate(values)}
        for name in ARRAYS:
            setattr(self, name, self.arrays[name])

    @property
    def size(self) -> int:
        return len(self.arrays["lengths"])

    def term_id(self, term: str) -> int:
        return _find(self.arrays["vocab"], term.encode())

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's document ordinals (ascending) and their per-field counts."""
        term_id = self.term_id(term)
        if term_id < 0:
            return np.empty(0, np.int32), np.empty((0, len(self.fields)), np.uint8)
        start, end = self.arrays["indptr"][term_id], self.arrays["indptr"][term_id + 1]
        return self.arrays["docs"][start:end], self.arrays["counts"][start:end]

    def ordinal(self, doc_id: Any) -> int:
        """The document's ordinal, −1 when the segment does not hold it."""
        position = _find(self.arrays["id_keys"], encode_id(doc_id))
        return -1 if position < 0 else int(self.arrays["id_order"][position])

    def doc_id(self, ordinal: int) -> Any:
        return decode_id(bytes(self.arrays["id_codes"][ordinal]))

    def meta(self, ordinal: int) -> dict[str, Any]:
        meta = {}
        for key, column in self.columns.items():
            code = int(column[ordinal])
            if code >= 0:
                meta[key] = self.values[key][code]
        return meta

    def codes(self, key: str, wanted: Iterable[Any]) -> list[int]:
        """The codes of the wanted values of a meta key (−1 for None: a document without the
        key passes a filter that accepts None, as in `MatchIndex`)."""
        table = self._codes.get(key, {})
        found = [table[value] for value in wanted if value in table]
        return [*found, -1] if None in wanted else found

    def passes(self, key: str, wanted: Iterable[Any]) -> np.ndarray | bool:
        """Which documents' value of the meta key is one of `wanted` (a mask over the ordinals;
        a plain bool when the segment has no such key)."""
        codes = self.codes(key, wanted)
        column = self.columns.get(key)
        if column is None:
            return -1 in codes
        if len(codes) == 1:
            return column == codes[0]
        table = np.zeros(len(self.values[key]) + 1, bool)
        table[np.asarray(codes, np.int64) + 1] = True  # code −1 (no such key) at 0
        return table[column + 1]

    @classmethod
    def empty(cls, fields: Sequence[str]) -> Segment:
        arrays = {
            "vocab": np.empty(0, "S1"),
            "indptr": np.zeros(1, np.int64),
            "docs": np.empty(0, np.int32),
            "counts": np.empty((0, len(fields)), np.uint8),
            "lengths": np.empty((0, len(fields)), np.int32),
            "id_codes": np.empty(0, "S1"),
            "id_keys": np.empty(0, "S1"),
            "id_order": np.empty(0, np.int32),
        }
        return cls(list(fields), arrays, {}, {}, [0] * len(fields))

    @classmethod
    def open(cls, directory: Path) -> Segment:
        """Open a saved segment; ValueError when it is missing, damaged or of another format."""
        directory = Path(directory)
        try:
            manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT:
                raise ValueError(f"索引段格式 {manifest.get('format')} 不是 {FORMAT}")
            arrays = {name: _mapped(directory / f"{name}.npy") for name in ARRAYS}
            columns = {
                key: _mapped(directory / f"meta_{number}.npy")
                for number, key in enumerate(manifest["meta_keys"])
            }
        except (OSError, KeyError, json.JSONDecodeError) as error:
            raise ValueError(f"索引段 {directory} 无法读取：{error}") from error
        values = dict(zip(manifest["meta_keys"], manifest["meta_values"], strict=True))
        return cls(manifest["fields"], arrays, columns, values, manifest["totals"], directory)


def _mapped(path: Path) -> np.ndarray:
    """The array memory-mapped, as a plain ndarray view (np.memmap's Python-level __getitem__
    costs ~10 µs a slice, as much as the slice's work)."""
    return np.asarray(np.load(path, mmap_mode="r"))


# --- building --------------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _set_worker(tokenizer: Tokenizer, fields: list[str], scratch: Path) -> None:
    _worker.update(tokenizer=tokenizer, fields=fields, scratch=scratch)


def _tokenise_chunk(job: tuple[int, list[Mapping[str, str]]]) -> dict[str, Any]:
    """Tokenise one chunk of documents (their texts) into a partial segment: its postings go to
    a scratch file, its sorted vocabulary, document frequencies and lengths come back."""
    number, chunk = job
    tokenizer, fields = _worker["tokenizer"], _worker["fields"]
    vocab: dict[str, int] = {}
    term_ids, doc_ids, field_ids, counts = array("i"), array("i"), array("b"), array("I")
    lengths = array("i")
    for ordinal, texts in enumerate(chunk):
        for position, name in enumerate(fields):
            found = Counter(tokenizer.tokens(texts.get(name) or ""))
            lengths.append(sum(found.values()))
            for term, count in found.items():
                term_ids.append(vocab.setdefault(term, len(vocab)))
                doc_ids.append(ordinal)
                field_ids.append(position)
                counts.append(count)
    terms = sorted(vocab)
    rank = np.empty(len(vocab), np.int64)
    rank[np.fromiter((vocab[t] for t in terms), np.int64, len(terms))] = np.arange(len(terms))
    keys = rank[np.frombuffer(term_ids, np.int32)] * max(len(chunk), 1) + np.frombuffer(
        doc_ids, np.int32
    )
    unique, inverse = np.unique(keys, return_inverse=True)
    table = np.zeros((len(unique), len(fields)), np.uint32)
    table[inverse, np.frombuffer(field_ids, np.int8)] = np.frombuffer(counts, np.uint32)
    term_of = (unique // max(len(chunk), 1)).astype(np.int32)
    path = Path(_worker["scratch"]) / f"part_{number:06d}.npz"
    np.savez(path, terms=term_of, docs=(unique % max(len(chunk), 1)).astype(np.int32), n=table)
    return {
        "number": number,
        "size": len(chunk),
        "vocab": np.array([t.encode() for t in terms], dtype=f"S{_width(terms)}"),
        "df": np.bincount(term_of, minlength=len(terms)).astype(np.int64),
        "lengths": np.frombuffer(lengths, np.int32).reshape(len(chunk), len(fields)).copy(),
        "max_count": int(table.max()) if len(table) else 0,
        "path": str(path),
    }


def _width(terms: Sequence[str]) -> int:
    return max((len(t.encode()) for t in terms), default=1) or 1


@dataclass
class _Collected:
    """What the parent keeps while the workers tokenise: ids and metadata columns."""

    ids: list[bytes] = field(default_factory=list)
    columns: dict[str, array] = field(default_factory=dict)
    tables: dict[str, dict[Any, int]] = field(default_factory=dict)

    def add(self, doc_id: Any, meta: Mapping[str, Any]) -> None:
        ordinal = len(self.ids)
        self.ids.append(encode_id(doc_id))
        for key, value in meta.items():
            if key not in self.columns:
                self.columns[key] = array("i", [-1]) * ordinal
                self.tables[key] = {}
            table = self.tables[key]
            self.columns[key].append(table.setdefault(value, len(table)))
        for column in self.columns.values():
            if len(column) == ordinal:
                column.append(-1)


def _chunks(
    documents: Iterable[Document], collected: _Collected, size: int
) -> Iterator[tuple[int, list[Mapping[str, str]]]]:
    iterator = iter(documents)
    number = 0
    while chunk := list(islice(iterator, size)):
        for doc_id, _, meta in chunk:
            collected.add(doc_id, meta or {})
        yield number, [texts for _, texts, _ in chunk]
        number += 1


def _tokenise(
    documents: Iterable[Document],
    tokenizer: Tokenizer,
    fields: list[str],
    scratch: Path,
    workers: int,
    chunk_size: int,
) -> tuple[list[dict[str, Any]], _Collected]:
    collected = _Collected()
    jobs = _chunks(documents, collected, chunk_size)
    _set_worker(tokenizer, fields, scratch)
    if workers <= 1:
        return [_tokenise_chunk(job) for job in jobs], collected
    # fork: the workers inherit the tokenizer (its jieba dictionary) instead of rebuilding it.
    # This thread reads the documents (a database cursor stays in its thread) and keeps a few
    # chunks in flight, so the documents are never all in memory at once.
    context = multiprocessing.get_context("fork")
    parts: list[dict[str, Any]] = []
    with context.Pool(workers, initializer=own_streams) as pool:
        pending: deque[Any] = deque()
        for job in jobs:
            pending.append(pool.apply_async(_tokenise_chunk, (job,)))
            while len(pending) > 2 * workers:
                parts.append(pending.popleft().get())
        parts += [result.get() for result in pending]
    return parts, collected


def _merge(parts: list[dict[str, Any]], fields: list[str]) -> dict[str, np.ndarray]:
    """Merge the partial segments (in document order) into the global CSR postings."""
    vocab = np.unique(np.concatenate([p["vocab"] for p in parts])) if parts else np.empty(0, "S1")
    df = np.zeros(len(vocab), np.int64)
    remaps = []
    for part in parts:
        remap = np.searchsorted(vocab, part["vocab"])
        df[remap] += part["df"]
        remaps.append(remap)
    indptr = np.zeros(len(vocab) + 1, np.int64)
    np.cumsum(df, out=indptr[1:])
    dtype = np.uint8 if max((p["max_count"] for p in parts), default=0) <= 255 else np.uint16
    docs = np.empty(int(indptr[-1]), np.int32)
    counts = np.empty((int(indptr[-1]), len(fields)), dtype)
    filled = indptr[:-1].copy()
    offset = 0
    for part, remap in zip(parts, remaps, strict=True):
        with np.load(part["path"]) as data:
            local_terms, local_docs, table = data["terms"], data["docs"], data["n"]
        local_ptr = np.zeros(len(part["df"]) + 1, np.int64)
        np.cumsum(part["df"], out=local_ptr[1:])
        positions = filled[remap[local_terms]] + (
            np.arange(len(local_terms)) - local_ptr[local_terms]
        )
        docs[positions] = local_docs + offset
        counts[positions] = table
        filled[remap] += part["df"]
        offset += part["size"]
    lengths = (
        np.concatenate([p["lengths"] for p in parts])
        if parts
        else np.empty((0, len(fields)), np.int32)
    )
    return {"vocab": vocab, "indptr": indptr, "docs": docs, "counts": counts, "lengths": lengths}


def _save(
    directory: Path, arrays: dict[str, np.ndarray], collected: _Collected, fields: list[str]
) -> None:
    ids = np.array(collected.ids, dtype=f"S{max((len(i) for i in collected.ids), default=1)}")
    order = np.argsort(ids, kind="stable")
    if len(ids) and (ids[order][1:] == ids[order][:-1]).any():
        raise ValueError("索引段中有重复的文档编号：每个文档只能出现一次")
    arrays = {**arrays, "id_codes": ids, "id_keys": ids[order], "id_order": order.astype(np.int32)}
    directory.mkdir(parents=True, exist_ok=True)
    for name in ARRAYS:
        np.save(directory / f"{name}.npy", arrays[name])
    keys = list(collected.columns)
    for number, key in enumerate(keys):
        np.save(directory / f"meta_{number}.npy", np.frombuffer(collected.columns[key], np.int32))
    manifest = {
        "format": FORMAT,
        "fields": fields,
        "documents": len(ids),
        "terms": len(arrays["vocab"]),
        "postings": len(arrays["docs"]),
        "totals": [int(t) for t in arrays["lengths"].sum(axis=0, dtype=np.int64)],
        "meta_keys": keys,
        "meta_values": [list(collected.tables[key]) for key in keys],
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def build_segment(
    directory: Path,
    documents: Iterable[Document],
    tokenizer: Tokenizer,
    fields: Sequence[str],
    workers: int = 2,
    chunk_size: int = 5000,
    timings: dict[str, float] | None = None,
) -> Segment:
    """Build a segment of `documents` ((id, {field: text}, meta) with JSON-able ids and meta
    values) in `directory` (replaced) and open it. `timings` receives the seconds spent
    tokenising, merging and saving."""
    directory = Path(directory)
    fields = list(fields)
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="segment-", dir=directory.parent))
    building = directory.with_name(directory.name + ".building")
    try:
        started = time.perf_counter()
        parts, collected = _tokenise(documents, tokenizer, fields, scratch, workers, chunk_size)
        tokenised = time.perf_counter()
        arrays = _merge(parts, fields)
        merged = time.perf_counter()
        shutil.rmtree(building, ignore_errors=True)
        _save(building, arrays, collected, fields)
        del arrays
        shutil.rmtree(directory, ignore_errors=True)
        building.rename(directory)
        saved = time.perf_counter()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if timings is not None:
        timings.update(tokenise=tokenised - started, merge=merged - tokenised, save=saved - merged)
    return Segment.open(directory)

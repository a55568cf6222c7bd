"""Match scanned files against loaded hash sets: exact MD5 / SHA-1 / SHA-256, and PDQ within a Hamming distance.

Exact matching: each set keeps its digests as one sorted NumPy array of fixed-width bytes ('S16' for MD5,
'S20' for SHA-1, 'S32' for SHA-256) and looks queries up with `searchsorted` (vectorised binary search, O(log n) per query, no
hashing of Python objects). Memory held per loaded hash (NumPy arrays):

    each digest      16 B (MD5) / 20 B (SHA-1) / 32 B (SHA-256, PDQ code) + 4 B entry number
    each entry       1 B category index + 4 B series index (shared by the entry's MD5, SHA-1 and PDQ)

    so an MD5-only set costs 25 B per hash (10 M hashes: 250 MB), MD5 + SHA-1 per entry 49 B; PDQ sets add
    the faiss index: 32 B per hash for IndexBinaryFlat, about 600 B for IndexBinaryMultiHash 11 x 23 (its
    hash tables: 6.1 GB for 10 M hashes; measured in docs/benchmarks/triage.md).

Building sorts once (an int64 argsort: 8 B per hash, transient). Duplicates are kept (a hash listed twice under
two categories reports both).

PDQ matching is exact, never approximate: for a distance threshold t (default 31, Meta's), a reference set of up
to FLAT_MAX hashes uses faiss `IndexBinaryFlat` (brute force); larger sets use `IndexBinaryMultiHash` with
11 tables of 23 bits and nflip = t // 11 bit flips probed per table. That is exact by the pigeonhole principle:
the 11 segments cover 253 of the 256 bits, so two hashes within t bits differ in at most t bits over the
segments, and if every segment differed in more than nflip bits they would differ in at least
11 * (nflip + 1) > t bits. (Meta's python-threatexchange uses 16 tables of 16 bits with nflip 1; 11 x 23 probes
more buckets per table but finds far fewer candidates per bucket: 4x faster at 1 M hashes and about 20x at
10 M here, for twice the memory.) Every match reports its distance.

Verdicts: a hit in a reference set (CAID, Project VIC, own lists) makes a file "known" with that set's category
(or uncategorised); a hit only in NSRL, or only under a non-pertinent category, makes it "known-non-pertinent";
anything else is "unknown". A reference hit always wins over NSRL: NSRL means known, not known good.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from winnow.core.dihedral import DIHEDRAL_TRANSFORMS

from .hashsets import CategoryScheme, HashRecord, HashSetParse

DEFAULT_PDQ_THRESHOLD = 31
QUALITY_THRESHOLD = 50
FLAT_MAX = 200_000  # reference sets up to this size are searched brute force (faster than hashing there)
MULTIHASH_TABLES = 11
MULTIHASH_BITS = 23

KNOWN = "known"
KNOWN_NON_PERTINENT = "known-non-pertinent"
UNKNOWN = "unknown"

UInt8Array = npt.NDArray[np.uint8]


# ---------------------------------------------------------------------------------------------------- helpers


def pdq_codes(hexes: Iterable[str]) -> UInt8Array:
    """64-hex-digit PDQ hashes -> (n, 32) uint8 array (the layout faiss binary indexes take)."""
    joined = b"".join(bytes.fromhex(h) for h in hexes)
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, 32).copy()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _digests(hexes: Sequence[str | None], width: int) -> tuple[npt.NDArray[np.bytes_], npt.NDArray[np.intp]]:
    """Hex digests -> fixed-width byte array of the present ones, and their positions in the input."""
    pos = [i for i, h in enumerate(hexes) if h]
    arr = np.frombuffer(b"".join(bytes.fromhex(hexes[i] or "") for i in pos), dtype=f"S{width}")
    return arr, np.asarray(pos, dtype=np.intp)


class ExactIndex:
    """A sorted array of fixed-width digests plus each one's entry number in its set."""

    def __init__(self, digests: npt.NDArray[np.bytes_], entries: npt.NDArray[np.int32]) -> None:
        order = np.argsort(digests, kind="stable")
        self.digests = digests[order]
        self.entries = entries[order].astype(np.int32)

    def __len__(self) -> int:
        return int(self.digests.size)

    @property
    def nbytes(self) -> int:
        return int(self.digests.nbytes)

    def lookup(self, queries: npt.NDArray[np.bytes_]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int32]]:
        """All (query index, entry) pairs whose digests are equal; a duplicated digest yields each entry."""
        if not len(self) or not queries.size:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int32)
        lo = np.searchsorted(self.digests, queries, side="left")
        hi = np.searchsorted(self.digests, queries, side="right")
        counts = hi - lo
        q = np.repeat(np.arange(queries.size), counts)
        if not q.size:
            return q, np.zeros(0, dtype=np.int32)
        starts = np.repeat(lo, counts)
        offsets = np.arange(q.size) - np.repeat(np.cumsum(counts) - counts, counts)
        return q, self.entries[starts + offsets]


class PdqIndex:
    """Exact PDQ search within a Hamming distance (faiss; see the module docstring for the exactness argument)."""

    def __init__(
        self, codes: UInt8Array, *, threshold: int = DEFAULT_PDQ_THRESHOLD, method: str = "auto"
    ) -> None:
        if codes.ndim != 2 or codes.shape[1] != 32:
            raise ValueError("PDQ codes must be an (n, 32) uint8 array")
        self.threshold = threshold
        self.size = int(codes.shape[0])
        if method == "auto":
            method = "flat" if self.size <= FLAT_MAX or threshold >= 64 else "multihash"
        self.method = method
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        self.index: Any
        if method == "flat":
            self.index = faiss.IndexBinaryFlat(256)
        elif method == "multihash":
            self.index = faiss.IndexBinaryMultiHash(256, MULTIHASH_TABLES, MULTIHASH_BITS)
            self.index.nflip = threshold // MULTIHASH_TABLES
        elif method == "multihash16":  # Meta's configuration, kept for comparison in benchmarks
            self.index = faiss.IndexBinaryMultiHash(256, 16, 16)
            self.index.nflip = threshold // 16
        else:
            raise ValueError(f"unknown PDQ index method {method!r}")
        if self.size:
            self.index.add(codes)

    def search(
        self, queries: UInt8Array, threshold: int | None = None
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """(query index, reference index, distance) for every pair within `threshold` bits (inclusive)."""
        t = self.threshold if threshold is None else threshold
        if t > self.threshold and self.method != "flat":
            raise ValueError(f"this index is exact up to distance {self.threshold}, not {t}")
        if not self.size or not len(queries):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        # faiss binary range_search returns distances strictly below the radius
        lims, dist, ids = self.index.range_search(np.ascontiguousarray(queries, dtype=np.uint8), t + 1)
        q = np.repeat(np.arange(len(queries)), np.diff(lims.astype(np.int64)))
        return q, ids.astype(np.int64), dist.astype(np.int32)


# -------------------------------------------------------------------------------------------------- hash sets


@dataclass
class LoadedHashSet:
    """One hash set in memory, ready to match. Build with `from_records` / `from_parse`."""

    name: str
    kind: str  # "reference" or "known-files" (NSRL)
    scheme: CategoryScheme | None
    categories: tuple[str | None, ...]  # category index -> scheme code (None = uncategorised)
    series_names: tuple[str, ...]
    md5: ExactIndex
    sha1: ExactIndex
    sha256: ExactIndex
    entry_category: npt.NDArray[np.int8]  # per entry: index into `categories`
    entry_series: npt.NDArray[np.int32]  # per entry: index into `series_names`, -1 none
    pdq_entries: npt.NDArray[np.int32]
    pdq: PdqIndex | None
    entry_segments: dict[int, tuple[str | None, ...]] = field(default_factory=dict)  # VICS 2.0 videos by segment

    @classmethod
    def from_records(
        cls,
        name: str,
        records: Iterable[HashRecord],
        *,
        kind: str = "reference",
        scheme: CategoryScheme | None = None,
        pdq_threshold: int = DEFAULT_PDQ_THRESHOLD,
        pdq_method: str = "auto",
    ) -> LoadedHashSet:
        """Stream records into compact arrays (no per-record Python objects are kept)."""
        md5 = bytearray()
        md5_entry = array("i")  # compact: 4 B per hash, not a list of Python ints
        sha1 = bytearray()
        sha1_entry = array("i")
        sha256 = bytearray()
        sha256_entry = array("i")
        pdq = bytearray()
        pdq_entry = array("i")
        cat_index: dict[str | None, int] = {None: 0}
        series_index: dict[str, int] = {}
        cats = bytearray()
        series = array("i")
        segments: dict[int, tuple[str | None, ...]] = {}  # only the few entries categorised by segment
        n = 0
        for rec in records:
            if rec.segments:
                segments[n] = rec.segments
            if rec.md5:
                md5 += bytes.fromhex(rec.md5)
                md5_entry.append(n)
            if rec.sha1:
                sha1 += bytes.fromhex(rec.sha1)
                sha1_entry.append(n)
            if rec.sha256:
                sha256 += bytes.fromhex(rec.sha256)
                sha256_entry.append(n)
            if rec.pdq:
                pdq += bytes.fromhex(rec.pdq)
                pdq_entry.append(n)
            c = cat_index.setdefault(rec.category, len(cat_index))
            if c > 127:
                raise ValueError("more than 127 categories in one hash set")
            cats.append(c)
            series.append(series_index.setdefault(rec.series, len(series_index)) if rec.series else -1)
            n += 1
            if n >= 2**31:
                raise ValueError("a hash set of more than 2**31 entries")
        pdq_codes_arr = np.frombuffer(bytes(pdq), dtype=np.uint8).reshape(-1, 32)
        return cls(
            name=name,
            kind=kind,
            scheme=scheme,
            categories=tuple(cat_index),
            series_names=tuple(series_index),
            md5=ExactIndex(np.frombuffer(bytes(md5), dtype="S16"), np.frombuffer(md5_entry, dtype=np.int32)),
            sha1=ExactIndex(
                np.frombuffer(bytes(sha1), dtype="S20"), np.frombuffer(sha1_entry, dtype=np.int32)
            ),
            sha256=ExactIndex(
                np.frombuffer(bytes(sha256), dtype="S32"), np.frombuffer(sha256_entry, dtype=np.int32)
            ),
            entry_category=np.frombuffer(bytes(cats), dtype=np.int8).copy(),
            entry_series=np.frombuffer(series, dtype=np.int32).copy(),
            pdq_entries=np.frombuffer(pdq_entry, dtype=np.int32).copy(),
            pdq=PdqIndex(pdq_codes_arr, threshold=pdq_threshold, method=pdq_method) if pdq_entry else None,
            entry_segments=segments,
        )

    @classmethod
    def from_parse(cls, parse: HashSetParse, name: str | None = None, **kw: Any) -> LoadedHashSet:
        loaded = cls.from_records(name or parse.path.name, parse, kind=parse.kind, scheme=parse.scheme, **kw)
        loaded.scheme = parse.scheme  # VICS 2.0 US files settle their scheme while parsing
        return loaded

    @property
    def nbytes(self) -> int:
        """NumPy memory held (faiss index memory not included)."""
        return int(
            self.md5.nbytes
            + self.md5.entries.nbytes
            + self.sha1.nbytes
            + self.sha1.entries.nbytes
            + self.sha256.nbytes
            + self.sha256.entries.nbytes
            + self.entry_category.nbytes
            + self.entry_series.nbytes
            + self.pdq_entries.nbytes
        )

    def category_of(self, entry: int) -> str | None:
        return self.categories[int(self.entry_category[entry])]

    def series_of(self, entry: int) -> str | None:
        s = int(self.entry_series[entry])
        return self.series_names[s] if s >= 0 else None

    def is_non_pertinent(self, category: str | None) -> bool:
        if self.kind == "known-files":
            return True
        return self.scheme is not None and self.scheme.is_non_pertinent(category)


# ---------------------------------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class FileHashes:
    md5: str | None = None
    sha1: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    pdq_oriented: str | None = None  # the EXIF-oriented view, when the scanner recorded one
    pdq_dihedral: tuple[str, ...] = ()  # the seven rotated and mirrored PDQs (DIHEDRAL_TRANSFORMS[1:]), if recorded
    sha256: str | None = None  # None in result files from scanners before SHA-256 was recorded

    @staticmethod
    def dihedral_of(text: str | None) -> tuple[str, ...]:
        """The scan result's comma-separated column; anything but seven 64-hex hashes counts as not recorded."""
        parts = tuple((text or "").split(","))
        ok = len(parts) == 7 and all(len(p) == 64 and all(c in "0123456789abcdef" for c in p) for p in parts)
        return parts if ok else ()


@dataclass(frozen=True, slots=True)
class Hit:
    set_name: str
    set_kind: str
    method: str  # "md5" | "sha1" | "sha256" | "pdq"
    category: str | None
    scheme: str | None
    non_pertinent: bool
    series: str | None = None
    distance: int | None = None  # PDQ only (0 for an identical perceptual hash)
    oriented: bool = False  # PDQ matched through the EXIF-oriented view
    transform: str | None = None  # PDQ matched a rotated or mirrored copy: what the file is (DIHEDRAL_TRANSFORMS)
    segments: tuple[str | None, ...] = ()  # the entry's VICS 2.0 Segments categories (category is the most severe)


@dataclass
class Verdict:
    status: str = UNKNOWN  # known | known-non-pertinent | unknown
    exact: bool = False  # an MD5, SHA-1 or SHA-256 hit in a set that decided the status
    hits: list[Hit] = field(default_factory=list)

    @property
    def min_distance(self) -> int | None:
        d = [h.distance for h in self.hits if h.distance is not None]
        return min(d) if d else None


class Matcher:
    """Matches files against every loaded set at once."""

    def __init__(self, sets: Sequence[LoadedHashSet], *, pdq_threshold: int = DEFAULT_PDQ_THRESHOLD) -> None:
        self.sets = list(sets)
        self.pdq_threshold = pdq_threshold

    def match(self, files: Sequence[FileHashes]) -> list[Verdict]:
        hits: list[list[Hit]] = [[] for _ in files]
        md5_q, md5_pos = _digests([f.md5 for f in files], 16)
        sha1_q, sha1_pos = _digests([f.sha1 for f in files], 20)
        sha256_q, sha256_pos = _digests([f.sha256 for f in files], 32)
        pdq_pos = [i for i, f in enumerate(files) if f.pdq and (f.pdq_quality or 0) >= QUALITY_THRESHOLD]
        ori_pos = [i for i in pdq_pos if files[i].pdq_oriented]
        pdq_q = pdq_codes(files[i].pdq or "" for i in pdq_pos)
        ori_q = pdq_codes(files[i].pdq_oriented or "" for i in ori_pos)
        # the seven dihedral variants: (queries, positions, transform name) per variant
        dih_pos = [i for i in pdq_pos if files[i].pdq_dihedral]
        dihedral = [
            (pdq_codes(files[i].pdq_dihedral[k - 1] for i in dih_pos), dih_pos, DIHEDRAL_TRANSFORMS[k])
            for k in range(1, 8)
        ] if dih_pos else []
        for s in self.sets:
            exact = (("md5", s.md5, md5_q, md5_pos), ("sha1", s.sha1, sha1_q, sha1_pos),
                     ("sha256", s.sha256, sha256_q, sha256_pos))
            for method, index, q, pos in exact:
                qi, entries = index.lookup(q)
                for i, e in zip(qi.tolist(), entries.tolist(), strict=True):
                    cat = s.category_of(e)
                    hits[pos[i]].append(
                        Hit(
                            s.name,
                            s.kind,
                            method,
                            cat,
                            s.scheme.name if s.scheme else None,
                            s.is_non_pertinent(cat),
                            s.series_of(e),
                            segments=s.entry_segments.get(e, ()),
                        )
                    )
            if s.pdq is None:
                continue
            # (file, entry) -> (distance, via oriented view, transform); as stored first, so a tie keeps it
            best: dict[tuple[int, int], tuple[int, bool, str | None]] = {}
            searches: list[tuple[Any, list[int], bool, str | None]] = [
                (pdq_q, pdq_pos, False, None), (ori_q, ori_pos, True, None),
                *((q, p, False, name) for q, p, name in dihedral),
            ]  # fmt: skip
            for queries, positions, oriented, transform in searches:
                if not positions:
                    continue
                qi, ref, dist = s.pdq.search(queries, self.pdq_threshold)
                for i, r, d in zip(qi.tolist(), ref.tolist(), dist.tolist(), strict=True):
                    key = (positions[i], int(s.pdq_entries[r]))
                    if key not in best or d < best[key][0]:
                        best[key] = (d, oriented, transform)
            for (fi, e), (d, oriented, transform) in sorted(best.items()):
                cat = s.category_of(e)
                hits[fi].append(
                    Hit(
                        s.name,
                        s.kind,
                        "pdq",
                        cat,
                        s.scheme.name if s.scheme else None,
                        s.is_non_pertinent(cat),
                        s.series_of(e),
                        distance=d,
                        oriented=oriented,
                        transform=transform,
                        segments=s.entry_segments.get(e, ()),
                    )
                )
        return [_verdict(h) for h in hits]


def _verdict(hits: list[Hit]) -> Verdict:
    v = Verdict(hits=hits)
    if not hits:
        return v
    pertinent = [h for h in hits if h.set_kind == "reference" and not h.non_pertinent]
    deciding = pertinent or hits
    v.status = KNOWN if pertinent else KNOWN_NON_PERTINENT
    v.exact = any(h.method != "pdq" for h in deciding)
    return v


def match_result_file(
    result: str | Path, matcher: Matcher, *, batch: int = 50_000
) -> Iterator[tuple[dict[str, Any], Verdict]]:
    """Every regular file of a scan result with its verdict, in path order (read-only, batched)."""
    con = sqlite3.connect(f"{Path(result).resolve().as_uri()}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        cur = con.execute("SELECT * FROM files WHERE entry_type = 'file' ORDER BY path")
        while rows := cur.fetchmany(batch):
            dicts = [dict(r) for r in rows]
            files = [
                FileHashes(r["md5"], r["sha1"], r["pdq"], r["pdq_quality"], r["pdq_oriented"],
                           FileHashes.dihedral_of(r.get("pdq_dihedral")), r.get("sha256"))
                for r in dicts
            ]
            yield from zip(dicts, matcher.match(files), strict=True)
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------------- clusters


@dataclass(frozen=True, slots=True)
class Cluster:
    members: tuple[int, ...]  # indexes into the input hashes
    edges: int  # pairs within the threshold
    max_edge: int  # the largest distance among those pairs


def cluster_pdq(
    hashes: Sequence[str], *, threshold: int = DEFAULT_PDQ_THRESHOLD, min_size: int = 2
) -> list[Cluster]:
    """Series candidates: connected components of the graph joining two images whose PDQ hashes are within
    `threshold` bits (single linkage, so a chain of near-duplicates forms one component even when its two
    ends are further apart; `max_edge` is the largest link). Largest clusters first.

    Pass only unknown, hashable images (quality >= 50): flat, featureless images otherwise bridge clusters."""
    n = len(hashes)
    if n < 2:
        return []
    codes = pdq_codes(hashes)
    index = PdqIndex(codes, threshold=threshold)
    qi, ri, dist = index.search(codes)
    keep = qi < ri  # each pair once, no self-pairs
    a, b, d = qi[keep], ri[keep], dist[keep]
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    roots = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
    edges = np.bincount(roots[a], minlength=n) if a.size else np.zeros(n, dtype=np.int64)
    max_edge = np.zeros(n, dtype=np.int64)
    if a.size:
        np.maximum.at(max_edge, roots[a], d)
    order = np.argsort(roots, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(roots[order])) + 1)
    clusters = [
        Cluster(tuple(int(m) for m in g), int(edges[roots[g[0]]]), int(max_edge[roots[g[0]]]))
        for g in groups
        if g.size >= min_size
    ]
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    return clusters

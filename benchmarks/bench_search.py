"""Benchmark (c): PDQ search of 100,000 queries against 1M (and 10M) reference hashes, distance <= 31.

Indexes compared (all faiss, all exact):
  * IndexBinaryFlat            brute force; also the ground truth for recall
  * IndexBinaryMultiHash 16x16 nflip 1   (Meta's python-threatexchange configuration)
  * IndexBinaryMultiHash 11x23 nflip 2   (Winnow's choice above 200,000 hashes; see winnow/core/matching.py)

Reference hashes are uniformly random 256-bit codes (real PDQ hashes are clumpier, which makes hash-bucket
indexes slower, not faster: treat these as best-case figures for the multi-hash indexes). Half the queries are
planted near duplicates (a random reference with 0-40 random bits flipped, so about three quarters are within 31),
half are random. Recall = matches found by the index / matches found by brute force, over every query; 100 % is
required. Memory = growth of the process's resident set while building the index.

    .venv/bin/python benchmarks/bench_search.py --quick           # 100k refs x 10k queries, ~1 min
    .venv/bin/python benchmarks/bench_search.py                   # 1M refs x 100k queries
    .venv/bin/python benchmarks/bench_search.py --sizes 1000000,10000000
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

import faiss
import numpy as np

from winnow.core.matching import PdqIndex

THRESHOLD = 31


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_queries(refs: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    q = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    half = n // 2
    src = refs[rng.integers(0, len(refs), half)]
    bits = np.unpackbits(src, axis=1)
    flips = rng.integers(0, 41, half)
    for i in range(half):
        bits[i, rng.choice(256, flips[i], replace=False)] ^= 1
    q[:half] = np.packbits(bits, axis=1)
    return q


def pairs(q: np.ndarray, r: np.ndarray, d: np.ndarray) -> np.ndarray:
    """(query, ref, distance) triples as one sortable int64 array."""
    return np.sort((q.astype(np.int64) << 40) | (r.astype(np.int64) << 6) | d.astype(np.int64))


def brute_force(refs: np.ndarray, queries: np.ndarray, block: int = 1_000_000) -> tuple[np.ndarray, float]:
    """Ground truth with IndexBinaryFlat, the reference set split into cache-sized blocks."""
    t = time.perf_counter()
    found = []
    for start in range(0, len(refs), block):
        flat = faiss.IndexBinaryFlat(256)
        flat.add(refs[start : start + block])
        lims, dist, ids = flat.range_search(queries, THRESHOLD + 1)
        qi = np.repeat(np.arange(len(queries)), np.diff(lims.astype(np.int64)))
        found.append(pairs(qi, ids + start, dist))
    return np.sort(np.concatenate(found)), time.perf_counter() - t


def bench(n_refs: int, n_queries: int, methods: list[str], seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    refs = rng.integers(0, 256, (n_refs, 32), dtype=np.uint8)
    queries = make_queries(refs, n_queries, rng)
    print(
        f"\n{n_refs:,} reference hashes ({refs.nbytes / 1e6:,.0f} MB of codes), {n_queries:,} queries, "
        f"distance <= {THRESHOLD}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    truth, bf_time = brute_force(refs, queries)
    print(
        f"  brute force (IndexBinaryFlat in 1M blocks): {len(truth):,} matches, {n_queries / bf_time:,.0f} q/s "
        f"({bf_time:.1f} s)",
        flush=True,
    )
    print(f"  {'index':<28}{'build s':>9}{'memory MB':>11}{'B/hash':>8}{'queries/s':>11}{'recall':>9}")
    for method in methods:
        gc.collect()
        before = rss()
        t = time.perf_counter()
        index = PdqIndex(refs, threshold=THRESHOLD, method=method)
        build = time.perf_counter() - t
        mem = rss() - before
        t = time.perf_counter()
        qi, ri, dist = index.search(queries)
        search = time.perf_counter() - t
        got = pairs(qi, ri, dist)
        recall = len(np.intersect1d(got, truth)) / len(truth) if len(truth) else 1.0
        extra = len(np.setdiff1d(got, truth))
        label = {
            "flat": "IndexBinaryFlat",
            "multihash": "MultiHash 11x23 nflip 2",
            "multihash16": "MultiHash 16x16 nflip 1",
        }[method]
        print(
            f"  {label:<28}{build:9.1f}{mem / 1e6:11,.0f}{mem / n_refs:8.0f}{n_queries / search:11,.0f}"
            f"{recall:9.2%}" + (f"  ({extra} spurious)" if extra else ""),
            flush=True,
        )
        assert recall == 1.0 and extra == 0, "not exact"
        del index
    del refs, queries


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100k references, 10k queries")
    ap.add_argument("--sizes", default=None, help="comma-separated reference-set sizes (default 1000000)")
    ap.add_argument("--queries", type=int, default=None)
    ap.add_argument("--methods", default="flat,multihash16,multihash")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("100000" if args.quick else "1000000")).split(",")]
    n_queries = args.queries or (10_000 if args.quick else 100_000)
    print(f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads, {os.cpu_count()} cpus")
    for n in sizes:
        methods = args.methods.split(",")
        if n > 2_000_000 and "flat" in methods:
            methods.remove("flat")  # its figure is the brute-force line above
        bench(n, n_queries, methods)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

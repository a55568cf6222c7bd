"""PDQ matching on generated benign images: exact matches, near duplicates within 31 bits, and non-matches.

Images are gradients + drawn shapes + noise (synthetic.scene), hashed through the scanner's own decode path.
Edited copies: re-encoded, resized, slightly rotated and slightly cropped copies match; other pictures, a 90°
rotation without an EXIF tag, and a 25 % crop do not (PDQ is not rotation- or crop-invariant: formats.md §4).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import ExifTags, Image

from winnow.core.hashsets import parse_hashset
from winnow.core.matching import (
    KNOWN,
    UNKNOWN,
    FileHashes,
    LoadedHashSet,
    Matcher,
    PdqIndex,
    cluster_pdq,
    hamming,
    match_result_file,
    pdq_codes,
)
from winnow.core.scanning import pdq, scan, synthetic

SIZE = (480, 360)
BASE_SEEDS = range(8)


def pdq_of(im: Image.Image, **save) -> tuple[str, int, str | None]:
    got = pdq.analyse_image(synthetic.jpeg_bytes(im, save.pop("quality", 92), **save), None)
    return got["pdq"], got["pdq_quality"], got.get("pdq_oriented")


@pytest.fixture(scope="module")
def bases():
    return {seed: synthetic.scene(SIZE, seed) for seed in BASE_SEEDS}


@pytest.fixture(scope="module")
def reference(bases, tmp_path_factory):
    path = tmp_path_factory.mktemp("sets") / "pdq.csv"
    lines = ["pdq,category,series"]
    lines += [f"{pdq_of(im)[0]},{'A' if seed % 2 else 'C'},series-{seed}" for seed, im in bases.items()]
    path.write_text("\n".join(lines) + "\n")
    return LoadedHashSet.from_parse(parse_hashset(path, scheme="uk-abc"), name="uk-pdq")


EDITS = {
    "identical": lambda im: im,
    "re-encoded q40": lambda im: synthetic.reencoded(im, 40),
    "resized 50%": lambda im: synthetic.resized(im, 0.5),
    "resized 150%": lambda im: synthetic.resized(im, 1.5),
    "rotated 1°": lambda im: synthetic.rotated(im, 1.0),
    "cropped 2%": lambda im: synthetic.cropped(im, 0.02),
    "brightened": lambda im: Image.eval(im, lambda v: min(255, v + 12)),
}
FAR_EDITS = {
    "rotated 90° (no EXIF tag)": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "cropped 25%": lambda im: synthetic.cropped(im, 0.25),
    "mirrored": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_near_duplicates_match_within_31_bits_with_their_distance(bases, reference, edit):
    matcher = Matcher([reference])
    for seed, im in bases.items():
        h, q, _ = pdq_of(EDITS[edit](im))
        (v,) = matcher.match([FileHashes(pdq=h, pdq_quality=q)])
        assert v.status == KNOWN, (edit, seed)
        (hit,) = v.hits  # one reference picture, not its neighbours
        assert hit.series == f"series-{seed}" and hit.method == "pdq" and not v.exact
        assert hit.category == ("A" if seed % 2 else "C")
        ref_hash = pdq_of(im)[0]
        assert hit.distance == hamming(h, ref_hash) <= 31
        if edit == "identical":
            assert hit.distance == 0


@pytest.mark.parametrize("edit", list(FAR_EDITS))
def test_heavier_edits_do_not_match(bases, reference, edit):
    matcher = Matcher([reference])
    for im in bases.values():
        h, q, _ = pdq_of(FAR_EDITS[edit](im))
        assert matcher.match([FileHashes(pdq=h, pdq_quality=q)])[0].status == UNKNOWN, edit


def test_other_pictures_do_not_match(reference):
    matcher = Matcher([reference])
    others = [pdq_of(synthetic.scene(SIZE, seed)) for seed in range(100, 130)]
    verdicts = matcher.match([FileHashes(pdq=h, pdq_quality=q) for h, q, _ in others])
    assert all(v.status == UNKNOWN for v in verdicts)


def test_rotated_copy_with_an_exif_tag_matches_through_its_oriented_view(bases, reference):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # displayed rotated 90° clockwise: pixels stored rotated back
    stored = bases[3].transpose(Image.Transpose.ROTATE_90)
    h, q, oriented = pdq_of(stored, exif=exif.tobytes())
    (v,) = Matcher([reference]).match([FileHashes(pdq=h, pdq_quality=q, pdq_oriented=oriented)])
    assert v.status == KNOWN and v.hits[0].oriented and v.hits[0].distance <= 31
    (plain,) = Matcher([reference]).match([FileHashes(pdq=h, pdq_quality=q)])
    assert plain.status == UNKNOWN


def test_threshold_is_configurable(bases, reference):
    h, q, _ = pdq_of(synthetic.cropped(bases[0], 0.02))
    d = hamming(h, pdq_of(bases[0])[0])
    assert 0 < d <= 31
    assert Matcher([reference], pdq_threshold=d).match([FileHashes(pdq=h, pdq_quality=q)])[0].status == KNOWN
    assert (
        Matcher([reference], pdq_threshold=d - 1).match([FileHashes(pdq=h, pdq_quality=q)])[0].status
        == UNKNOWN
    )


def test_low_quality_hashes_are_not_matched(reference):
    flat = pdq.analyse_image(synthetic.png_bytes(Image.new("RGB", (64, 64), (9, 9, 9))), None)
    assert flat["pdq_quality"] < 50
    (v,) = Matcher([reference]).match([FileHashes(pdq=flat["pdq"], pdq_quality=flat["pdq_quality"])])
    assert v.status == UNKNOWN


def _flip(code: np.ndarray, bits: np.ndarray) -> np.ndarray:
    out = np.unpackbits(code.copy())
    out[bits] ^= 1
    return np.packbits(out)


@pytest.mark.parametrize("method", ["flat", "multihash", "multihash16"])
def test_every_index_is_exact_and_inclusive_at_the_threshold(method):
    rng = np.random.default_rng(1)
    refs = rng.integers(0, 256, (20_000, 32), dtype=np.uint8)
    queries, planted = [], []
    for i in range(1_500):
        r = int(rng.integers(0, len(refs)))
        k = int(rng.integers(0, 41)) if i >= 4 else (31, 32, 0, 30)[i]
        queries.append(_flip(refs[r], rng.choice(256, k, replace=False)))
        planted.append((i, r, k))
    queries += list(rng.integers(0, 256, (500, 32), dtype=np.uint8))
    q = np.stack(queries)
    index = PdqIndex(refs, threshold=31, method=method)
    qi, ri, dist = index.search(q)
    got = set(zip(qi.tolist(), ri.tolist(), dist.tolist(), strict=True))
    # brute force in NumPy, 100 queries at a time
    want = set()
    for start in range(0, len(q), 100):
        x = np.bitwise_count(np.bitwise_xor(q[start : start + 100, None, :], refs[None, :, :])).sum(axis=2)
        want |= {(start + int(a), int(b), int(x[a, b])) for a, b in zip(*np.nonzero(x <= 31), strict=True)}
    assert got == want
    assert (0, planted[0][1], 31) in got and not any(a == 1 and b == planted[1][1] for a, b, _ in got)


def test_clusters_are_series_of_edited_copies(bases):
    hashes, truth = [], []
    for seed in (0, 1, 2):
        for edit in ("identical", "re-encoded q40", "resized 50%", "cropped 2%"):
            hashes.append(pdq_of(EDITS[edit](bases[seed]))[0])
            truth.append(seed)
    for seed in range(200, 206):  # unrelated singletons
        hashes.append(pdq_of(synthetic.scene(SIZE, seed))[0])
        truth.append(None)
    clusters = cluster_pdq(hashes)
    assert sorted(sorted(truth[m] for m in c.members) for c in clusters) == [[0] * 4, [1] * 4, [2] * 4]
    assert all(c.max_edge <= 31 and c.edges >= 3 for c in clusters)
    assert cluster_pdq(hashes[:1]) == []


def test_scan_then_match_end_to_end(bases, tmp_path):
    """Scanner result file -> matcher: exact (MD5), near (PDQ), NSRL, unknown, and the unknowns' clusters."""
    ev = tmp_path / "ev"
    ev.mkdir()
    known_bytes = synthetic.jpeg_bytes(bases[0])
    (ev / "known.jpg").write_bytes(known_bytes)
    (ev / "near.jpg").write_bytes(synthetic.jpeg_bytes(synthetic.resized(bases[1], 0.7)))
    (ev / "tool.dll").write_bytes(b"MZ" + os.urandom(500))
    for i, edit in enumerate(("identical", "re-encoded q40", "cropped 2%")):
        (ev / f"new-{i}.jpg").write_bytes(synthetic.jpeg_bytes(EDITS[edit](bases[5])))
    (ev / "other.jpg").write_bytes(synthetic.jpeg_bytes(synthetic.scene(SIZE, 300)))
    out = tmp_path / "scan.sqlite"
    scan(ev, out, now=datetime(2026, 3, 1, tzinfo=UTC), workers=2)

    import hashlib

    ref = tmp_path / "ref.csv"
    ref.write_text(
        "md5,pdq,category\n"
        f"{hashlib.md5(known_bytes, usedforsecurity=False).hexdigest()},,A\n"
        f",{pdq_of(bases[1])[0]},B\n"
    )
    dll = (ev / "tool.dll").read_bytes()
    nsrl = tmp_path / "NSRLFile.txt"
    nsrl.write_text(
        '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
        f'"{hashlib.sha1(dll, usedforsecurity=False).hexdigest()}","","0","tool.dll","1","1","W",""\n'
    )
    matcher = Matcher(
        [
            LoadedHashSet.from_parse(parse_hashset(ref, scheme="uk-abc")),
            LoadedHashSet.from_parse(parse_hashset(nsrl)),
        ]
    )
    got = {row["path"]: (v.status, v.exact, v.min_distance) for row, v in match_result_file(out, matcher)}
    assert got[b"known.jpg"] == ("known", True, None)  # exact MD5 (that reference row carries no PDQ)
    status, exact, dist = got[b"near.jpg"]
    assert status == "known" and not exact and 0 < dist <= 31
    assert got[b"tool.dll"] == ("known-non-pertinent", True, None)
    assert {got[p][0] for p in (b"new-0.jpg", b"new-1.jpg", b"new-2.jpg", b"other.jpg")} == {"unknown"}

    unknown = [
        (row["path"], row["pdq"])
        for row, v in match_result_file(out, matcher)
        if v.status == UNKNOWN and row["pdq_status"] == "ok"
    ]
    clusters = cluster_pdq([h for _, h in unknown])
    assert [sorted(unknown[m][0] for m in c.members) for c in clusters] == [
        [b"new-0.jpg", b"new-1.jpg", b"new-2.jpg"]
    ]


def test_pdq_codes_layout():
    h = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    codes = pdq_codes([h, h])
    assert codes.shape == (2, 32) and bytes(codes[0]).hex() == h

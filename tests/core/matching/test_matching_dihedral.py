"""PDQ finds rotated and mirrored copies: the scanner records the eight dihedral PDQs of one decode (pdqhash derives
them from one DCT, as Meta's reference implementation does) and the matcher matches any of them, naming the
transform. Generated benign images; Meta's own dihedral test images too when the shared folder is present."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from winnow.core.dihedral import DIHEDRAL_TRANSFORMS
from winnow.core.hashsets import parse_hashset
from winnow.core.matching import KNOWN, UNKNOWN, FileHashes, LoadedHashSet, Matcher, hamming
from winnow.core.scanning import pdq, synthetic

SIZE = (480, 360)
T = Image.Transpose
# what PIL does to the reference -> the name the matcher must give the copy
TRANSFORMS = {
    "rotated 90° clockwise": lambda im: im.transpose(T.ROTATE_270),
    "rotated 180°": lambda im: im.transpose(T.ROTATE_180),
    "rotated 90° anticlockwise": lambda im: im.transpose(T.ROTATE_90),
    "flipped top to bottom": lambda im: im.transpose(T.FLIP_TOP_BOTTOM),
    "mirrored left to right": lambda im: im.transpose(T.FLIP_LEFT_RIGHT),
    "flipped about the main diagonal": lambda im: im.transpose(T.TRANSPOSE),
    "flipped about the other diagonal": lambda im: im.transpose(T.TRANSVERSE),
}
META_DIH = Path("/work/shared/data/pdq-reference/reg-test-input/dih")
META_NAMES = {
    "bridge-2-rotate-90.jpg": "rotated 90° anticlockwise",
    "bridge-3-rotate-180.jpg": "rotated 180°",
    "bridge-4-rotate-270.jpg": "rotated 90° clockwise",
    "bridge-5-flipx.jpg": "flipped top to bottom",
    "bridge-6-flipy.jpg": "mirrored left to right",
    "bridge-7-flip-plus-1.jpg": "flipped about the main diagonal",
    "bridge-8-flip-minus-1.jpg": "flipped about the other diagonal",
}


def scanned(data: bytes, *, dihedral: bool = True) -> FileHashes:
    got = pdq.analyse_image(data, None, dihedral=dihedral)
    return FileHashes(pdq=got["pdq"], pdq_quality=got["pdq_quality"],
                      pdq_dihedral=FileHashes.dihedral_of(got.get("pdq_dihedral")))


def reference_of(tmp_path: Path, hashes: dict[str, str]) -> LoadedHashSet:
    path = tmp_path / "pdq.csv"
    path.write_text("pdq,series\n" + "".join(f"{h},{name}\n" for name, h in hashes.items()))
    return LoadedHashSet.from_parse(parse_hashset(path), name="reference")


@pytest.fixture(scope="module")
def bases():
    return {seed: synthetic.scene(SIZE, seed) for seed in range(4)}


def test_the_transform_names_are_the_scanners_order():
    assert DIHEDRAL_TRANSFORMS[0] == "as stored" and set(TRANSFORMS) == set(DIHEDRAL_TRANSFORMS[1:])
    assert pdq.DIHEDRAL_TRANSFORMS is DIHEDRAL_TRANSFORMS


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_every_rotation_and_mirror_matches_and_names_its_transform(bases, tmp_path, name):
    ref = reference_of(tmp_path, {f"s{seed}": scanned(synthetic.png_bytes(im)).pdq for seed, im in bases.items()})
    matcher = Matcher([ref])
    for seed, im in bases.items():
        copy = synthetic.jpeg_bytes(TRANSFORMS[name](im), 90)
        (v,) = matcher.match([scanned(copy)])
        assert v.status == KNOWN, (name, seed)
        (hit,) = v.hits
        assert (hit.series, hit.transform, hit.method) == (f"s{seed}", name, "pdq")
        assert hit.distance is not None and hit.distance <= 31
        # without the dihedral hashes (today's path) the same copy is unknown
        (before,) = matcher.match([scanned(copy, dihedral=False)])
        assert before.status == UNKNOWN


def test_an_unrotated_copy_matches_as_stored(bases, tmp_path):
    ref = reference_of(tmp_path, {"s0": scanned(synthetic.png_bytes(bases[0])).pdq})
    (v,) = Matcher([ref]).match([scanned(synthetic.jpeg_bytes(bases[0], 80))])
    assert v.status == KNOWN and v.hits[0].transform is None


def test_other_benign_pictures_still_do_not_match_with_dihedral_hashing(bases, tmp_path):
    ref = reference_of(tmp_path, {f"s{seed}": scanned(synthetic.png_bytes(im)).pdq for seed, im in bases.items()})
    others = [scanned(synthetic.jpeg_bytes(synthetic.scene(SIZE, seed), 90)) for seed in range(100, 130)]
    assert all(v.status == UNKNOWN for v in Matcher([ref]).match(others))


def test_a_malformed_dihedral_column_counts_as_not_recorded():
    assert FileHashes.dihedral_of(None) == () and FileHashes.dihedral_of("ab,cd") == ()
    assert FileHashes.dihedral_of(",".join(["0" * 64] * 6 + ["z" * 64])) == ()
    assert len(FileHashes.dihedral_of(",".join(["0" * 64] * 7))) == 7


@pytest.mark.skipif(not META_DIH.is_dir(), reason="Meta's reference images are not on this machine")
def test_all_of_metas_dihedral_test_images_match_the_original_naming_the_transform(tmp_path):
    original = scanned((META_DIH / "bridge-1-original.jpg").read_bytes())
    ref = reference_of(tmp_path, {"bridge": original.pdq})
    matcher = Matcher([ref])
    for name, transform in META_NAMES.items():
        copy = scanned((META_DIH / name).read_bytes())
        (v,) = matcher.match([copy])
        assert v.status == KNOWN, name
        assert v.hits[0].transform == transform and v.hits[0].distance <= 31, name
        assert hamming(copy.pdq, original.pdq) > 31  # as stored, it would have been unknown

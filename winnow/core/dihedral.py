"""The eight dihedral transforms of an image, in the order pdqhash's `compute_dihedral` returns their PDQs (the
order of Meta's reference implementation), named for what a scanned file is relative to the reference image its
variant matches: variant i of the file's hash is the file turned back by that transform. Checked on Meta's
dihedral test images (pdq/data/reg-test-input/dih: their "rotate-90" is anticlockwise, "flipx" top to bottom)."""

DIHEDRAL_TRANSFORMS: tuple[str, ...] = (
    "as stored",
    "rotated 90° clockwise",
    "rotated 180°",
    "rotated 90° anticlockwise",
    "flipped top to bottom",
    "mirrored left to right",
    "flipped about the main diagonal",
    "flipped about the other diagonal",
)

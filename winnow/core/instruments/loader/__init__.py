"""Read and validate instrument files.

`load_instrument(path)` returns a frozen `Instrument` or raises `InstrumentError(path, line, reason)`. Nothing is
guessed: unknown keys, wrong types, unknown item or band references, cycles among derived items, gaps or overlaps
between score cut-offs, duplicate ids and a `monotone: true` that the rules do not bear out are all errors. The
file format is described in instruments/README.md and shown by the files in `instruments/`.

Modules: `files` (reading files and directories), `parser` (the whole file), `items`, `conditions`,
`decision` (steps, score, missing data), `monotone`, and `fields` (typed getters that fail with the line).
"""

from winnow.core.instruments.loader.fields import MAX_CONDITION_DEPTH, PROVENANCE_STATUSES
from winnow.core.instruments.loader.files import (
    MAX_FILE_BYTES,
    instrument_sha256,
    load_directory,
    load_instrument,
    parse_instrument,
)

__all__ = [
    "MAX_CONDITION_DEPTH",
    "MAX_FILE_BYTES",
    "PROVENANCE_STATUSES",
    "instrument_sha256",
    "load_directory",
    "load_instrument",
    "parse_instrument",
]

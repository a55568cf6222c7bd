"""Reading instrument files: size and encoding checks, the file's SHA-256, a directory of instruments, and
parsing text into a compiled `Instrument`."""

from __future__ import annotations

import hashlib
from pathlib import Path

from winnow.core.instruments.compiler import compile_instrument
from winnow.core.instruments.errors import InstrumentError
from winnow.core.instruments.loader.parser import _Parser
from winnow.core.instruments.marked_yaml import YamlSyntaxError, load_marked
from winnow.core.instruments.schema import Instrument

MAX_FILE_BYTES = 1_000_000


def instrument_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of the file's bytes: what an assessment records to say exactly which file scored it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_instrument(path: str | Path) -> Instrument:
    """Load, validate and compile one instrument file."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InstrumentError(name, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InstrumentError(name, None, f"the file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InstrumentError(name, line, "the file is not UTF-8 text") from None
    return parse_instrument(text, path=name, sha256=hashlib.sha256(data).hexdigest())


def load_directory(path: str | Path) -> dict[str, Instrument]:
    """Load every *.yaml file in a directory, by instrument id; the first broken file raises its error.

    For start-up validation: a broken or duplicated instrument stops start-up with the file, line and reason.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise InstrumentError(str(directory), None, "not a directory of instrument files")
    found: dict[str, Instrument] = {}
    for file in sorted(directory.glob("*.yaml")):
        instrument = load_instrument(file)
        if instrument.id in found:
            raise InstrumentError(
                str(file),
                1,
                f"instrument id {instrument.id!r} is already used by {found[instrument.id].path}",
            )
        found[instrument.id] = instrument
    return found


def parse_instrument(text: str, *, path: str = "<string>", sha256: str | None = None) -> Instrument:
    """Validate instrument YAML given as text; `path` only names the source in errors."""
    try:
        data = load_marked(text)
    except YamlSyntaxError as exc:
        raise InstrumentError(path, exc.line, exc.reason) from None
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    instrument = _Parser(path).instrument(data, sha256)
    # Compile now so that a file that loads is a file that scores (and the first assessment is not slower).
    compile_instrument(instrument)
    return instrument

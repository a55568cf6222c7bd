"""Risk instruments as versioned data: load and validate YAML files, score answers, explain the result.

Pure Python (no Django). The public surface:

    instrument = load_instrument("instruments/phased-prioritisation.yaml")   # or load_directory("instruments")
    result = score(instrument, {"grooming": True, "lives_with_children": UNKNOWN})
    result.band, result.explanation, format_result(result)
    applicability_warnings(instrument, age=17, sex="female")

Unknown answers are never read as No; see `scorer` for the policy. File format: instruments/README.md.
"""

from winnow.core.instruments.applicability import applicability_warnings
from winnow.core.instruments.errors import AnswerError, InstrumentError
from winnow.core.instruments.explanation import format_result
from winnow.core.instruments.loader import (
    instrument_sha256,
    load_directory,
    load_instrument,
    parse_instrument,
)
from winnow.core.instruments.offline import (
    CsvError,
    RowResult,
    assess_files,
    format_row,
    parse_answer,
    score_csv,
)
from winnow.core.instruments.result import UNKNOWN_POLICY, Driver, FallbackUse, Result, UndecidedRule
from winnow.core.instruments.schema import NOT_SCORABLE, UNKNOWN, Band, Instrument, Item, ItemKind
from winnow.core.instruments.scorer import score

__all__ = [
    "NOT_SCORABLE",
    "UNKNOWN",
    "UNKNOWN_POLICY",
    "AnswerError",
    "Band",
    "CsvError",
    "Driver",
    "FallbackUse",
    "Instrument",
    "InstrumentError",
    "Item",
    "ItemKind",
    "Result",
    "RowResult",
    "UndecidedRule",
    "applicability_warnings",
    "assess_files",
    "format_result",
    "format_row",
    "instrument_sha256",
    "load_directory",
    "load_instrument",
    "parse_answer",
    "parse_instrument",
    "score",
    "score_csv",
]

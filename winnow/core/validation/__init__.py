"""Local validation of an instrument: outcomes against bands and scores (pure Python; no Django).

`validate(cases)` gives a `Report` (cases as `Case` objects or as `CaseColumns`, arrays a database query fills); `read_cases(bytes)` reads a force's offline CSV; `stats` holds DeLong, Wilson,
exact Poisson, calibration and the bootstrap.
"""

from .csvinput import read_cases
from .errors import ValidationInputError
from .report import (
    MIN_EVENTS,
    PRIORITY_SCALE,
    BandScale,
    Case,
    CaseColumns,
    Cutoff,
    Report,
    Row,
    Summary,
    quarter,
    report_dict,
    summary_dict,
    validate,
)

__all__ = [
    "MIN_EVENTS", "PRIORITY_SCALE", "BandScale", "Case", "CaseColumns", "Cutoff", "Report", "Row", "Summary",
    "ValidationInputError", "quarter", "read_cases", "report_dict", "summary_dict", "validate",
]

"""Is the subject inside the population an instrument was built for? Warnings, never blocks.

An instrument used outside its population still runs (the handler may have no better tool), but every such use is
flagged so that whoever reads the band knows it was not validated for this person.
"""

from __future__ import annotations

from winnow.core.instruments.schema import Instrument


def applicability_warnings(instrument: Instrument, *, age: int | None, sex: str | None) -> list[str]:
    """Warnings for a subject of `age` (whole years, None if unknown) and `sex` (None if unknown)."""
    scope = instrument.applicability
    population = scope.population
    if instrument.provenance.status == "unvalidated":
        basis = f"{instrument.title} is designed for {population} and is not validated for anyone"
    else:
        basis = f"{instrument.title} was validated on {population}"
    warnings: list[str] = []
    if scope.min_age is not None or scope.max_age is not None:
        if age is None:
            warnings.append(f"The subject's age is not recorded, so it cannot be checked: {basis}.")
        elif scope.min_age is not None and age < scope.min_age:
            under18 = " The subject is a child." if age < 18 else ""
            warnings.append(f"The subject is {age}, under {scope.min_age}: {basis}.{under18}")
        elif scope.max_age is not None and age > scope.max_age:
            warnings.append(f"The subject is {age}, over {scope.max_age}: {basis}.")
    if scope.sexes:
        if sex is None or not sex.strip():
            warnings.append(f"The subject's sex is not recorded, so it cannot be checked: {basis}.")
        elif sex.strip().casefold() not in scope.sexes:
            warnings.append(f"The subject is recorded as {sex.strip()}: {basis}.")
    return warnings

"""Offending trends and research: the case-facts vocabulary, trend tables, survival, disclosure control.

Pure Python (no Django): the research app gathers counts from the database and hands them here.
"""

from winnow.core.trends.disclosure import smallest_class, suppress
from winnow.core.trends.stats import (
    KaplanMeier,
    KmRow,
    age_band,
    age_on,
    kaplan_meier,
    pseudonym,
    trend_test,
)
from winnow.core.trends.tables import (
    HIDDEN,
    Cell,
    TrendTable,
    life_table,
    quarter_label,
    trend_table,
    year_and_quarter_tables,
)
from winnow.core.trends.vocabulary import (
    EXCLUSIVE,
    Measure,
    Vocabulary,
    VocabularyError,
    base_vocabulary,
    concealment_indicators,
    load_vocabulary,
)

__all__ = [
    "EXCLUSIVE", "HIDDEN", "Cell", "KaplanMeier", "KmRow", "Measure", "TrendTable", "Vocabulary", "VocabularyError",
    "age_band", "age_on", "base_vocabulary", "concealment_indicators", "kaplan_meier", "life_table", "load_vocabulary",
    "pseudonym", "quarter_label", "smallest_class", "suppress", "trend_table", "trend_test", "year_and_quarter_tables",
]

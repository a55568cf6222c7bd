"""Agreement between raters of the same cases (pure Python; no Django): training vignettes and double-coding.

`analyse(ratings)` gives an `AgreementReport` per item (Fleiss' kappa, Krippendorff's alpha and percent agreement
for categories; ICC(2,1) for scores; ordinal alpha, exact agreement and quadratic-weighted kappa for bands) and,
given reference answers, per rater. `read_ratings(bytes)` reads the long CSV `case,rater,item,value`.
"""

from .csvinput import read_ratings
from .errors import AgreementInputError
from .report import (
    ALPHA_REVIEW_BELOW,
    ICC_REVIEW_BELOW,
    AgreementReport,
    ItemAgreement,
    RaterAgreement,
    Rating,
    analyse,
    report_dict,
)
from .stats import (
    CategoricalAgreement,
    Estimate,
    IccResult,
    categorical_agreement,
    fleiss_kappa,
    icc,
    krippendorff_alpha,
    mean_pairwise_weighted_kappa,
    mean_pairwise_weighted_kappa_estimate,
    percent_agreement,
    weighted_kappa,
    weighted_kappa_estimate,
)

__all__ = [
    "ALPHA_REVIEW_BELOW", "ICC_REVIEW_BELOW", "AgreementInputError", "AgreementReport", "CategoricalAgreement",
    "Estimate", "IccResult", "ItemAgreement", "RaterAgreement", "Rating", "analyse", "categorical_agreement",
    "fleiss_kappa", "icc", "krippendorff_alpha", "mean_pairwise_weighted_kappa",
    "mean_pairwise_weighted_kappa_estimate", "percent_agreement", "read_ratings", "report_dict", "weighted_kappa",
    "weighted_kappa_estimate",
]

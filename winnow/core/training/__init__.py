"""Training (pure Python; no Django): the vignette bank, feedback against the reference, and certification."""

from .certification import Attempt, Standard, Status, add_months, status
from .feedback import Feedback, ItemFeedback, feedback
from .vignettes import (
    ReferenceAnswer,
    Vignette,
    VignetteError,
    answer_text,
    load_bank,
    parse_vignette,
    score_answers,
)

__all__ = [
    "Attempt", "Feedback", "ItemFeedback", "ReferenceAnswer", "Standard", "Status", "Vignette", "VignetteError",
    "add_months", "answer_text", "feedback", "load_bank", "parse_vignette", "score_answers", "status",
]

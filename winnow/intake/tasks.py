"""Work that follows a referral's recording, run by the task worker after the intake transaction commits."""

from __future__ import annotations


def enqueue_referral_follow_up(referral_id: int) -> None:
    """Placeholder until the task worker lands in this branch's merge: person linkage is still `winnow link-people`."""

"""Winnow: every referral in, nobody missed, the most dangerous first."""

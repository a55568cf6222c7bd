"""A unit's known person, a managed offender, and a CyberTipline report about him that shares no identifier with
the earlier record (the name is spelled differently; date of birth and address are the same). All fictional."""

from __future__ import annotations

from datetime import date
from typing import Any

from winnow.intake.tests.support import import_documents, sample_documents
from winnow.linkage.tests.support import record
from winnow.offenders.services import offender_register

# The sample report (tests/core/cybertipline/sample) is about Gareth Pennington-Vale, born 1979-04-22, of
# 14 Larkspur Close, Maidstone ME99 1ZZ. The unit knew him as "Garreth Penington-Vale", with no email or phone.
KNOWN = [{"role": "reported", "given_names": "Garreth", "family_name": "Penington-Vale",
          "date_of_birth": "1979-04-22", "addresses": ["14 Larkspur Close, Maidstone, ME99 1ZZ, GB"]}]


def known_offender(*, handler: Any, manager: Any, unit: Any) -> Any:
    subject = record(handler, unit, subjects=KNOWN, reference="EARLIER-1").subjects.get()
    plan = {"risk": "medium", "mappa_category": 1, "mappa_level": 1, "manager": manager, "visit_every": 3,
            "visit_unit": "months", "in_person_every": 3, "in_person_unit": "months", "review_every": 12,
            "review_unit": "months", "digital_indicators": [], "civil_orders": False, "conditions": "",
            "clean_since": None, "reason": "Fictional test plan."}
    offender_register(actor=manager, subject=subject, convicted_on=date(2024, 5, 1), disposal="custody",
                      custody_months=12, under_18=False, plan=plan)
    return subject


def import_report(*, handler: Any, unit: Any) -> Any:
    return import_documents(sample_documents(), actor=handler, unit=unit).referral

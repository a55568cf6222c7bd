"""A referral subject is offered the instruments that apply to them, the prioritisation aid first; the managed-
offender review instrument is never offered there, and one built for adult men is set aside for a child."""

from __future__ import annotations

import re
from datetime import date
from typing import Any


def _offered(html: str) -> list[str]:
    start = html.index("Start an assessment") if "Start an assessment" in html else html.index("Instruments (")
    block = html[start:html.index("</ul>", start)]
    return re.findall(r'/new/([\w-]+)/"', block)


def test_it_offers_the_prioritisation_aid_first_and_never_the_review_instrument(
        client: Any, handler: Any, subject: Any) -> None:
    client.force_login(handler)
    html = client.get(f"/assessments/subjects/{subject.pk}/").content.decode()
    offered = _offered(html)
    assert offered[0] == "phased-prioritisation"
    assert "offender-review" not in offered
    assert "for reviewing a managed offender" in html  # listed, with why, under "do not apply"


def test_it_sets_aside_instruments_for_adult_men_for_a_child(client: Any, handler: Any, child: Any) -> None:
    client.force_login(handler)
    html = client.get(f"/assessments/subjects/{child.pk}/").content.decode()
    offered = _offered(html)
    assert "cport" not in offered and "casic" not in offered
    assert "Instruments that do not apply to this person" in html


def test_it_keeps_the_subject_page_from_another_unit(client: Any, outsider: Any, subject: Any) -> None:
    client.force_login(outsider)
    assert client.get(f"/assessments/subjects/{subject.pk}/").status_code == 404


def test_it_sends_anonymous_to_login(client: Any, subject: Any) -> None:
    assert client.get(f"/assessments/subjects/{subject.pk}/").status_code == 302


def test_it_does_not_rule_out_an_instrument_on_an_unknown_sex(client: Any, handler: Any, referral: Any) -> None:
    from winnow.referrals.models import Subject

    unknown = Subject.objects.create(referral=referral, unit=referral.unit, role="reported", given_names="Alex",
                                     family_name="Fictional", date_of_birth=date(1980, 1, 1), sex="unknown",
                                     created_by=handler)
    client.force_login(handler)
    assert "cport" in _offered(client.get(f"/assessments/subjects/{unknown.pk}/").content.decode())

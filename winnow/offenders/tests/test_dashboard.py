"""The offender manager's page: due and overdue lists, in-person lapses, and contacts by mode as a chart and a table
with the same figures."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone

from winnow.offenders.services import contact_record


def test_it_lists_overdue_visits_lapses_and_counts_contacts_by_mode(client: Any, referral: Any, make_offender: Any,
                                                                    offender_manager: Any) -> None:
    offender = make_offender(referral.subjects.get(), created_days_ago=200)
    for days in (40, 10):
        contact_record(actor=offender_manager, offender=offender, occurred_at=timezone.now() - timedelta(days=days),
                       mode="video", outcome="seen", device_check="not_done")
    client.force_login(offender_manager)
    body = client.get("/offenders/").content.decode()
    lapses = body.split('id="lapses"')[1].split("<h2")[0]
    assert "Testy McFictional" in lapses and "Never (registered" in lapses
    assert "No visit overdue" in body  # the video calls keep the plan's frequency ...
    assert '<svg role="img"' in body and "Contacts made per month, by mode" in body
    table = body.split("(the chart's figures)</caption>")[1].split("</table>")[0]
    rows = [re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', row) for row in table.split("<tr")[2:]]
    assert len(rows) == 12 and rows[-1][0] == f"{timezone.localtime():%b %y}"
    assert sum(int(row[5]) for row in rows) == 2  # ... and the video column holds both
    assert sum(int(cell) for row in rows for cell in row[1:5]) == 0


def test_it_filters_to_the_offenders_i_manage(client: Any, managed: Any, supervisor: Any) -> None:
    client.force_login(supervisor)
    assert "Testy McFictional" in client.get("/offenders/").content.decode()
    assert "Testy McFictional" not in client.get("/offenders/?mine=1").content.decode()

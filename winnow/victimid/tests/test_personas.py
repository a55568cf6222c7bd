"""Every victim-identification page: the right unit's officer allowed, another unit's 404, the wrong role 403,
anonymous to sign-in; the queue's order and reasons on the page; hostile form input."""

from __future__ import annotations

from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.victimid.models import Series, SeriesEvent, SeriesExport

from .support import Scene

pytestmark = pytest.mark.django_db


def _own(scene: Scene) -> Series:
    return Series.objects.get(members__item__md5=scene.north_only_md5s[0])


def _shared(scene: Scene) -> Series:
    return Series.objects.get(members__item__md5=scene.shared_md5s[0], members__item__unit__code="north")


def _urls(series: Series) -> list[tuple[str, str]]:
    return [("get", f"/victim-id/series/{series.pk}/"), ("post", f"/victim-id/series/{series.pk}/step/"),
            ("post", f"/victim-id/series/{series.pk}/export/"), ("post", f"/victim-id/series/{series.pk}/location/")]


def test_it_sends_anonymous_to_login(client: Any, synced: dict[str, Any], scene: Scene) -> None:
    for method, url in [("get", "/victim-id/"), *_urls(_own(scene))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_it_gives_another_units_officer_404(client: Any, synced: dict[str, Any], scene: Scene,
                                            forensic_east: Any) -> None:
    client.force_login(forensic_east)
    for method, url in _urls(_own(scene)):
        assert getattr(client, method)(url).status_code == 404, url
    queue = client.get("/victim-id/").content.decode()
    assert _own(scene).name not in queue and _shared(scene).name in queue


def test_it_refuses_roles_that_do_not_work_series(client: Any, synced: dict[str, Any], scene: Scene,
                                                  handler: Any, investigator: Any, outsider: Any) -> None:
    for person in (handler, investigator):
        client.force_login(person)
        assert client.get("/victim-id/").status_code == 403
        for method, url in _urls(_own(scene)):
            assert getattr(client, method)(url).status_code == 403, (person, url)
    client.force_login(outsider)
    assert client.get("/victim-id/").status_code == 403
    assert client.get(f"/victim-id/series/{_own(scene).pk}/").status_code == 404
    assert not SeriesEvent.objects.exists() and not SeriesExport.objects.exists()


def test_the_right_officer_works_the_series(client: Any, synced: dict[str, Any], scene: Scene, forensic: Any,
                                            supervisor: Any) -> None:
    own = _own(scene)
    client.force_login(forensic)
    page = client.get(own.get_absolute_url())
    assert page.status_code == 200 and b"never shows image content" in page.content
    assert AuditEvent.objects.filter(action="series.read", target_id=str(own.pk)).exists()
    r = client.post(f"/victim-id/series/{own.pk}/step/", {"to": "under_review", "reason": "Taking it."})
    assert r.status_code == 302 and SeriesEvent.objects.get().status == "under_review"
    r = client.post(f"/victim-id/series/{own.pk}/export/", {"recipient": "CAID (fictional)"})
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert r["Content-Disposition"].endswith('-vics-2.0.json"')
    r = client.post(f"/victim-id/series/{own.pk}/location/", {"reason": "Needed for a location search."})
    assert r.status_code == 302
    assert AuditEvent.objects.get(action="series.location").detail["reason"] == "Needed for a location search."
    client.force_login(supervisor)
    assert client.get(own.get_absolute_url()).status_code == 200


def test_the_queue_orders_by_its_signals_and_says_why(client: Any, synced: dict[str, Any], scene: Scene,
                                                      forensic: Any) -> None:
    client.force_login(forensic)
    body = client.get("/victim-id/").content.decode()
    shared, own = _shared(scene), _own(scene)
    # both appear self-produced (the seized device's camera, captured recently); the shared one is in two cases
    assert body.index(shared.name) < body.index(own.name)
    assert "Appears self-produced" in body and "Seen in 2 cases" in body and "How this queue is ordered" in body
    assert AuditEvent.objects.filter(action="series.queue").exists()
    client.post(f"/victim-id/series/{shared.pk}/step/", {"to": "not_identifiable", "reason": "Nothing to go on."})
    body = client.get("/victim-id/").content.decode()
    assert f'href="/victim-id/series/{shared.pk}/' not in body and f'href="/victim-id/series/{own.pk}/' in body


@pytest.mark.parametrize("data", [
    {"to": "child_identified", "reason": "skip ahead"},
    {"to": "under_review", "reason": ""},
    {"to": "under_review", "reason": "x", "grading": "<script>"},
    {"to": "under_review", "reason": "x", "child_date_of_birth": "31/31/31"},
    {"to": "under_review", "reason": "x", "referral": "999999"},
])
def test_hostile_steps_are_refused_with_a_message_and_nothing_written(
        client: Any, synced: dict[str, Any], scene: Scene, forensic: Any, data: dict[str, str]) -> None:
    client.force_login(forensic)
    r = client.post(f"/victim-id/series/{_own(scene).pk}/step/", data)
    assert r.status_code == 400 and b"govuk-error-message" in r.content
    assert not SeriesEvent.objects.exists()


def test_an_empty_export_recipient_is_refused(client: Any, synced: dict[str, Any], scene: Scene,
                                              forensic: Any) -> None:
    client.force_login(forensic)
    r = client.post(f"/victim-id/series/{_own(scene).pk}/export/", {"recipient": "  "})
    assert r.status_code == 400 and not SeriesExport.objects.exists()

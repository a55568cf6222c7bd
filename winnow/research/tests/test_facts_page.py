"""The case-facts page on a referral: investigators and supervisors of the unit record; others cannot."""

from __future__ import annotations

from typing import Any

from winnow.audit.models import AuditEvent
from winnow.research.models import CaseFact


def test_an_investigator_records_and_corrects_facts_through_the_page(client: Any, referral: Any, investigator: Any) -> None:
    client.force_login(investigator)
    url = f"/research/referrals/{referral.pk}/facts/"
    page = client.get(url)
    assert page.status_code == 200 and "IT skills and concealment" in page.content.decode()
    assert AuditEvent.objects.filter(action="casefacts.read", target_id=str(referral.pk)).exists()
    subject = referral.subjects.get()
    response = client.post(url, {"subject_id": subject.pk, "sex": "male", "concealment": ["encryption", "wiping_tools"],
                                 "justification": "not_interviewed"})
    assert response.status_code == 302
    assert set(CaseFact.objects.current().filter(subject=subject).values_list("measure", "value")) == {
        ("age_band", "45-49"), ("sex", "male"), ("concealment", "encryption"), ("concealment", "wiping_tools"),
        ("justification", "not_interviewed")}
    # A correction without a reason is refused and changes nothing; with one it is kept beside the original.
    follow = client.post(url, {"subject_id": subject.pk, "sex": "female"}, follow=True)
    assert "a correction needs a reason" in follow.content.decode()
    client.post(url, {"subject_id": subject.pk, "sex": "female", "reason": "Misread the package"})
    assert list(CaseFact.objects.filter(subject=subject, measure="sex").values_list("value", "current")) == [
        ("male", False), ("female", True)]
    follow = client.post(url, {"subject_id": subject.pk, "sex": "<script>"}, follow=True)
    assert follow.status_code == 200 and "is not one of" in follow.content.decode()


def test_others_cannot_read_or_record_facts(client: Any, referral: Any, handler: Any, analyst: Any,
                                            outsider_supervisor: Any, supervisor: Any) -> None:
    url = f"/research/referrals/{referral.pk}/facts/"
    subject = referral.subjects.get()
    assert client.get(url).status_code == 302
    for person in (handler, analyst):  # in the unit, without the role
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"subject_id": subject.pk, "sex": "male"}).status_code == 403
    client.force_login(outsider_supervisor)
    assert client.get(url).status_code == 404
    assert client.post(url, {"subject_id": subject.pk, "sex": "male"}).status_code == 404
    assert not CaseFact.objects.exists()
    client.force_login(supervisor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"subject_id": 999999, "sex": "male"}).status_code == 404
    for hostile in ("abc", "", "1 OR 1=1", "9" * 40):  # a clear refusal, never a 500
        assert client.post(url, {"subject_id": hostile, "sex": "male"}).status_code == 404
    subject_id = referral.subjects.get().pk
    response = client.post(url, {"subject_id": subject_id, "sex": "x" * 5000}, follow=True)
    assert response.status_code == 200 and "is not one of" in response.content.decode()
    assert client.get("/research/?unit=" + "z" * 3000).status_code == 404


def _summary(referral: Any, actor: Any, label: str, by_category: list[dict[str, Any]], computed_at: str) -> None:
    """A collection summary as triage stores it (counts only; no file is made or read)."""
    from winnow.triage.models import CollectionSummary, ScanResult
    from winnow.triage.services import exhibit_create

    exhibit = exhibit_create(actor=actor, referral=referral, label=label)
    scan = ScanResult.objects.create(exhibit=exhibit, unit=referral.unit, filename="fictional.winnow-scan",
                                     sha256="0" * 64, size=1, storage_name="x", files=1, via="upload",
                                     received_by=actor)
    CollectionSummary.objects.create(scan_result=scan, exhibit=exhibit, unit=referral.unit, pdq_threshold=31,
                                     data={"by_category": by_category}, computed_at=computed_at, computed_by=actor)


def test_counts_by_category_and_the_most_severe_are_filled_in_from_the_exhibit_summaries(
    client: Any, referral: Any, investigator: Any
) -> None:
    import re

    client.force_login(investigator)
    url = f"/research/referrals/{referral.pk}/facts/"
    assert "From the exhibit summaries" not in client.get(url).content.decode()  # nothing summarised: nothing filled
    _summary(referral, investigator, "EX1", [
        {"scheme": "uk-abc", "category": "B", "label": "Category B: non-penetrative sexual activity", "files": 7},
        {"scheme": "uk-abc", "category": "C", "label": "Category C: other indecent images", "files": 40},
        {"scheme": "projectvic-us", "category": "1", "label": "Child abuse material", "files": 3},  # not UK A/B/C
    ], "2026-01-01T10:00:00+00:00")
    _summary(referral, investigator, "EX2", [
        {"scheme": "uk-abc", "category": "C", "label": "Category C: other indecent images", "files": 80},
    ], "2026-01-02T10:00:00+00:00")
    page = client.get(url).content.decode()
    assert "Category A 0, Category B 7, Category C 120" in page

    def checked(measure: str) -> list[str]:
        return re.findall(rf'name="{measure}" type="radio" value="([^"]+)" checked', page)

    assert (checked("files_a"), checked("files_b"), checked("files_c"), checked("severity")) == (
        ["0"], ["1-9"], ["100-999"], ["b"])
    assert "filled in from the exhibit summaries" in page
    # What the form sends is what is recorded: the officer confirms the filled-in values by recording.
    subject = referral.subjects.get()
    client.post(url, {"subject_id": subject.pk, "files_a": "0", "files_b": "1-9", "files_c": "100-999",
                      "severity": "b"})
    assert set(CaseFact.objects.current().filter(subject=subject, measure__startswith="files_")
               .values_list("measure", "value")) == {("files_a", "0"), ("files_b", "1-9"), ("files_c", "100-999")}
    page = client.get(url).content.decode()
    assert "(not recorded; filled in" not in page  # recorded now: shown as recorded, not as a suggestion

"""Two exhibits in referrals of two units share unknown images → one series, visible in full to each unit's
officer for its own members and as "also seen by" for the other's; a hash set loaded later covering two members
notifies the officer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from winnow.audit.models import AuditEvent
from winnow.notifications.models import Notification
from winnow.victimid.models import Series, SeriesIntake, SeriesKnown, UnknownItem
from winnow.victimid.services import series_sync, series_transition

from .support import Scene

pytestmark = pytest.mark.django_db


def _shared(scene: Scene) -> Series:
    return Series.objects.get(members__item__md5=scene.shared_md5s[0], members__item__unit__code="north")


def test_it_forms_one_shared_series_and_one_of_north_alone(synced: dict[str, Any], scene: Scene) -> None:
    assert SeriesIntake.objects.count() == 2
    shared = _shared(scene)
    by_unit = {}
    for m in shared.members.select_related("item", "unit"):
        by_unit.setdefault(m.unit.code, set()).add(m.item.md5)
    assert by_unit["north"] == set(scene.shared_md5s)
    assert len(by_unit["east"]) == 2 and scene.shared_md5s[0] in by_unit["east"]  # the same file, and a resized copy
    own = Series.objects.get(members__item__md5=scene.north_only_md5s[0])
    assert own != shared and set(own.members.values_list("item__md5", flat=True)) == set(scene.north_only_md5s)
    assert Series.objects.count() == 2  # the two lonely noise pictures form no series
    assert not UnknownItem.objects.filter(md5=scene.unrelated_md5).exists()  # known material is no item
    assert AuditEvent.objects.filter(action="series.form").count() == 2


def test_it_is_idempotent(synced: dict[str, Any], forensic: Any) -> None:
    before = (Series.objects.count(), UnknownItem.objects.count())
    assert series_sync(actor=forensic).intakes == 0
    assert (Series.objects.count(), UnknownItem.objects.count()) == before


def test_each_unit_sees_its_own_members_and_only_also_seen_by_for_the_other(
        client: Any, synced: dict[str, Any], scene: Scene, forensic: Any, forensic_east: Any) -> None:
    shared = _shared(scene)
    client.force_login(forensic)
    north_page = client.get(shared.get_absolute_url()).content.decode()
    assert all(md5 in north_page for md5 in scene.shared_md5s)
    assert "Eastvale Test Unit" in north_page and "EE/1" not in north_page
    east_md5s = set(shared.members.filter(unit__code="east").values_list("item__md5", flat=True))
    east_only = (east_md5s - set(scene.shared_md5s)).pop()
    assert east_only not in north_page and synced["east"].referral.reference not in north_page
    client.force_login(forensic_east)
    east_page = client.get(shared.get_absolute_url()).content.decode()
    assert east_only in east_page and "Northmoor Test Unit" in east_page
    assert scene.shared_md5s[1] not in east_page and "FF/1" not in east_page
    assert synced["north"].referral.reference not in east_page


def test_other_units_officer_is_told_when_their_series_turns_up(synced: dict[str, Any], forensic: Any) -> None:
    # north was taken in first; east's intake grew north's series, so north's officer hears "also seen by"
    notes = Notification.objects.filter(recipient=forensic)
    assert any("also seen by Eastvale Test Unit" in n.message for n in notes)


def test_a_hash_set_loaded_later_covering_two_members_notifies_the_officer(
        synced: dict[str, Any], scene: Scene, forensic: Any, administrator: Any, tmp_path: Path) -> None:
    from winnow.triage.services import hash_set_import

    shared = _shared(scene)
    series_transition(actor=forensic, series=shared, unit_id=synced["north"].unit_id, to="under_review",
                      reason="Taking this series.")
    path = tmp_path / "later.csv"
    path.write_text("md5,category\n" + "".join(f"{m},B\n" for m in scene.shared_md5s))
    later = hash_set_import(actor=administrator, path=path, name="Fictional later list", scheme="uk-abc").hash_set
    Notification.objects.filter(recipient=forensic)  # nothing yet about the set
    assert not Notification.objects.filter(recipient=forensic, message__contains="later list").exists()
    series_sync(actor=administrator)
    known = SeriesKnown.objects.filter(hash_set=later)
    assert set(known.values_list("item__md5", flat=True)) == set(scene.shared_md5s)
    assert known.filter(unit__code="north").count() == 2 and known.filter(unit__code="east").count() == 1
    note = Notification.objects.get(recipient=forensic, message__contains="later list")
    assert "covers 2 of 2 members" in note.message and "may already be identified elsewhere" in note.message
    assert note.link == shared.get_absolute_url()
    assert AuditEvent.objects.filter(action="series.known").count() == 2  # one per unit
    assert series_sync(actor=administrator).checks == 0  # once per set


def test_a_set_loaded_between_summary_and_intake_is_still_checked(
        scanned: dict[str, Any], scene: Scene, forensic: Any, administrator: Any, tmp_path: Path) -> None:
    from winnow.triage.services import hash_set_import

    path = tmp_path / "between.csv"
    path.write_text(f"md5,category\n{scene.north_only_md5s[0]},C\n")
    between = hash_set_import(actor=administrator, path=path, name="Fictional between list", scheme="uk-abc").hash_set
    series_sync(actor=forensic)  # the summaries predate the set; the intake comes after it
    assert list(SeriesKnown.objects.filter(hash_set=between).values_list("item__md5", flat=True)) == [
        scene.north_only_md5s[0]]

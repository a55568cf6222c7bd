"""Use cases for victim-identification series: taking scans in, the lifecycle, exports, later hash sets.

`series_sync` is the one entry point that brings series up to date: it takes in every scan result summarised since
(its unknown images and videos, grouped by winnow.core.series.group_items) and checks every hash set loaded since
against the stored unknown items. It is idempotent (one SeriesIntake per scan result, one SeriesHashSetCheck per
hash set), so the worker task (winnow.victimid.tasks) and the `winnow series` command can each call it; pages only
read, and say what is still waiting. Triage sits below
this app and does not call up into it; nothing here runs from a signal.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from winnow.accounts.models import Membership, Unit
from winnow.assessments.models import Assessment
from winnow.audit.services import AuditAction, audit_record
from winnow.core.matching import UNKNOWN, FileHashes, Matcher
from winnow.core.series import (
    AGE_BANDS,
    CLOSED,
    STATUS_LABELS,
    Earlier,
    IllegalMove,
    Item,
    Signals,
    Status,
    check_move,
    group_items,
)
from winnow.core.vicsexport import ExportCase, ExportMedia, vics_bytes, vics_document
from winnow.notifications.services import notification_send
from winnow.permissions import Capability, roles_with
from winnow.referrals.models import Referral, Subject
from winnow.triage.models import CollectionSummary, Exhibit, HashSet, ScanResult, UnknownMediaHash
from winnow.triage.services import loaded_hash_sets

from .models import (
    Series,
    SeriesEvent,
    SeriesExport,
    SeriesHashSetCheck,
    SeriesIntake,
    SeriesKnown,
    SeriesMember,
    SeriesMerge,
    UnknownItem,
)

BATCH = 5000
try:
    WINNOW_VERSION = version("winnow")
except PackageNotFoundError:  # running from a source tree that was never installed
    WINNOW_VERSION = "unknown"
ACCESS_ITEMS = ("lives_with_children", "access_children_known", "access_children_role")
GRADINGS = (("A", "Category A"), ("B", "Category B"), ("C", "Category C"))


class SeriesError(ValueError):
    """Bad input or an illegal move: the message names the field and the reason; nothing was written."""


# ------------------------------------------------------------------------------------------------------ merges


def canonical_map() -> dict[int, int]:
    """merged series id -> the series it now counts as (chains followed)."""
    into = dict(SeriesMerge.objects.values_list("merged_id", "into_id"))
    out = {}
    for s in into:
        t = s
        while t in into:
            t = into[t]
        out[s] = t
    return out


def family(series: Series) -> list[int]:
    """The series and every series merged into it."""
    canon = canonical_map()
    return [series.pk, *[s for s, t in canon.items() if t == series.pk]]


# ------------------------------------------------------------------------------------------------------ intake


def _unknown_rows(scan_result: ScanResult) -> dict[str, dict[str, Any]]:
    """The scan result's unknown images and videos (the MD5s its summary recorded), aggregated by MD5."""
    unknown = set(UnknownMediaHash.objects.filter(scan_result=scan_result).values_list("md5", flat=True))
    out: dict[str, dict[str, Any]] = {}
    if not unknown:
        return out
    con = sqlite3.connect(f"{scan_result.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        cur = con.execute(
            "SELECT md5, sha1, pdq, pdq_quality, media_type, size, exif_make, exif_model, exif_datetime_original, "
            "exif_datetime, exif_gps FROM files WHERE entry_type = 'file' AND media_type IN ('image', 'video') "
            "AND md5 IS NOT NULL")
        for md5, sha1, pdq, quality, media, size, make, model, taken_o, taken, gps in cur:
            if md5 not in unknown:
                continue
            when = (taken_o or taken or "")[:32]
            row = out.get(md5)
            if row is None:
                out[md5] = {"sha1": sha1 or "", "pdq": pdq or "", "pdq_quality": quality, "media_type": media,
                            "size": size, "files": 1, "exif_make": (make or "").strip()[:100],
                            "exif_model": (model or "").strip()[:100], "taken_first": when, "taken_last": when,
                            "has_gps": bool(gps)}
                continue
            row["files"] += 1
            row["has_gps"] = row["has_gps"] or bool(gps)
            if when:
                row["taken_first"] = min(filter(None, [row["taken_first"], when]))
                row["taken_last"] = max(filter(None, [row["taken_last"], when]))
    except sqlite3.Error as exc:
        raise SeriesError(f"{scan_result.filename}: cannot be read ({exc})") from None
    finally:
        con.close()
    return out


def _insert_many(model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Plain multi-row INSERTs for the tens of thousands of rows one scan can bring (bulk_create spends most of its
    time building model instances here: measured in benchmarks/bench_series.py). Columns come from the model, so
    they follow its migrations; every row gives every column but the primary key."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    missing = [f.attname for f in fields if f.attname not in rows[0] and f.has_default()]
    defaults = {name: model._meta.get_field(name).get_default() for name in missing}
    q = connection.ops.quote_name
    sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    prep = [(f.attname, f) for f in fields]
    with connection.cursor() as cur:
        for i in range(0, len(rows), BATCH):
            cur.executemany(sql, [tuple(f.get_db_prep_save(r.get(name, defaults.get(name)), connection)
                                        for name, f in prep) for r in rows[i:i + BATCH]])


@dataclass(frozen=True)
class IntakeResult:
    intake: SeriesIntake
    created_series: int
    grown_series: int
    merged_series: int


def series_intake(*, actor: Any, scan_result: ScanResult, summary: CollectionSummary) -> IntakeResult:
    """Take a scan result's unknown material into series (once)."""
    existing = SeriesIntake.objects.filter(scan_result=scan_result).first()
    if existing is not None:
        return IntakeResult(existing, 0, 0, 0)
    rows = _unknown_rows(scan_result)
    exhibit = scan_result.exhibit
    canon = canonical_map()
    earlier = [
        Earlier(pk, md5, pdq if pdq and (q or 0) >= 50 else None, canon.get(sid, sid) if sid else None)
        for pk, md5, pdq, q, sid in UnknownItem.objects.exclude(scan_result=scan_result)
        .values_list("pk", "md5", "pdq", "pdq_quality", "membership__series_id").iterator(chunk_size=BATCH)
    ]
    md5s = sorted(rows)
    new = [Item(m, rows[m]["pdq"] or None, rows[m]["pdq_quality"]) for m in md5s]
    groups = group_items(new, earlier)
    earlier_units = {}
    if groups:
        joining = [k for g in groups for k in g.earlier]
        earlier_units = dict(UnknownItem.objects.filter(pk__in=joining).values_list("pk", "unit_id"))
    now = timezone.now()
    with transaction.atomic():
        fixed = {"scan_result_id": scan_result.pk, "exhibit_id": exhibit.pk, "referral_id": exhibit.referral_id,
                 "unit_id": exhibit.unit_id}
        _insert_many(UnknownItem, [{**fixed, "md5": m, **rows[m]} for m in md5s])
        ids = dict(UnknownItem.objects.filter(scan_result=scan_result).values_list("md5", "pk"))
        fresh = [g for g in groups if g.series is None]
        made = Series.objects.bulk_create([Series(created_at=now) for _ in fresh], batch_size=BATCH)
        if any(s.pk is None for s in made):  # a backend that cannot return ids from a bulk insert
            made = [Series.objects.create(created_at=now) for _ in fresh]
        new_ids = iter(s.pk for s in made)
        created, grown = len(fresh), len(groups) - len(fresh)
        members: list[dict[str, Any]] = []
        merges: list[SeriesMerge] = []
        for g in groups:
            target = next(new_ids) if g.series is None else g.series
            merges += [SeriesMerge(merged_id=other, into_id=target, at=now) for other in g.merged]
            members += [{"series_id": target, "item_id": ids[md5s[i]], "unit_id": exhibit.unit_id, "joined_at": now}
                        for i in g.new]
            members += [{"series_id": target, "item_id": k, "unit_id": earlier_units[k], "joined_at": now}
                        for k in g.earlier]
        SeriesMerge.objects.bulk_create(merges)
        merged = len(merges)
        _insert_many(SeriesMember, members)
        joined = len(members)
        intake = SeriesIntake.objects.create(
            scan_result=scan_result, summary=summary, unit_id=scan_result.unit_id, hash_sets=summary.hash_sets,
            items=len(md5s), joined=joined, at=now)
        audit_record(actor=actor, action=AuditAction.SERIES_FORM, unit_id=scan_result.unit_id, target=intake,
                     detail={"scan_result": scan_result.pk, "items": len(md5s), "joined": joined,
                             "created": created, "grown": grown, "merged": merged})
        _tell_other_units(actor=actor, groups=[g for g in groups if g.series is not None or g.earlier],
                          unit_id=exhibit.unit_id, canon=canonical_map())
    return IntakeResult(intake, created, grown, merged)


def _tell_other_units(*, actor: Any, groups: list[Any], unit_id: int, canon: dict[int, int]) -> None:
    """Another unit's material turned up here: tell that unit's series officer(s) "also seen by <unit>"."""
    series_ids = {canon.get(g.series, g.series) for g in groups if g.series is not None}
    series_ids |= set(SeriesMember.objects.filter(item_id__in=[k for g in groups for k in g.earlier])
                      .values_list("series_id", flat=True))
    series_ids = {canon.get(s, s) for s in series_ids}
    if not series_ids:
        return
    name = Unit.objects.get(pk=unit_id).name
    others = set(SeriesMember.objects.filter(series_id__in=series_ids).exclude(unit_id=unit_id)
                 .values_list("series_id", "unit_id").distinct())
    for sid, other in sorted(others):
        series = Series(pk=sid)
        for person in officers(series=series, unit_id=other):
            notification_send(recipient=person, unit_id=other, referral=None, actor=actor,
                              message=f"Series {series.name} was also seen by {name}.",
                              link=series.get_absolute_url())


def officers(*, series: Series, unit_id: int) -> list[Any]:
    """Who works the series in a unit: whoever recorded its latest step; before anyone has, every member of the
    unit who may work series."""
    last = SeriesEvent.objects.filter(series_id__in=family(series), unit_id=unit_id).order_by("-at", "-pk").first()
    if last is not None:
        return [last.by]
    people = (Membership.objects.filter(unit_id=unit_id, role__in=roles_with(Capability.WORK_SERIES))
              .select_related("user").order_by("user_id"))
    seen, out = set(), []
    for m in people:
        if m.user_id not in seen and m.user.is_active:
            seen.add(m.user_id)
            out.append(m.user)
    return out


# ---------------------------------------------------------------------------------------- hash sets loaded later


def series_check_hash_set(*, actor: Any, hash_set: HashSet) -> SeriesHashSetCheck:
    """Match every stored unknown item against one newly loaded set; record what it covers; tell the officers."""
    done = SeriesHashSetCheck.objects.filter(hash_set=hash_set).first()
    if done is not None:
        return done
    matcher = Matcher(loaded_hash_sets([hash_set]))
    rows = list(UnknownItem.objects.values_list("pk", "md5", "sha1", "pdq", "pdq_quality", "unit_id"))
    covered: list[SeriesKnown] = []
    for i in range(0, len(rows), 50_000):
        chunk = rows[i:i + 50_000]
        verdicts = matcher.match([FileHashes(md5, sha1 or None, pdq or None, q) for _, md5, sha1, pdq, q, _ in chunk])
        for (pk, *_, unit_id), v in zip(chunk, verdicts, strict=True):
            if v.status != UNKNOWN:
                hit = v.hits[0]
                covered.append(SeriesKnown(item_id=pk, hash_set=hash_set, unit_id=unit_id, method=hit.method,
                                           category=hit.category or ""))
    with transaction.atomic():
        SeriesKnown.objects.bulk_create(covered, batch_size=BATCH)
        check = SeriesHashSetCheck.objects.create(hash_set=hash_set, items=len(rows), covered=len(covered))
        canon = canonical_map()
        by_series_unit: dict[tuple[int, int], int] = defaultdict(int)
        for sid, unit_id in SeriesMember.objects.filter(item_id__in=[k.item_id for k in covered]).values_list(
                "series_id", "unit_id"):
            by_series_unit[(canon.get(sid, sid), unit_id)] += 1
        for (sid, unit_id), n in sorted(by_series_unit.items()):
            series = Series(pk=sid)
            total = SeriesMember.objects.filter(series_id__in=family(series), unit_id=unit_id).count()
            audit_record(actor=actor, action=AuditAction.SERIES_KNOWN, unit_id=unit_id, target=series,
                         detail={"hash_set": hash_set.pk, "covered": n, "members": total})
            fully = " All of its members are now known: it may already be identified elsewhere." if n >= total else ""
            for person in officers(series=series, unit_id=unit_id):
                notification_send(
                    recipient=person, unit_id=unit_id, referral=None, actor=actor, link=series.get_absolute_url(),
                    message=f"The newly loaded hash set “{hash_set.name}” covers {n} of {total} members of series "
                            f"{series.name}.{fully}")
    return check


@dataclass(frozen=True)
class SyncResult:
    intakes: int
    checks: int


def _scans_pending() -> Any:
    return ScanResult.objects.exclude(pk__in=SeriesIntake.objects.values("scan_result_id")).filter(
        pk__in=CollectionSummary.objects.values("scan_result_id"))


def _sets_pending() -> Any:
    return HashSet.objects.filter(~Q(pk__in=SeriesHashSetCheck.objects.values("hash_set_id")))


def series_pending() -> tuple[int, int]:
    """How many summarised scan results and loaded hash sets the series have not yet taken in."""
    return _scans_pending().count(), _sets_pending().count()


def series_sync(*, actor: Any) -> SyncResult:
    """Take in every summarised scan result not yet taken in, then check every hash set not yet checked against all
    stored items (in that order: a scan summarised before a set was loaded but taken in after is still checked).
    Items whose summary already used a set are no hits in it, so checking them again finds nothing new."""
    intakes = 0
    pending = _scans_pending().select_related("exhibit").order_by("pk")
    for result in pending:
        summary = CollectionSummary.objects.filter(scan_result=result).order_by("-computed_at", "-pk").first()
        if summary is not None:
            series_intake(actor=actor, scan_result=result, summary=summary)
            intakes += 1
    checks = 0
    for hs in _sets_pending().order_by("pk"):
        series_check_hash_set(actor=actor, hash_set=hs)
        checks += 1
    return SyncResult(intakes, checks)


# ---------------------------------------------------------------------------------------------------- lifecycle


def current_status(series: Series, unit_id: int, ids: list[int] | None = None) -> Status:
    last = (SeriesEvent.objects.filter(series_id__in=ids or family(series), unit_id=unit_id)
            .order_by("-at", "-pk").first())
    return Status(last.status) if last else Status.NEW


@dataclass(frozen=True)
class Child:
    given_names: str
    family_name: str
    date_of_birth: date | None
    sex: str


def series_transition(*, actor: Any, series: Series, unit_id: int, to: str, reason: str, grading: str = "",
                      age_band: str = "", child: Child | None = None, referral: Referral | None = None,
                      safeguarding_note: str = "", safeguarding_date: date | None = None,
                      now: datetime | None = None) -> SeriesEvent:
    """Record one step of the unit's work on the series. Refuses an illegal move or missing facts; writes nothing
    then. "Child identified" records the child as a subject (role victim) of one of the unit's referrals that
    holds members; "safeguarded" needs a dated safeguarding note."""
    try:
        target = Status(to)
    except ValueError:
        raise SeriesError(f"status: {to!r} is not a series status") from None
    ids = family(series)
    if not SeriesMember.objects.filter(series_id__in=ids, unit_id=unit_id).exists():
        raise SeriesError("series: your unit holds no members of this series")
    try:
        check_move(current_status(series, unit_id, ids), target)
    except IllegalMove as exc:
        raise SeriesError(f"status: {exc}") from None
    reason = reason.strip()
    if not reason:
        raise SeriesError("reason: say why (it is kept with the step)")
    if grading and grading not in dict(GRADINGS):
        raise SeriesError(f"grading: {grading!r} is not A, B or C")
    if age_band and age_band not in dict(AGE_BANDS):
        raise SeriesError(f"age band: {age_band!r} is not a recorded age band")
    subject = None
    if target == Status.CHILD_IDENTIFIED:
        if child is None or not (child.given_names.strip() or child.family_name.strip()):
            raise SeriesError("child: give the identified child's name (fictional in tests and training)")
        holding = set(SeriesMember.objects.filter(series_id__in=ids, unit_id=unit_id)
                      .values_list("item__referral_id", flat=True))
        if referral is None or referral.pk not in holding or referral.unit_id != unit_id:
            raise SeriesError("referral: choose one of your unit's referrals that holds members of this series")
    if target == Status.SAFEGUARDED and (not safeguarding_note.strip() or safeguarding_date is None):
        raise SeriesError("safeguarding: a safeguarding note and its date are needed")
    with transaction.atomic():
        if target == Status.CHILD_IDENTIFIED and child is not None and referral is not None:
            subject = Subject.objects.create(
                referral=referral, unit_id=unit_id, role="victim", given_names=child.given_names.strip(),
                family_name=child.family_name.strip(), date_of_birth=child.date_of_birth, sex=child.sex or "unknown",
                created_by=actor)
            audit_record(actor=actor, action=AuditAction.SUBJECT_CREATE, unit_id=unit_id, target=subject,
                         detail={"referral": referral.reference, "role": "victim", "series": series.name})
        event = SeriesEvent.objects.create(
            series=series, unit_id=unit_id, status=target.value, reason=reason, grading=grading, age_band=age_band,
            subject=subject, referral=referral if subject else None, safeguarding_note=safeguarding_note.strip(),
            safeguarding_date=safeguarding_date, at=now or timezone.now(), by=actor)
        audit_record(actor=actor, action=AuditAction.SERIES_TRANSITION, unit_id=unit_id, target=series,
                     detail={"to": target.value, "grading": grading, "age_band": age_band,
                             "subject": subject.pk if subject else None})
    return event


# ------------------------------------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    export: SeriesExport


def series_export(*, actor: Any, series: Series, unit_id: int, recipient: str,
                  now: datetime | None = None) -> ExportResult:
    """The unit's members of a series as a VICS 2.0 file, with an audited record of what was sent to whom."""
    recipient = recipient.strip()
    if not recipient:
        raise SeriesError("recipient: name who the file is for (e.g. the national victim-identification team)")
    ids = family(series)
    items = list(UnknownItem.objects.filter(membership__series_id__in=ids, unit_id=unit_id)
                 .select_related("referral").order_by("referral__reference", "md5"))
    if not items:
        raise SeriesError("series: your unit holds no members of this series")
    now = now or timezone.now()
    events = list(SeriesEvent.objects.filter(series_id__in=ids, unit_id=unit_id).order_by("at", "pk"))
    grading = next((e.grading for e in reversed(events) if e.grading), "")
    identified = any(e.status == Status.CHILD_IDENTIFIED for e in events)
    by_case: dict[str, dict[str, ExportMedia]] = defaultdict(dict)
    for it in items:
        by_case[it.referral.reference].setdefault(it.md5, ExportMedia(it.md5, it.sha1 or None, it.pdq or None, it.size))
    cases = [ExportCase(ref, list(media.values())) for ref, media in sorted(by_case.items())]
    doc = vics_document(series_name=f"WINNOW-{series.name}", cases=cases,
                        grading=f"UK Category {grading}" if grading else None, victim_identified=identified,
                        source_version=WINNOW_VERSION, now=now.astimezone(UTC))
    data = vics_bytes(doc)
    media = [m for c in cases for m in c.media]
    with transaction.atomic():
        record = SeriesExport.objects.create(
            series=series, unit_id=unit_id, recipient=recipient[:200], sha256=hashlib.sha256(data).hexdigest(),
            size=len(data), media=len(media), md5=len({m.md5 for m in media}),
            sha1=len({m.sha1 for m in media if m.sha1}), pdq=len({m.pdq for m in media if m.pdq}),
            cases=[c.case_number for c in cases], at=now, by=actor if getattr(actor, "pk", None) else None)
        audit_record(actor=actor, action=AuditAction.SERIES_EXPORT, unit_id=unit_id, target=series,
                     detail={"recipient": record.recipient, "sha256": record.sha256, "media": record.media,
                             "cases": record.cases, "format": record.format})
    return ExportResult(data, record)


# -------------------------------------------------------------------------------------------------------- views


def _parse_exif(value: str) -> datetime | None:
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value[:19], fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _device_match(items: Iterable[UnknownItem], exhibits: Iterable[Exhibit]) -> bool:
    seized = {(e.device_make.strip().lower(), e.device_model.strip().lower()) for e in exhibits if e.device_model}
    for it in items:
        make, model = it.exif_make.lower(), it.exif_model.lower()
        if model and any(model == m and (not mk or mk == make) for mk, m in seized):
            return True
    return False


def access_to_children(referral_ids: Iterable[int]) -> bool:
    """Whether the latest assessment of any subject of these referrals answers yes to an access-to-children item."""
    latest: dict[int, Assessment] = {}
    for a in Assessment.objects.filter(referral_id__in=list(referral_ids)).order_by("created_at", "pk"):
        latest[a.subject_id] = a
    return any(str(a.answers.get(item, "")).lower() == "yes" for a in latest.values() for item in ACCESS_ITEMS)


@dataclass
class SeriesView:
    """What one unit sees of one series."""

    series: Series
    unit_id: int
    ids: list[int]
    items: list[UnknownItem]
    status: Status
    events: list[SeriesEvent]
    signals: Signals
    also_seen_by: list[tuple[str, int]]  # (unit name, members) for the other units
    hash_sets: list[dict[str, Any]]
    known: dict[int, list[SeriesKnown]]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def referrals(self) -> list[Referral]:
        return sorted({it.referral for it in self.items}, key=lambda r: r.reference)

    @property
    def exhibits(self) -> list[Exhibit]:
        return sorted({it.exhibit for it in self.items}, key=lambda e: (e.referral_id, e.label))

    @property
    def devices(self) -> list[tuple[str, str, int]]:
        count: dict[tuple[str, str], int] = defaultdict(int)
        for it in self.items:
            if it.exif_make or it.exif_model:
                count[(it.exif_make, it.exif_model)] += 1
        return sorted(((mk, md, n) for (mk, md), n in count.items()), key=lambda t: (-t[2], t[0], t[1]))

    @property
    def date_range(self) -> tuple[str, str] | None:
        first = [it.taken_first for it in self.items if it.taken_first]
        last = [it.taken_last for it in self.items if it.taken_last]
        return (min(first), max(last)) if first else None

    @property
    def with_location(self) -> int:
        return sum(it.has_gps for it in self.items)

    @property
    def known_members(self) -> int:
        return len(self.known)


def series_view(series: Series, unit_id: int, *, canon: dict[int, int] | None = None) -> SeriesView:
    canon = canonical_map() if canon is None else canon
    ids = [series.pk, *[s for s, t in canon.items() if t == series.pk]]
    items = list(UnknownItem.objects.filter(membership__series_id__in=ids, unit_id=unit_id)
                 .select_related("referral", "exhibit").order_by("referral__reference", "exhibit__label", "md5"))
    events = list(SeriesEvent.objects.filter(series_id__in=ids, unit_id=unit_id).select_related("by", "subject")
                  .order_by("at", "pk"))
    everyone = SeriesMember.objects.filter(series_id__in=ids)
    others: dict[str, int] = defaultdict(int)
    for name in everyone.exclude(unit_id=unit_id).values_list("unit__name", flat=True):
        others[name] += 1
    cases = everyone.values("item__referral_id").distinct().count()
    known: dict[int, list[SeriesKnown]] = defaultdict(list)
    for k in SeriesKnown.objects.filter(item__in=items).select_related("hash_set"):
        known[k.item_id].append(k)
    any_known = SeriesKnown.objects.filter(item__membership__series_id__in=ids).exists()
    sets: dict[int, dict[str, Any]] = {}
    for hs in SeriesIntake.objects.filter(scan_result_id__in={it.scan_result_id for it in items}).values_list(
            "hash_sets", flat=True):
        for s in hs:
            sets.setdefault(int(s["id"]), {"name": s["name"], "sha256": s["sha256"], "when": "when summarised"})
    for hid, name, sha in SeriesHashSetCheck.objects.exclude(hash_set_id__in=sets).values_list(
            "hash_set_id", "hash_set__name", "hash_set__sha256"):
        sets[hid] = {"name": name, "sha256": sha, "when": "loaded later and checked"}
    status = Status(events[-1].status) if events else Status.NEW
    bands = [e.age_band for e in events if e.age_band]
    rank = [code for code, _ in AGE_BANDS]
    taken = [d for it in items if it.taken_last and (d := _parse_exif(it.taken_last))]
    exhibits = Exhibit.objects.filter(referral_id__in={it.referral_id for it in items})
    signals = Signals(
        series=series.pk, members=len(items), device_match=_device_match(items, exhibits),
        latest_capture=max(taken) if taken else None, unknown_to_all=not any_known, cases=cases,
        youngest_age_band=min(bands, key=rank.index) if bands else None,
        access_to_children=access_to_children({it.referral_id for it in items}))
    return SeriesView(series, unit_id, ids, items, status, events, signals, sorted(others.items()),
                      list(sets.values()), known)


def queue_for(user: Any, unit_ids: set[int]) -> list[SeriesView]:
    """Every current series holding members in the units, one row per (series, unit), closed ones left off."""
    canon = canonical_map()
    pairs = set(SeriesMember.objects.filter(unit_id__in=unit_ids).values_list("series_id", "unit_id").distinct())
    rows = []
    for sid, unit_id in sorted({(canon.get(s, s), u) for s, u in pairs}):
        view = series_view(Series.objects.get(pk=sid), unit_id, canon=canon)
        if not view.closed:
            rows.append(view)
    return rows

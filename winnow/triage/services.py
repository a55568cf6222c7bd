"""Use cases that write triage records and the audit trail together."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Count

from winnow.audit.services import AuditAction, audit_record
from winnow.core.hashsets import (
    CategoryScheme,
    HashRecord,
    HashSetParseError,
    get_scheme,
    load_scheme,
    parse_hashset,
)
from winnow.core.matching import DEFAULT_PDQ_THRESHOLD, LoadedHashSet, Matcher, match_result_file
from winnow.core.scanning.result import FILE_COLUMNS, FORMAT, SCHEMA_VERSION
from winnow.referrals.models import Referral
from winnow.uploads import spool, store_once
from winnow.worker.retry import GiveUp, retrying_task

from .models import (
    CategoryConflicts,
    CollectionSummary,
    Exhibit,
    HashEntry,
    HashSet,
    ScanResult,
    SuggestionConfirmation,
    UnknownMediaHash,
)
from .summary import build_summary, suggestions

BATCH = 5000
PROGRESS_EVERY = 50_000
SQLITE_MAGIC = b"SQLite format 3\x00"


class TriageError(ValueError):
    """Bad input: the message names the file and the reason; nothing was written."""


# ------------------------------------------------------------------------------------------------------ hash sets


@dataclass(frozen=True)
class HashSetImport:
    hash_set: HashSet
    created: bool  # False when this exact file (same SHA-256) had already been imported


def resolve_scheme(scheme: str | None) -> CategoryScheme | None:
    """A built-in scheme's name, or the path of a supplier's scheme JSON file."""
    if not scheme:
        return None
    if scheme.endswith(".json") or os.sep in scheme:
        try:
            return load_scheme(scheme)
        except (OSError, ValueError) as exc:
            raise TriageError(f"{scheme}: not a usable category scheme ({exc})") from None
    try:
        return get_scheme(scheme)
    except ValueError as exc:
        raise TriageError(str(exc)) from None


def hash_set_import(
    *, actor: Any, path: str | Path, name: str, filename: str = "", format: str | None = None,  # noqa: A002
    scheme: str | None = None, known_files: bool = False, progress: Callable[..., None] | None = None,
) -> HashSetImport:
    """Import a hash-set file: all of it or nothing. Idempotent on the file's SHA-256.

    Two streaming passes keep memory constant and write nothing for a malformed file: the first validates the
    whole file and counts (ParseReport), the second inserts entries in batches of BATCH inside one transaction.
    `progress(what, done, total)` hears how the first pass goes every PROGRESS_EVERY entries, and when the second
    starts (inside the transaction nobody else could see a count)."""
    path = Path(path)
    filename = filename or path.name
    resolved = resolve_scheme(scheme)
    try:
        first = parse_hashset(path, format=format or None, scheme=resolved, known_files=known_files)
        for n, _ in enumerate(first, 1):
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress("Checking the file: entries read", n)
        report = first.report
    except HashSetParseError as exc:
        raise TriageError(f"{filename}: {exc.position + ': ' if exc.position else ''}{exc.reason}") from None
    except ValueError as exc:
        raise TriageError(f"{filename}: {exc}") from None
    existing = HashSet.objects.filter(sha256=report.sha256).first()
    if existing is not None:
        return HashSetImport(existing, False)
    if not report.entries:
        raise TriageError(f"{filename}: no hash entries found")
    final_scheme = first.scheme
    if progress is not None:
        progress(f"Checked {report.entries:,} entries; writing them (all or nothing)")
    with transaction.atomic():
        hash_set = HashSet.objects.create(
            name=name, kind=report.kind, format=report.format, scheme=report.scheme,
            scheme_definition=final_scheme.to_dict() if final_scheme else {},
            source_filename=filename[:255], sha256=report.sha256, size_bytes=report.size_bytes,
            entries=report.entries, distinct_md5=report.distinct_md5, distinct_sha1=report.distinct_sha1,
            distinct_sha256=report.distinct_sha256, distinct_pdq=report.distinct_pdq, distinct_keys=report.distinct_keys, report=report.as_dict(),
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        second = parse_hashset(path, format=report.format, scheme=resolved, count_distinct=False,
                               known_files=known_files)
        batch: list[HashEntry] = []
        try:
            for rec in second:
                batch.append(HashEntry(hash_set=hash_set, position=rec.position, md5=rec.md5, sha1=rec.sha1,
                                       sha256=rec.sha256, pdq=rec.pdq, category=rec.category, series=(rec.series or None) and rec.series[:200],
                                       segments=list(rec.segments) or None))
                if len(batch) >= BATCH:
                    HashEntry.objects.bulk_create(batch)
                    batch = []
        except HashSetParseError as exc:
            raise TriageError(f"{filename}: {exc.position}: {exc.reason} (the file changed while importing)") from None
        HashEntry.objects.bulk_create(batch)
        if second.report.sha256 != report.sha256 or second.report.entries != report.entries:
            raise TriageError(f"{filename}: the file changed while importing; nothing was imported")
        conflicts = category_conflicts_check(hash_set)
        audit_record(actor=actor, action=AuditAction.HASHSET_IMPORT, unit_id=None, target=hash_set,
                     detail={"name": name, "sha256": report.sha256, "entries": report.entries,
                             "format": report.format, "scheme": report.scheme,
                             "category_conflicts": {"within": conflicts.within, "between": conflicts.between}})
    return HashSetImport(hash_set, True)


MAX_CONFLICT_EXAMPLES = 100


def category_conflicts_check(hash_set: HashSet) -> CategoryConflicts:
    """Record where `hash_set`'s categories disagree: a hash under two categories of its scheme in this set, or
    categorised differently here and in an earlier reference set of the same scheme. Run inside the import's
    transaction, after the entries are written. Counts of distinct hashes (MD5, SHA-1 and SHA-256); a few examples
    kept."""
    within = between = 0
    examples: list[dict[str, Any]] = []
    if hash_set.kind == HashSet.Kind.REFERENCE and hash_set.scheme != "none":
        pool = HashEntry.objects.filter(hash_set__kind=HashSet.Kind.REFERENCE, hash_set__scheme=hash_set.scheme,
                                        category__isnull=False)
        labels = {s.pk: s for s in HashSet.objects.filter(kind=HashSet.Kind.REFERENCE, scheme=hash_set.scheme)}
        for kind in ("md5", "sha1", "sha256"):
            mine = HashEntry.objects.filter(hash_set=hash_set, category__isnull=False, **{f"{kind}__isnull": False})
            disagreeing = (pool.filter(**{f"{kind}__in": mine.values(kind)}).values(kind)
                           .annotate(categories=Count("category", distinct=True)).filter(categories__gt=1)
                           .order_by(kind).values_list(kind, flat=True))  # fmt: skip
            for value in disagreeing.iterator(chunk_size=BATCH):
                rows = sorted(set(pool.filter(**{kind: value}).values_list("hash_set_id", "category")))
                own = {c for s, c in rows if s == hash_set.pk}
                others = {c for s, c in rows if s != hash_set.pk}
                if len(own) > 1:
                    within += 1
                if any(c != d for c in own for d in others):
                    between += 1
                if len(examples) < MAX_CONFLICT_EXAMPLES:
                    examples.append({"kind": kind, "hash": value, "categories": [
                        {"set": labels[s].name, "category": c, "label": labels[s].category_label(c)} for s, c in rows
                    ]})
    return CategoryConflicts.objects.create(hash_set=hash_set, within=within, between=between, examples=examples)


# Loaded sets, per process, keyed by the ids of the sets (a new import changes the key; sets never change).
_CACHE: dict[tuple[int, ...], list[LoadedHashSet]] = {}
_CACHE_LOCK = threading.Lock()


def _records(hash_set: HashSet) -> Iterator[HashRecord]:
    rows = (HashEntry.objects.filter(hash_set=hash_set).order_by("id")
            .values_list("position", "md5", "sha1", "sha256", "pdq", "category", "series", "segments")
            .iterator(chunk_size=BATCH))
    for position, md5, sha1, sha256, pdq, category, series, segments in rows:
        yield HashRecord(position=position, md5=md5, sha1=sha1, sha256=sha256, pdq=pdq, category=category,
                         series=series, segments=tuple(segments or ()))


def loaded_hash_sets(sets: Iterable[HashSet] | None = None) -> list[LoadedHashSet]:
    sets = list(HashSet.objects.order_by("pk") if sets is None else sets)
    key = tuple(s.pk for s in sets)
    with _CACHE_LOCK:
        if key not in _CACHE:
            loaded = []
            for s in sets:
                scheme = CategoryScheme.from_dict(s.scheme_definition) if s.scheme_definition else None
                loaded.append(LoadedHashSet.from_records(s.name, _records(s), kind=s.kind, scheme=scheme))
            _CACHE.clear()  # keep only the current combination: sets can be large
            _CACHE[key] = loaded
        return _CACHE[key]


# ------------------------------------------------------------------------------------------------------ exhibits


def exhibit_create(*, actor: Any, referral: Any, label: str, description: str = "", device_make: str = "",
                   device_model: str = "") -> Exhibit:
    label = label.strip()
    if not label:
        raise TriageError("an exhibit needs a label")
    if Exhibit.objects.filter(referral=referral, label=label).exists():
        raise TriageError(f"exhibit {label!r} already exists on {referral.reference}")
    with transaction.atomic():
        exhibit = Exhibit.objects.create(referral=referral, unit_id=referral.unit_id, label=label,
                                         description=description, device_make=device_make.strip(),
                                         device_model=device_model.strip(), created_by=actor)
        audit_record(actor=actor, action=AuditAction.EXHIBIT_CREATE, unit_id=referral.unit_id,
                     target=exhibit, detail={"referral": referral.reference, "label": label})
    return exhibit


def _storage_dir() -> Path:
    d = Path(settings.DATA_DIR) / "scan-results"
    d.mkdir(parents=True, exist_ok=True)
    return d


def validate_scan_result(path: Path, *, filename: str) -> tuple[dict[str, str], int]:
    """Refuse anything that is not a Winnow scan result; return its meta table and row count.

    The file is untrusted: it must be SQLite, hold `meta` and `files` as plain tables (no views or triggers that
    could run when read), say it is a winnow-scan of a schema version we read, and pass SQLite's quick_check."""
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise TriageError(f"{filename}: not a Winnow scan result (not an SQLite file)")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise TriageError(f"{filename}: not a Winnow scan result ({exc})") from None
    try:
        con.execute("PRAGMA trusted_schema=OFF")
        objects = {(t, n) for t, n in con.execute("SELECT type, name FROM sqlite_master")}
        if any(t in ("view", "trigger") for t, _ in objects):
            raise TriageError(f"{filename}: not a Winnow scan result (it holds views or triggers)")
        for table in ("meta", "files"):
            if ("table", table) not in objects:
                raise TriageError(f"{filename}: not a Winnow scan result (no {table} table)")
        meta = {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta")}
        if meta.get("format") != FORMAT:
            raise TriageError(f"{filename}: not a Winnow scan result (meta format is {meta.get('format')!r})")
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise TriageError(f"{filename}: scan result schema version {meta.get('schema_version')!r} is not "
                              f"supported (this Winnow reads {SCHEMA_VERSION})")
        columns = {row[1] for row in con.execute("PRAGMA table_info(files)")}
        missing = [c for c in FILE_COLUMNS if c not in columns]
        if missing:
            raise TriageError(f"{filename}: the files table lacks columns {', '.join(missing)}")
        check = con.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise TriageError(f"{filename}: the SQLite file is damaged ({check[0] if check else 'no answer'})")
        files = int(con.execute("SELECT count(*) FROM files").fetchone()[0])
    except sqlite3.Error as exc:
        raise TriageError(f"{filename}: not a readable Winnow scan result ({exc})") from None
    finally:
        con.close()
    return meta, files


@dataclass(frozen=True)
class ScanImport:
    scan_result: ScanResult
    summary: CollectionSummary | None
    created: bool


def scan_result_store(*, actor: Any, exhibit: Exhibit, chunks: Iterable[bytes], filename: str, via: str, summarise: bool = True, background: bool | None = None) -> ScanImport:
    """Store a scan result file verbatim (content-addressed on disk), record it, and compute its summary: here, or
    (`background`; by default when it lists more than WINNOW_SUMMARY_INLINE_MAX_FILES files) in the task worker,
    enqueued in the same transaction as the scan result, so the summary is None until the worker has made it."""
    limit = settings.WINNOW_SCAN_RESULT_MAX_BYTES
    tmp, sha256, size = spool(chunks, directory=_storage_dir(), limit=limit, too_large=lambda limit: TriageError(
        f"{filename}: larger than the limit of {limit:,} bytes; nothing was stored"))
    try:
        existing = ScanResult.objects.filter(exhibit=exhibit, sha256=sha256).first()
        if existing is not None:
            return ScanImport(existing, existing.summaries.order_by("-pk").first(), False)
        meta, files = validate_scan_result(tmp, filename=filename)
        later = files > settings.WINNOW_SUMMARY_INLINE_MAX_FILES if background is None else background
        storage_name = f"scan-results/{sha256[:2]}/{sha256}.sqlite"
        store_once(tmp, Path(settings.DATA_DIR) / storage_name)  # content-addressed: stored once, never overwritten
        with transaction.atomic():
            result = ScanResult.objects.create(
                exhibit=exhibit, unit_id=exhibit.unit_id, filename=filename[:255], sha256=sha256, size=size,
                storage_name=storage_name, meta={k: v for k, v in meta.items() if k != "root_hex"}, files=files,
                via=via, received_by=actor)
            audit_record(actor=actor, action=AuditAction.SCANRESULT_STORE, unit_id=exhibit.unit_id,
                         target=result, detail={"exhibit": exhibit.pk, "sha256": sha256, "size": size,
                                                "files": files, "via": via})
            if summarise and later:
                summarise_scan_result.enqueue(scan_result_id=result.pk, actor_id=actor.pk)
    finally:
        tmp.unlink(missing_ok=True)
    inline = summarise and not later
    summary = summary_compute(actor=actor, scan_result=result) if inline else None
    return ScanImport(result, summary, True)


def _category_labeller(sets: list[HashSet]) -> Any:
    labels: dict[tuple[str, str], str] = {}
    for s in sets:
        for c in s.scheme_definition.get("categories", []):
            labels.setdefault((s.scheme, str(c.get("code"))), str(c.get("label", c.get("code"))))

    def label(scheme: str | None, code: str | None) -> str:
        if code is None:
            return "Uncategorised"
        return labels.get((scheme or "", code), code)

    return label


def summary_compute(*, actor: Any, scan_result: ScanResult,
                    pdq_threshold: int = DEFAULT_PDQ_THRESHOLD) -> CollectionSummary:
    """Match the stored result file against every loaded hash set and record a new summary."""
    sets = list(HashSet.objects.order_by("pk"))
    matcher = Matcher(loaded_hash_sets(sets), pdq_threshold=pdq_threshold)
    try:
        data = build_summary(match_result_file(scan_result.path, matcher), category_label=_category_labeller(sets),
                             pdq_threshold=pdq_threshold)
    except sqlite3.Error as exc:
        raise TriageError(f"{scan_result.filename}: cannot be read ({exc})") from None
    unknown = data.pop("unknown_media_md5")
    exhibit = scan_result.exhibit
    with transaction.atomic():
        summary = CollectionSummary.objects.create(
            scan_result=scan_result, exhibit=exhibit, unit_id=scan_result.unit_id, pdq_threshold=pdq_threshold,
            hash_sets=[{"id": s.pk, "name": s.name, "sha256": s.sha256} for s in sets], data=data, computed_by=actor)
        known = set(UnknownMediaHash.objects.filter(scan_result=scan_result).values_list("md5", flat=True))
        new = [m for m in unknown if m not in known]
        for i in range(0, len(new), BATCH):
            UnknownMediaHash.objects.bulk_create([
                UnknownMediaHash(scan_result=scan_result, exhibit=exhibit, referral_id=exhibit.referral_id,
                                 unit_id=exhibit.unit_id, md5=m) for m in new[i:i + BATCH]])
        audit_record(actor=actor, action=AuditAction.COLLECTIONSUMMARY_COMPUTE, unit_id=scan_result.unit_id, target=summary,
                     detail={"scan_result": scan_result.pk, "hash_sets": [s.pk for s in sets],
                             "files": data["totals"]["files"]})
    return summary


def other_cases(*, scan_result: ScanResult, user: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Referrals where the same unknown media were found: in the user's units (by reference), elsewhere only
    as "also seen by <unit>" with a count."""
    md5s = UnknownMediaHash.objects.filter(scan_result=scan_result).values("md5")
    hits = (UnknownMediaHash.objects.filter(md5__in=md5s).exclude(referral_id=scan_result.exhibit.referral_id)
            .values("unit_id", "unit__name", "referral_id").annotate(shared=Count("md5", distinct=True))
            .order_by("-shared"))
    mine = user.unit_ids()
    same: list[dict[str, Any]] = []
    elsewhere: dict[str, int] = {}
    refs = {r.pk: r for r in Referral.objects.filter(pk__in=[h["referral_id"] for h in hits if h["unit_id"] in mine])}
    for h in hits:
        if h["unit_id"] in mine and h["referral_id"] in refs:
            same.append({"referral": refs[h["referral_id"]], "shared": h["shared"]})
        else:
            elsewhere[h["unit__name"]] = max(elsewhere.get(h["unit__name"], 0), h["shared"])
    return same, [{"unit": u, "shared": n} for u, n in sorted(elsewhere.items())]


def category_files(referral: Referral) -> dict[tuple[str, str | None, str], int]:
    """Files per (scheme, category code, label) across the referral's exhibits, from each exhibit's latest
    collection summary; empty when no exhibit has been summarised."""
    latest: dict[int, CollectionSummary] = {}
    for summary in CollectionSummary.objects.filter(exhibit__referral=referral).order_by("computed_at", "id"):
        latest[summary.exhibit_id] = summary
    counts: dict[tuple[str, str | None, str], int] = {}
    for summary in latest.values():
        for row in summary.data.get("by_category", []):
            key = (str(row.get("scheme") or ""), row.get("category"),
                   str(row.get("label") or row.get("category") or "Uncategorised"))
            counts[key] = counts.get(key, 0) + int(row.get("files", 0))
    return counts


def exhibit_suggestions(exhibit: Exhibit, summary: CollectionSummary | None) -> list[dict[str, str]]:
    if summary is None:
        return []
    return suggestions(summary.data, device_make=exhibit.device_make, device_model=exhibit.device_model)


def suggestion_confirm(*, actor: Any, summary: CollectionSummary, item: str) -> SuggestionConfirmation:
    offered = {s["item"]: s for s in exhibit_suggestions(summary.exhibit, summary)}
    if item not in offered:
        raise TriageError(f"{item!r} is not a suggestion of this summary")
    if SuggestionConfirmation.objects.filter(summary=summary, item=item).exists():
        raise TriageError("this suggestion has already been confirmed")
    s = offered[item]
    with transaction.atomic():
        confirmation = SuggestionConfirmation.objects.create(
            summary=summary, exhibit=summary.exhibit, unit_id=summary.unit_id, item=item, answer=s["answer"],
            reason=s["reason"], confirmed_by=actor)
        audit_record(actor=actor, action=AuditAction.SUGGESTION_CONFIRM, unit_id=summary.unit_id,
                     target=confirmation, detail={"summary": summary.pk, "item": item, "answer": s["answer"]})
    return confirmation


def file_chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


# ------------------------------------------------------------------------------------------------ worker tasks


@retrying_task()
def summarise_scan_result(*, scan_result_id: int, actor_id: int) -> dict[str, Any]:
    """Idempotent: if the scan result already has a summary against exactly the hash sets loaded now, nothing new
    is computed (a retry after a late failure, or a task run twice, adds no second summary)."""
    try:
        result = ScanResult.objects.select_related("exhibit").get(pk=scan_result_id)
        actor = get_user_model().objects.get(pk=actor_id)
    except ObjectDoesNotExist as exc:
        raise GiveUp(str(exc)) from None
    sets = [{"id": s.pk, "name": s.name, "sha256": s.sha256} for s in HashSet.objects.order_by("pk")]
    done = CollectionSummary.objects.filter(scan_result=result).order_by("-pk").first()
    if done is not None and done.hash_sets == sets:
        return {"summary": done.pk, "computed": False}
    summary = summary_compute(actor=actor, scan_result=result)
    return {"summary": summary.pk, "computed": True}

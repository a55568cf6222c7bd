"""Build a collection summary from a scan result's rows and their verdicts. Counts, hashes and paths only.

Django-free (it takes what `winnow.core.matching.match_result_file` yields) so it can be tested without a
database; the web application stores what it returns as `CollectionSummary.data`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from winnow.core.matching import KNOWN, KNOWN_NON_PERTINENT, QUALITY_THRESHOLD, UNKNOWN, Verdict, cluster_pdq

MAX_ERRORS_LISTED = 200
MAX_CLUSTERS = 100
MAX_MEMBERS_LISTED = 50
MAX_PATHS_PER_HASH = 5
MAX_CONFLICTS_LISTED = 200
MAX_SEGMENTED_LISTED = 200
SUMMARY_VERSION = 3  # 2: per-set counts are of files; category conflicts; rotated and mirrored PDQ matches
#                      3: videos categorised by segment, with their segments


@dataclass
class _Tally:
    instances: int = 0
    hashes: set[str] = field(default_factory=set)

    def add(self, key: str) -> None:
        self.instances += 1
        self.hashes.add(key)

    def as_dict(self) -> dict[str, int]:
        return {"files": self.instances, "distinct": len(self.hashes)}


def _key(row: dict[str, Any]) -> str:
    return row.get("md5") or row.get("sha1") or row.get("sha256") or row.get("path_display") or ""


def _note_image(
    row: dict[str, Any],
    verdict: Verdict,
    key: str,
    *,
    unhashable: _Tally,
    unknown_pdq: dict[str, dict[str, Any]],
    exif: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """An image's share of the summary: whether PDQ could hash it, unknown-material PDQ groups, camera models."""
    quality = row.get("pdq_quality")
    hashable = bool(row.get("pdq")) and quality is not None and quality >= QUALITY_THRESHOLD
    if not hashable and row.get("pdq_status") in ("low-quality", "ok", "error"):
        unhashable.add(key)
    if verdict.status == UNKNOWN and hashable:
        entry = unknown_pdq.setdefault(row["pdq"], {"md5s": [], "paths": [], "files": 0})
        entry["files"] += 1
        if row.get("md5") and row["md5"] not in entry["md5s"] and len(entry["md5s"]) < MAX_PATHS_PER_HASH:
            entry["md5s"].append(row["md5"])
        if len(entry["paths"]) < MAX_PATHS_PER_HASH:
            entry["paths"].append(str(row.get("path_display", "")))
    make, model = (row.get("exif_make") or "").strip(), (row.get("exif_model") or "").strip()
    if make or model:
        g = exif.setdefault((make, model), {"make": make, "model": model, "images": 0, "unknown": 0,
                                            "with_gps": 0, "first": None, "last": None})
        g["images"] += 1
        g["unknown"] += verdict.status == UNKNOWN
        g["with_gps"] += bool(row.get("exif_gps"))
        taken = row.get("exif_datetime_original") or row.get("exif_datetime")
        if taken:
            g["first"] = min(filter(None, [g["first"], taken]))
            g["last"] = max(filter(None, [g["last"], taken]))


def build_summary(
    matched: Iterable[tuple[dict[str, Any], Verdict]],
    *,
    category_label: Callable[[str | None, str | None], str],
    pdq_threshold: int,
) -> dict[str, Any]:
    """One pass over every regular file. `category_label(scheme, code)` names a category for display."""
    totals: Counter[str] = Counter()
    by_status: dict[str, dict[str, _Tally]] = defaultdict(lambda: defaultdict(_Tally))
    by_category: dict[tuple[str, str | None], _Tally] = defaultdict(_Tally)
    by_set: dict[str, _Tally] = defaultdict(_Tally)
    near_only = _Tally()
    errors: list[dict[str, str]] = []
    unhashable = _Tally()
    exif: dict[tuple[str, str], dict[str, Any]] = {}
    unknown_pdq: dict[str, dict[str, Any]] = {}  # pdq -> {"md5", "paths", "files"}
    unknown_media_md5: set[str] = set()
    conflicts: dict[str, dict[str, Any]] = {}  # key hash -> the categories each set gives it
    conflict_files = _Tally()
    transforms: dict[str, _Tally] = defaultdict(_Tally)
    segmented: dict[str, dict[str, Any]] = {}  # key hash -> the segments each set gives the video
    segmented_files = _Tally()

    for row, verdict in matched:
        media = row.get("media_type") or "other"
        totals["files"] += 1
        totals["bytes"] += int(row.get("size") or 0)
        totals[f"media_{media}"] += 1
        key = _key(row)
        if row.get("error"):
            totals["errors"] += 1
            if len(errors) < MAX_ERRORS_LISTED:
                errors.append({"path": str(row.get("path_display", "")), "error": str(row["error"])})
        group = media if media in ("image", "video") else "other"
        by_status[verdict.status][group].add(key)
        seen_categories: set[tuple[str, str | None]] = set()
        for set_name in sorted({hit.set_name for hit in verdict.hits}):  # a file once per set, however many hits
            by_set[set_name].add(key)
        for hit in verdict.hits:
            if hit.set_kind == "reference":
                seen_categories.add((hit.scheme or "none", hit.category))
        for sc in seen_categories:
            by_category[sc].add(key)  # a conflicting file counts under each of its categories: both are kept
        if _conflicting(seen_categories):
            conflict_files.add(key)
            _note_conflict(conflicts, key, row, verdict, category_label)
        _note_segments(segmented, segmented_files, key, row, verdict, category_label)
        pdq_transforms = {h.transform for h in verdict.hits if h.method == "pdq" and h.transform}
        if pdq_transforms and verdict.status != UNKNOWN and not verdict.exact:
            for name in sorted(pdq_transforms):
                transforms[name].add(key)
        if verdict.status != UNKNOWN and verdict.hits and all(h.method == "pdq" for h in verdict.hits):
            near_only.add(key)
        if media == "image":
            _note_image(row, verdict, key, unhashable=unhashable, unknown_pdq=unknown_pdq, exif=exif)
        if verdict.status == UNKNOWN and media in ("image", "video") and row.get("md5"):
            unknown_media_md5.add(row["md5"])

    hashes = list(unknown_pdq)
    clusters = []
    for c in cluster_pdq(hashes, threshold=pdq_threshold)[:MAX_CLUSTERS]:
        members = [hashes[i] for i in c.members]
        clusters.append({
            "size": len(members),
            "files": sum(unknown_pdq[h]["files"] for h in members),
            "max_distance": c.max_edge,
            "members": [{"pdq": h, "md5s": unknown_pdq[h]["md5s"], "paths": unknown_pdq[h]["paths"]}
                        for h in members[:MAX_MEMBERS_LISTED]],
        })

    status_rows = {
        status: {group: by_status[status][group].as_dict() for group in ("image", "video", "other")}
        for status in (KNOWN, KNOWN_NON_PERTINENT, UNKNOWN)
    }
    categories = [
        {"scheme": scheme, "category": code, "label": category_label(scheme, code), **tally.as_dict()}
        for (scheme, code), tally in sorted(by_category.items(), key=lambda kv: (kv[0][0], kv[0][1] or "~"))
    ]
    return {
        "version": SUMMARY_VERSION,
        "totals": {
            "files": totals["files"], "bytes": totals["bytes"], "images": totals["media_image"],
            "videos": totals["media_video"], "empty": totals["media_empty"], "other": totals["media_other"],
            "errors": totals["errors"], "unhashable_images": unhashable.instances,
            "unknown_images": status_rows[UNKNOWN]["image"]["files"],
            "unknown_videos": status_rows[UNKNOWN]["video"]["files"],
        },
        "by_status": status_rows,
        "by_category": categories,
        "by_set": [{"set": name, **t.as_dict()} for name, t in sorted(by_set.items())],
        "near_duplicate_only": near_only.as_dict(),
        "unhashable": unhashable.as_dict(),
        "errors": errors,
        "clusters": clusters,
        "cluster_count": len(clusters),
        "exif_groups": sorted(exif.values(), key=lambda g: (-g["images"], g["make"], g["model"])),
        "unknown_media_md5": sorted(unknown_media_md5),
        "category_conflicts": {**conflict_files.as_dict(), "listed": list(conflicts.values())},
        "pdq_transforms": [{"transform": name, **t.as_dict()} for name, t in sorted(transforms.items())],
        "segmented": {**segmented_files.as_dict(), "listed": list(segmented.values())},
    }


def _conflicting(seen: set[tuple[str, str | None]]) -> bool:
    """Two categories of one scheme for one file (uncategorised is not a disagreement; codes of different schemes
    are not comparable, so they are not called a conflict)."""
    by_scheme: dict[str, set[str]] = defaultdict(set)
    for scheme, code in seen:
        if code is not None:
            by_scheme[scheme].add(code)
    return any(len(codes) > 1 for codes in by_scheme.values())


def _note_conflict(conflicts: dict[str, dict[str, Any]], key: str, row: dict[str, Any], verdict: Verdict,
                   category_label: Callable[[str | None, str | None], str]) -> None:
    entry = conflicts.get(key)
    if entry is None:
        if len(conflicts) >= MAX_CONFLICTS_LISTED:
            return
        said = sorted({(h.set_name, h.scheme or "none", h.category) for h in verdict.hits
                       if h.set_kind == "reference" and h.category is not None})
        entry = conflicts[key] = {
            "hash": key, "files": 0, "paths": [],
            "categories": [{"set": s, "scheme": sc, "category": c, "label": category_label(sc, c)} for s, sc, c in said],
        }
    entry["files"] += 1
    if len(entry["paths"]) < MAX_PATHS_PER_HASH:
        entry["paths"].append(str(row.get("path_display", "")))


def _note_segments(segmented: dict[str, dict[str, Any]], tally: _Tally, key: str, row: dict[str, Any],
                   verdict: Verdict, category_label: Callable[[str | None, str | None], str]) -> None:
    """A video a hash set categorises by segment: the category it takes (its most severe segment's) and every
    segment's, in order, per set that says so."""
    if not any(h.segments for h in verdict.hits if h.set_kind == "reference"):
        return
    tally.add(key)
    entry = segmented.get(key)
    if entry is None:
        if len(segmented) >= MAX_SEGMENTED_LISTED:
            return
        said = sorted({(h.set_name, h.scheme or "none", h.category, h.segments) for h in verdict.hits
                       if h.set_kind == "reference" and h.segments}, key=lambda t: (t[0], t[1], t[2] or "", len(t[3])))
        entry = segmented[key] = {
            "hash": key, "files": 0, "paths": [],
            "sets": [{"set": name, "scheme": sc, "category": c, "label": category_label(sc, c),
                      "segments": [category_label(sc, g) for g in segs]} for name, sc, c, segs in said],
        }
    entry["files"] += 1
    if len(entry["paths"]) < MAX_PATHS_PER_HASH:
        entry["paths"].append(str(row.get("path_display", "")))


def suggestions(data: dict[str, Any], *, device_make: str, device_model: str) -> list[dict[str, str]]:
    """Suggested answers to assessment items, each with its reason. Never applied without an officer."""
    out: list[dict[str, str]] = []
    if device_model:
        make, model = device_make.strip().lower(), device_model.strip().lower()
        own = [g for g in data.get("exif_groups", [])
               if g["unknown"] and g["model"].lower() == model and (not make or g["make"].lower() == make)]
        if own:
            n = sum(g["unknown"] for g in own)
            out.append({
                "item": "producing_taking_iioc", "answer": "yes",
                "label": "Producing / taking IIOC",
                "reason": f"{n} unknown image(s) carry the seized device's camera model "
                          f"({device_make} {device_model}).".replace("( ", "("),
            })
    return out

"""Exact MD5 / SHA-1 matching against loaded sets, NSRL as known non-pertinent, verdict rules."""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

from winnow.core.hashsets import parse_hashset
from winnow.core.matching import (
    KNOWN,
    KNOWN_NON_PERTINENT,
    UNKNOWN,
    ExactIndex,
    FileHashes,
    LoadedHashSet,
    Matcher,
)


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def test_exact_index_matches_a_python_set():
    rng = np.random.default_rng(0)
    digests = [rng.bytes(16) for _ in range(5000)]
    digests += [b"\x07" * 12 + b"\0\0\0\0", b"\x07" * 12 + b"\0\0\0\1", b"\0" * 16]  # trailing NUL bytes
    digests += digests[:50]  # duplicates
    index = ExactIndex(np.frombuffer(b"".join(digests), dtype="S16"), np.arange(len(digests), dtype=np.int64))
    queries = digests[::7] + [rng.bytes(16) for _ in range(2000)] + [b"\x07" * 12 + b"\0\0\0\2"]
    qi, entries = index.lookup(np.frombuffer(b"".join(queries), dtype="S16"))
    got = sorted(zip(qi.tolist(), entries.tolist(), strict=True))
    want = sorted((i, j) for i, q in enumerate(queries) for j, d in enumerate(digests) if d == q)
    assert got == want
    assert index.nbytes == 16 * len(digests)


def _sets(tmp_path, content):
    """A Project VIC set (VICS 2.0), a UK CSV set with SHA-1s, and NSRL, all about `content`."""
    vics = tmp_path / "pvic.json"
    vics.write_text(
        json.dumps(
            {
                "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
                "value": [
                    {"MD5": md5(content["cam"]), "Category": "1", "Series": "S-1"},
                    {"MD5": md5(content["np"]), "Category": 0},
                    {"MD5": md5(content["twice"]), "Category": "2"},
                    {"MD5": md5(content["twice"]).upper(), "Category": "1"},  # same hash, second category
                    {"MD5": md5(content["uncat"]), "Category": None},
                    {"MD5": md5(content["both"]), "Category": 3},
                ],
            }
        )
    )
    uk = tmp_path / "uk.csv"
    uk.write_text(f"sha1,category\n{sha1(content['uk'])},B\n")
    nsrl = tmp_path / "NSRLFile.txt"
    nsrl.write_text(
        '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
        + "".join(
            f'"{sha1(content[k]).upper()}","{md5(content[k]).upper()}","0","x","1","1","W",""\n'
            for k in ("dll", "both")
        )
    )
    return [
        LoadedHashSet.from_parse(parse_hashset(vics), name="pvic"),
        LoadedHashSet.from_parse(parse_hashset(uk, scheme="uk-abc"), name="uk"),
        LoadedHashSet.from_parse(parse_hashset(nsrl), name="nsrl"),
    ]


def test_verdicts(tmp_path):
    content = {k: os.urandom(100) for k in ("cam", "np", "twice", "uncat", "both", "uk", "dll", "new")}
    sets = _sets(tmp_path, content)
    assert sets[0].scheme is not None and sets[0].scheme.name == "projectvic-us"
    files = {k: FileHashes(md5=md5(v), sha1=sha1(v)) for k, v in content.items()}
    verdicts = dict(zip(files, Matcher(sets).match(list(files.values())), strict=True))

    cam = verdicts["cam"]
    assert cam.status == KNOWN and cam.exact
    (hit,) = cam.hits
    assert (hit.set_name, hit.method, hit.category, hit.scheme, hit.series) == (
        "pvic",
        "md5",
        "1",
        "projectvic-us",
        "S-1",
    )

    assert verdicts["np"].status == KNOWN_NON_PERTINENT  # Project VIC category 0
    assert sorted(h.category for h in verdicts["twice"].hits) == ["1", "2"]  # both entries reported
    assert verdicts["uncat"].status == KNOWN and verdicts["uncat"].hits[0].category is None
    uk = verdicts["uk"]
    assert uk.status == KNOWN and uk.hits[0].method == "sha1" and uk.hits[0].category == "B"
    assert verdicts["dll"].status == KNOWN_NON_PERTINENT
    assert {(h.set_name, h.method) for h in verdicts["dll"].hits} == {("nsrl", "md5"), ("nsrl", "sha1")}
    # a reference hit wins over NSRL: NSRL is "known", not "known good"
    both = verdicts["both"]
    assert both.status == KNOWN and {h.set_name for h in both.hits} == {"pvic", "nsrl"}
    assert verdicts["new"].status == UNKNOWN and verdicts["new"].hits == []


def test_files_without_hashes_are_unknown(tmp_path):
    sets = _sets(tmp_path, {k: os.urandom(10) for k in ("cam", "np", "twice", "uncat", "both", "uk", "dll")})
    assert [v.status for v in Matcher(sets).match([FileHashes(), FileHashes(md5=None, sha1=None)])] == [
        UNKNOWN,
        UNKNOWN,
    ]
    assert Matcher(sets).match([]) == []


def test_a_sha256_only_list_matches_by_sha256(tmp_path):
    """sha256deep / sha256sum output: SHA-256 and nothing else; the scanner's SHA-256 finds the file."""
    content = {k: os.urandom(100) for k in ("listed", "other")}
    listed = tmp_path / "sha256deep.txt"
    listed.write_text(f"{hashlib.sha256(content['listed']).hexdigest()}  /cases/example/listed.bin\n")
    (only,) = [LoadedHashSet.from_parse(parse_hashset(listed), name="sha256 list")]
    assert len(only.sha256) == 1 and not len(only.md5) and not len(only.sha1)
    files = [FileHashes(md5=md5(v), sha1=sha1(v), sha256=hashlib.sha256(v).hexdigest()) for v in content.values()]
    listed_verdict, other = Matcher([only]).match(files)
    assert listed_verdict.status == KNOWN and listed_verdict.exact
    assert [(h.set_name, h.method, h.category) for h in listed_verdict.hits] == [("sha256 list", "sha256", None)]
    assert other.status == UNKNOWN
    # a result file from a scanner before SHA-256 (no sha256 recorded) cannot match such a list: unknown, not known
    (older,) = Matcher([only]).match([FileHashes(md5=md5(content["listed"]), sha1=sha1(content["listed"]))])
    assert older.status == UNKNOWN

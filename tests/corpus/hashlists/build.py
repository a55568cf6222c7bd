"""Builds the hash-list corpus: each file in the shape a public tool documents for its output, every hash the hash of
a small benign file made here (`benign_files`), nothing from a real hash list. Run `python build.py` to rewrite
the files; test_hashlist_corpus.py checks the committed files are exactly what this writes.

Shapes, from the tools' documentation:
- hashdeep(1): `%%%% HASHDEEP-1.0`, `%%%% size,md5,sha256,filename`, `## Invoked from:` / `## $ command` / `##`
  comment lines, then size,hashes,filename rows (filename last; it may hold commas). hashdeep64.exe writes CRLF.
- md5deep(1): `HASH  FILE`; `-z` puts the size first, right-aligned in ten characters; `-b` the bare file name;
  `-k` an asterisk in place of the second space. sha1deep and sha256deep are the same with SHA-1 and SHA-256.
- hashdeep -c sha256 alone: `%%%% size,sha256,filename` (hashdeep's FILEFORMAT: size first, filename last).
- GNU md5sum/sha1sum/sha256sum: `HASH  FILE` (text mode), `HASH *FILE` (binary mode, -b), a leading backslash when
  the name was escaped, `--tag` for the BSD form `MD5 (FILE) = HASH` / `SHA256 (FILE) = HASH`.
- X-Ways Forensics directory-browser export: UTF-16 with a BOM, tab-separated, columns Name, Path, Evidence object,
  Hash¹, Size, Created, Modified, Accessed (as public tools that read it, e.g. Clees4All's VICS validator, expect).
- Excel "Unicode text" (Save As): UTF-16 little-endian with a BOM, tab-separated, CRLF.
- VICS 2.0 JSON re-saved as UTF-16 with a BOM; VICS 2.0 videos with `Segments[].Category`.
- NSRL RDS v2 as NIST ships it: NSRLFile.txt.zip holding NSRLFile.txt, header "SHA-1","MD5","CRC32","FileName",
  "FileSize","ProductCode","OpSystemCode","SpecialCode", upper-case hex, quoted.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).parent
STAMP = (2026, 11, 20, 9, 0, 0)  # fixed zip timestamps: the corpus is byte-for-byte reproducible


def benign_files() -> dict[str, bytes]:
    """Five small benign text files: the corpus hashes are of these."""
    return {f"file{i}.txt": f"Winnow corpus benign file {i}\n".encode() * i for i in range(1, 6)}


def digests() -> list[dict[str, object]]:
    rows = []
    for name, content in benign_files().items():
        rows.append({
            "name": name, "size": len(content), "md5": hashlib.md5(content).hexdigest(),  # noqa: S324 - file identity
            "sha1": hashlib.sha1(content).hexdigest(),  # noqa: S324 - file identity, as the tools write it
            "sha256": hashlib.sha256(content).hexdigest(),
            "crc32": f"{zlib.crc32(content):08X}",
        })
    return rows


def build() -> dict[str, bytes]:
    rows = digests()
    out: dict[str, bytes] = {}
    base = "/cases/example/export"
    # hashdeep: one name with a comma, to prove the name is the rest of the row
    names = [f"{base}/{r['name']}" for r in rows]
    names[2] = f"{base}/holiday, beach/{rows[2]['name']}"
    lines = ["%%%% HASHDEEP-1.0", "%%%% size,md5,sha256,filename", "## Invoked from: /cases/example",
             "## $ hashdeep -c md5,sha256 -r export", "##"]
    lines += [f"{r['size']},{r['md5']},{r['sha256']},{n}" for r, n in zip(rows, names, strict=True)]
    out["hashdeep.txt"] = ("\n".join(lines) + "\n").encode()
    lines = ["%%%% HASHDEEP-1.0", "%%%% size,md5,sha1,filename", "## Invoked from: C:\\Cases\\Example",
             "## C:\\Cases\\Example> hashdeep64.exe -c md5,sha1 -r export", "##"]
    lines += [f"{r['size']},{r['md5']},{r['sha1']},C:\\Cases\\Example\\export\\{r['name']}" for r in rows]
    out["hashdeep-windows.txt"] = ("\r\n".join(lines) + "\r\n").encode()
    out["md5deep.txt"] = "".join(f"{r['md5']}  {base}/{r['name']}\n" for r in rows).encode()
    out["md5deep-z.txt"] = "".join(f"{r['size']:>10}  {r['md5']}  {base}/{r['name']}\n" for r in rows).encode()
    out["md5deep-b.txt"] = "".join(f"{r['md5']}  {r['name']}\n" for r in rows).encode()
    out["md5deep-k.txt"] = "".join(f"{r['md5']} *{base}/{r['name']}\n" for r in rows).encode()
    out["sha1deep.txt"] = "".join(f"{r['sha1']}  {base}/{r['name']}\n" for r in rows).encode()
    md5sum = [f"{r['md5']}  export/{r['name']}\n" for r in rows]
    md5sum[4] = f"\\{rows[4]['md5']}  export/new\\nline {rows[4]['name']}\n"  # md5sum escapes a newline in a name
    out["md5sum.txt"] = "".join(md5sum).encode()
    out["sha256deep.txt"] = "".join(f"{r['sha256']}  {base}/{r['name']}\n" for r in rows).encode()
    out["sha256deep-z.txt"] = "".join(f"{r['size']:>10}  {r['sha256']}  {base}/{r['name']}\n" for r in rows).encode()
    out["sha256sum.txt"] = "".join(f"{r['sha256']}  export/{r['name']}\n" for r in rows).encode()
    out["sha256sum-tag.txt"] = "".join(f"SHA256 (export/{r['name']}) = {r['sha256']}\n" for r in rows).encode()
    lines = ["%%%% HASHDEEP-1.0", "%%%% size,sha256,filename", "## Invoked from: /cases/example",
             "## $ hashdeep -c sha256 -r export", "##"]
    lines += [f"{r['size']},{r['sha256']},{base}/{r['name']}" for r in rows]
    out["hashdeep-sha256.txt"] = ("\n".join(lines) + "\n").encode()
    out["sha1sum-binary.txt"] = "".join(f"{r['sha1']} *export/{r['name']}\n" for r in rows).encode()
    out["md5sum-tag.txt"] = "".join(f"MD5 (export/{r['name']}) = {r['md5']}\n" for r in rows).encode()
    header = ["Name", "Path", "Evidence object", "Hash¹", "Size", "Created", "Modified", "Accessed"]
    xrows = ["\t".join(header)]
    for r in rows:
        xrows.append("\t".join([r["name"], "\\Partition 1\\Users\\Example\\", "EXAMPLE-01, P1", r["md5"].upper(),
                                str(r["size"]), "2026-11-01  10:00:00", "2026-11-01  10:00:00", "2026-11-02"]))
    out["xways-export.txt"] = ("\r\n".join(xrows) + "\r\n").encode("utf-16")  # Python writes the BOM
    erows = ["MD5\tSHA1\tCategory\tSeries"]
    for i, r in enumerate(rows):
        erows.append(f"{r['md5']}\t{r['sha1']}\t{[1, 2, 3, 1, 2][i]}\tCorpus")
    out["excel-unicode.txt"] = b"\xff\xfe" + ("\r\n".join(erows) + "\r\n").encode("utf-16-le")
    vics = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
        "value": [{"MediaID": i + 1, "MD5": r["md5"].upper(), "SHA1": r["sha1"], "Category": [1, 2, None, 3, 1][i],
                   "MediaSize": r["size"]} for i, r in enumerate(rows)],
    }
    out["vics-utf16.json"] = json.dumps(vics, indent=2).encode("utf-16")
    # VICS 2.0 videos categorised by segment: the first has no Media category, the second a lesser one
    segmented = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
        "value": [
            {"MediaID": 1, "MD5": rows[0]["md5"], "Category": None, "MimeType": "video/mp4",
             "Segments": [{"Category": 2}, {"Category": 1}, {"Category": None}]},
            {"MediaID": 2, "MD5": rows[1]["md5"], "Category": 3, "MimeType": "video/mp4",
             "Segments": [{"Category": "2"}, {"Category": 3}]},
            {"MediaID": 3, "MD5": rows[2]["md5"], "Category": 1},
        ],
    }
    out["vics-segments.json"] = json.dumps(segmented, indent=2).encode()
    nsrl = ['"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"']
    nsrl += [f'"{r["sha1"].upper()}","{r["md5"].upper()}","{r["crc32"]}","{r["name"]}",{r["size"]},1234,"358",""'
             for r in rows]
    out["NSRLFile.txt.zip"] = _zip({"NSRLFile.txt": ("\r\n".join(nsrl) + "\r\n").encode()})
    out["os-files.txt"] = "".join(f"{r['md5']}\n" for r in rows).encode()
    # not hash lists: each must be refused with a message that says what it is
    out["refused/archive.zip"] = _zip({"readme.txt": b"not a hash list\n"})
    out["refused/utf16-no-bom.csv"] = ("MD5\n" + "".join(f"{r['md5']}\n" for r in rows)).encode("utf-16-le")
    out["refused/compressed.csv.gz"] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 10
    # SHA-512: Winnow computes no SHA-512, so such a list could never match
    sha512 = [hashlib.sha512(c).hexdigest() for c in benign_files().values()]
    out["refused/sha512sum.txt"] = "".join(f"{h}  export/{r['name']}\n" for h, r in zip(sha512, rows, strict=True)).encode()
    return out


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


if __name__ == "__main__":
    for name, content in build().items():
        path = HERE / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {name} ({len(content)} bytes)")

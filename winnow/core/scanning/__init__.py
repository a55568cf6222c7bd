"""The evidence scanner: walk a folder, hash every file once (MD5 + SHA-1 + SHA-256), PDQ its images, record all of it
(with every problem) in one SQLite result file. Django-free: it runs on a forensic workstation.

    from winnow.core.scanning import scan
    summary = scan("/mnt/exhibit", "exhibit.scan.sqlite", now=lambda: datetime.now(UTC))

`winnow scan PATH --out RESULT` (cli.main) is the command-line entry point.
"""

from .result import ResultFileError, read_meta, read_rows
from .scanner import ScanSummary, scan

__all__ = ["ResultFileError", "ScanSummary", "read_meta", "read_rows", "scan"]

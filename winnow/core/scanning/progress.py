"""A rich progress bar for the scanner: files done / total, files per second, MB/s and ETA.

Totals come from a background thread that walks the tree once (metadata only) while hashing has already
started; until it finishes the bar shows running totals and no ETA.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from . import walker


class _FilesColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        done = task.fields.get("files", 0)
        total = task.fields.get("files_total")
        counting = "" if task.fields.get("counted") else "+"
        return Text(f"{done:,}/{total:,}{counting} files" if total is not None else f"{done:,} files")


class _FilesRateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.fields.get("files", 0) / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:,.0f} files/s", style="progress.data.speed")


class ScanProgress:
    """Context manager; `advance(files, nbytes)` from the coordinating thread. Disabled: a no-op."""

    def __init__(self, root: bytes, *, enabled: bool, console: Console | None = None) -> None:
        self.enabled = enabled
        self._root = root
        self._stop = threading.Event()
        self._files = 0
        self._progress: Progress | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("[bold]scan"),
                BarColumn(),
                _FilesColumn(),
                _FilesRateColumn(),
                TransferSpeedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TimeElapsedColumn(),
                console=console or Console(stderr=True),
                refresh_per_second=4,
                transient=False,
            )
            self._task = self._progress.add_task("scan", total=None, files=0, files_total=None, counted=False)

    def __enter__(self) -> ScanProgress:
        if self._progress is not None:
            self._progress.start()
            self._counter = threading.Thread(target=self._count, name="winnow-count", daemon=True)
            self._counter.start()
        return self

    def _count(self) -> None:
        assert self._progress is not None
        files = size = 0
        for files, size in walker.count(self._root):
            if self._stop.is_set():
                return
            self._progress.update(self._task, total=size, files_total=files)
        self._progress.update(self._task, total=size, files_total=files, counted=True)

    def advance(self, files: int, nbytes: int) -> None:
        if self._progress is not None:
            self._files += files
            self._progress.update(self._task, advance=nbytes, files=self._files)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._progress is not None:
            self._progress.stop()

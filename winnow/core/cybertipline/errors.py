"""The errors a CyberTipline package can raise, and the `Limits` that bound what one package may make Winnow do."""

from __future__ import annotations

from dataclasses import dataclass


class CyberTiplineError(ValueError):
    """A package or document Winnow will not import: which document, which element, and why."""

    def __init__(self, document: str, element_path: str, reason: str) -> None:
        self.document = document
        self.element_path = element_path
        self.reason = reason
        where = f"{document}: {element_path}" if element_path else document
        super().__init__(f"{where}: {reason}")


class PackageLimitError(CyberTiplineError):
    """Refused by a size, depth, count or archive limit (possibly an attack, possibly just too big)."""


class HostileXmlError(CyberTiplineError):
    """The document uses a DTD, entity declarations or external references, which CyberTipline XML never needs."""


MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one package may make Winnow do. Defaults are generous for real reports (the largest seen
    carry thousands of IP capture events and a few MB of chat text) and small enough to keep a worker alive."""

    max_document_bytes: int = 50 * MiB
    max_depth: int = 64  # the schema nests about 6 deep
    max_elements: int = 200_000  # per document
    max_documents: int = 10_001  # one report and up to 10,000 fileDetails
    max_zip_bytes: int = 256 * MiB  # the archive file itself
    max_zip_members: int = 10_001
    max_total_uncompressed_bytes: int = 256 * MiB
    max_compression_ratio: float = 100.0  # XML compresses ~5-20x; a bomb 1000x or more
    compression_ratio_applies_above: int = 1 * MiB  # small members may compress well and are harmless


DEFAULT_LIMITS = Limits()

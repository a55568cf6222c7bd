"""Hardened tree building: defusedxml's parser fed in chunks into a counting tree builder that stops at the first
element past the depth or element-count limit, so a hostile document never becomes a large tree."""

from __future__ import annotations

from defusedxml import (  # type: ignore[import-untyped,unused-ignore]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import (  # type: ignore[import-untyped,unused-ignore]
    DefusedXMLParser,
    ParseError,
)

from winnow.core.cybertipline.errors import CyberTiplineError, HostileXmlError, Limits, PackageLimitError


class _Node:
    __slots__ = ("tag", "path", "attrs", "children", "parts", "counts")

    def __init__(self, tag: str, path: str, attrs: dict[str, str] | None) -> None:
        self.tag = tag
        self.path = path
        self.attrs = attrs
        self.children: list[_Node] = []
        self.parts: list[str] = []
        self.counts: dict[str, int] | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Refused(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class _TreeBuilder:
    """Target for the defused expat parser: builds a light tree and stops at the first limit crossed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stack: list[_Node] = []
        self.root: _Node | None = None
        self.elements = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = _local(tag)
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            path = "/" + local
        else:
            if parent.counts is None:
                parent.counts = {}
            n = parent.counts[local] = parent.counts.get(local, 0) + 1
            path = f"{parent.path}/{local}" + (f"[{n}]" if n > 1 else "")
        if len(self.stack) >= self.limits.max_depth:
            raise _Refused(path, f"elements nested more than {self.limits.max_depth} deep")
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise _Refused(path, f"more than {self.limits.max_elements:,} elements")
        attrs = {_local(k): v for k, v in attrib.items() if not k.startswith("{")} or None
        node = _Node(local, path, attrs)
        if parent is None:
            self.root = node
        else:
            parent.children.append(node)
        self.stack.append(node)

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        if len(node.parts) > 1:  # one string instead of many pieces: halves the peak for long texts
            node.parts = ["".join(node.parts)]

    def data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(data)

    def close(self) -> _Node | None:
        return self.root


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


_FEED = 256 * 1024


def _build_tree(name: str, content: bytes, limits: Limits) -> _Node:
    builder = _TreeBuilder(limits)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        for offset in range(0, len(content), _FEED):
            parser.feed(content[offset : offset + _FEED])
        parser.close()
    except _Refused as exc:
        raise PackageLimitError(name, exc.path, exc.reason) from None
    except DTDForbidden:
        raise HostileXmlError(
            name, "", "a DTD (<!DOCTYPE>) is not allowed: CyberTipline XML never needs one"
        ) from None
    except EntitiesForbidden as exc:
        raise HostileXmlError(name, "", f"entity declaration {exc.name!r} is not allowed") from None
    except ExternalReferenceForbidden as exc:
        raise HostileXmlError(name, "", f"external reference {exc.sysid!r} is not allowed") from None
    except DefusedXmlException as exc:
        raise HostileXmlError(name, "", f"forbidden XML construct ({exc})") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise CyberTiplineError(
            name, f"line {line}, column {column}", f"not well-formed XML ({exc})"
        ) from None
    except (ValueError, LookupError, RecursionError) as exc:  # e.g. an unknown declared encoding
        raise CyberTiplineError(name, "", f"not readable XML ({exc})") from None
    if builder.root is None:
        raise CyberTiplineError(name, "", "not well-formed XML (no root element)")
    return builder.root

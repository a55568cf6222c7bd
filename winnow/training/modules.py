"""Knowledge modules: the Markdown files in WINNOW_KNOWLEDGE_DIR (default `knowledge/`), loaded once; rendered
with markdown-it (CommonMark, raw HTML off, so a module file cannot inject markup into the page)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from winnow.core.training.modules import Module, load_modules

_catalogue: dict[str, Module] | None = None
_renderer = MarkdownIt("commonmark", {"html": False})


def knowledge_dir() -> Path:
    return Path(getattr(settings, "WINNOW_KNOWLEDGE_DIR", Path(settings.BASE_DIR) / "knowledge"))


def load(directory: str | Path | None = None) -> dict[str, Module]:
    global _catalogue
    _catalogue = load_modules(Path(directory) if directory is not None else knowledge_dir())
    return _catalogue


def catalogue() -> dict[str, Module]:
    return _catalogue if _catalogue is not None else load()


def render(module: Module) -> SafeString:
    # markdown-it escapes every raw HTML block and inline tag when html is off: the output is safe to mark so.
    return mark_safe(_renderer.render(module.body))  # noqa: S308

"""Knowledge-module files: Markdown with a YAML header of questions and sources; bad files named with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from winnow.core.training.modules import ModuleError, load_modules, parse_module

ROOT = Path(__file__).resolve().parents[3]
GOOD = (ROOT / "knowledge" / "female-sexual-offending.md").read_text()


def test_the_three_shipped_modules_load_cite_sources_and_say_they_are_placeholders() -> None:
    modules = load_modules(ROOT / "knowledge")
    assert set(modules) == {"iioc-scale-and-nature", "female-sexual-offending", "disclosure-barriers"}
    for module in modules.values():
        assert module.sources and module.questions and "replaced by your force's training lead" in module.owner


def test_marking_counts_the_right_answers() -> None:
    module = parse_module(GOOD)
    assert module.mark({"proportion": "a", "instrument": "b"}) == 2
    assert module.mark({"proportion": "b"}) == 0


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("answer: a", "answer: d", "the answer 'd' is not one of a, b, c"),
    ("id: female-sexual-offending", "id: Female Offending", "lower-case"),
    ("sources:", "sauces:", "'sources' lists the public sources"),
])
def test_a_bad_module_is_refused_with_its_line(old: str, new: str, reason: str) -> None:
    text = GOOD.replace(old, new, 1)
    with pytest.raises(ModuleError) as caught:
        parse_module(text, path="bad.md")
    assert reason in caught.value.reason
    if old != "sources:":
        assert caught.value.line == next(n for n, line in enumerate(text.splitlines(), 1) if new in line)


@pytest.mark.parametrize("text", ["no header", "---\nid: x\n", "---\n- a\n---\nbody\n", "---\nid: [\n---\nbody\n"])
def test_broken_files_are_refused_not_a_traceback(text: str) -> None:
    with pytest.raises(ModuleError):
        parse_module(text)

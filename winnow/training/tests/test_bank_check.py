"""Start-up refuses a broken vignette or module file, naming the file and line, as it does for instruments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import override_settings

from winnow.training import bank, checks, modules

ROOT = Path(__file__).resolve().parents[3]


def test_the_shipped_bank_and_modules_pass_the_check() -> None:
    assert checks.vignette_bank() == []
    assert len(modules.catalogue()) == 3


def test_a_broken_vignette_stops_start_up_with_its_file_and_line(tmp_path: Path) -> None:
    good = (ROOT / "vignettes" / "cport" / "cport-02-young-admits-interest.yaml").read_text()
    (tmp_path / "bad.yaml").write_text(good.replace("score: 2", "score: 5"))
    try:
        with override_settings(WINNOW_VIGNETTES_DIR=tmp_path):
            errors = checks.vignette_bank()
        line = next(n for n, text in enumerate(good.splitlines(), 1) if text.startswith("score:"))
        assert len(errors) == 1 and f"bad.yaml:{line}: the reference answers score 2, not 5" in errors[0].msg
    finally:
        bank.load()


def test_a_broken_module_stops_start_up(tmp_path: Path, settings: Any) -> None:
    text = (ROOT / "knowledge" / "disclosure-barriers.md").read_text().replace("answer: b", "answer: z", 1)
    (tmp_path / "bad.md").write_text(text)
    try:
        with override_settings(WINNOW_KNOWLEDGE_DIR=tmp_path):
            errors = checks.vignette_bank()
        assert len(errors) == 1 and "the answer 'z' is not one of a, b, c" in errors[0].msg
        assert "bad.md:" in errors[0].msg
    finally:
        modules.load()


def test_a_module_cannot_inject_markup_into_the_page() -> None:
    from winnow.core.training.modules import parse_module

    text = (ROOT / "knowledge" / "disclosure-barriers.md").read_text() + "\n<script>alert(1)</script>\n"
    html = modules.render(parse_module(text))
    assert "<script>" not in html and "&lt;script&gt;" in html

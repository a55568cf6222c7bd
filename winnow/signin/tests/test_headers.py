"""Headers: a CSP with no inline script or style, no-store on everything with personal data, HSTS and the HTTPS
redirect in production; and no template that the CSP would break."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def test_it_sends_a_csp_without_inline_script_or_style(handler: Any) -> None:
    client = Client()
    client.force_login(handler)
    for path in ("/referrals/", "/login/", "/account/"):
        csp = client.get(path)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_it_marks_pages_and_api_answers_no_store(handler: Any, token_for: Any) -> None:
    client = Client()
    client.force_login(handler)
    for response in (client.get("/referrals/"), client.get("/account/"), Client().get("/login/"),
                     Client().get("/api/v1/referrals", HTTP_AUTHORIZATION=f"Bearer {token_for(handler)}")):
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]


def test_no_template_has_inline_script_style_or_handlers() -> None:
    bad = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)
    found = []
    for template in (ROOT / "winnow").rglob("templates/**/*.html"):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            if bad.search(line):
                found.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


def _production_settings(**extra: str) -> dict[str, str]:
    env = {**os.environ, "WINNOW_ENV": "production", "SECRET_KEY": "x" * 60,
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/winnow_never_used", "DJANGO_SETTINGS_MODULE": "winnow.settings"}
    env.update(extra)
    return env


def test_production_turns_on_hsts_and_the_https_redirect() -> None:
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.WINNOW_MFA_REQUIRED)")
    out = subprocess.run([sys.executable, "-c", code], env=_production_settings(), capture_output=True, text=True,  # noqa: S603
                         check=True, cwd=ROOT).stdout.split()
    assert out == ["True", "31536000", "True", "True"]


def test_production_redirects_to_https_but_answers_healthz(settings: Any, db: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = Client().get("/referrals/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Client().get("/healthz").status_code == 200
    secure = Client().get("/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")

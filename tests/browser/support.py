"""Helpers shared by the browser tests (a module of its own: importing from a conftest is fragile)."""

from __future__ import annotations

from typing import Any


def login(page: Any, username: str, password: str = "correct-horse-battery-staple") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

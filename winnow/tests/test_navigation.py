"""The header is built from the permission table: every role lands on a page it may use, and every link in its
header answers (never 403, 404 or 500)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from winnow.navigation import LANDING, NAV, landing_for, nav_for
from winnow.permissions import ROLE_CAPABILITIES, Capability, Role

from .conftest import PASSWORD, Seeded


class _HeaderLinks(HTMLParser):
    """The hrefs inside <nav class="winnow-header__nav">."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav" and "winnow-header__nav" in (values.get("class") or ""):
            self.depth = 1
        elif tag == "nav" and self.depth:
            self.depth += 1
        elif tag == "a" and self.depth and values.get("href"):
            self.links.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1


def header_links(html: str) -> list[str]:
    parser = _HeaderLinks()
    parser.feed(html)
    return parser.links


# (username, [(unit, role), ...]) - one persona per role, and a regional user across several units.
PERSONAS: dict[str, list[tuple[str, Role]]] = {
    "handler": [("north", Role.HANDLER)],
    "investigator": [("north", Role.INVESTIGATOR)],
    "supervisor": [("north", Role.SUPERVISOR)],
    "forensic": [("north", Role.FORENSIC)],
    "offender_manager": [("north", Role.OFFENDER_MANAGER)],
    "analyst": [("north", Role.ANALYST)],
    "administrator": [("north", Role.ADMINISTRATOR)],
    "regional": [("north", Role.SUPERVISOR), ("east", Role.SUPERVISOR), ("east", Role.ANALYST)],
}
LANDS_ON = {name: "/today/" for name in PERSONAS}  # "Today" shows one panel per role held (winnow.daybook)


def _sign_in(name: str, units: dict[str, Any]) -> Client:
    from winnow.accounts.models import Membership, User

    user = User.objects.create_user(username=f"nav.{name}", password=PASSWORD)
    for unit, role in PERSONAS[name]:
        Membership.objects.create(user=user, unit=units[unit], role=role)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("name", list(PERSONAS))
def test_it_shows_each_role_only_header_links_that_answer(name: str, seeded: Seeded, units: dict[str, Any]) -> None:
    client = _sign_in(name, units)
    landing = client.get("/", follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain and landing.redirect_chain[-1][0] == LANDS_ON[name]
    links = header_links(landing.content.decode())
    assert links, "the landing page has no header links"
    assert LANDS_ON[name] in links, "the landing page is not one of the role's own header entries"
    for href in links:
        response = client.get(href)
        assert response.status_code == 200, f"{name}: header link {href} answered {response.status_code}"


def test_it_signs_people_in_to_their_landing_page(units: dict[str, Any]) -> None:
    from winnow.accounts.models import Membership, User

    user = User.objects.create_user(username="olly.nav", password=PASSWORD)
    Membership.objects.create(user=user, unit=units["north"], role=Role.OFFENDER_MANAGER)
    response = Client().post("/login/", {"username": "olly.nav", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/today/"


def test_it_hides_what_a_role_cannot_use(units: dict[str, Any]) -> None:
    client = _sign_in("analyst", units)
    links = header_links(client.get("/queue/dashboard/").content.decode())
    assert "/audit/" not in links and "/referrals/cybertipline/" not in links and "/offenders/" not in links
    for href in ("/audit/", "/referrals/cybertipline/", "/offenders/"):
        assert client.get(href).status_code == 403  # hidden because it would answer 403


def test_it_gives_every_header_entry_and_landing_a_capability_some_role_holds() -> None:
    granted = set().union(*ROLE_CAPABILITIES.values())
    assert {entry.capability for entry in NAV} <= granted
    assert {capability for capability, _ in LANDING} <= granted
    assert set(Capability) == granted, "a capability no role holds is dead code in the table"


def test_it_lands_a_superuser_without_units_on_a_page_they_may_use(db: Any) -> None:
    from winnow.accounts.models import User

    root = User.objects.create_superuser(username="root.nav", password=PASSWORD)
    assert [e.url_name for e in nav_for(root)] == ["triage:hash-sets", "worker:tasks"]
    assert landing_for(root) == "triage:hash-sets"

"""OpenID Connect sign-in against a provider that speaks real HTTP on loopback: an authorization-code flow with an
RS256 ID token from a JWKS, as Entra ID issues them (values fictional). The person is matched by e-mail to an
account an administrator made; the token's signature, nonce, audience and issuer are all checked; the sign-in and
a refusal are audited; Winnow's second factor still applies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, override_settings
from jwt.algorithms import RSAAlgorithm

from winnow.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
CLIENT_ID = "00000000-0000-0000-0000-00000000c1d0"
ISSUER = "https://login.example.com/00000000-0000-0000-0000-0000000000aa/v2.0"


class Provider:
    """What the provider will put in the next ID token, and what it saw."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict[str, Any] = {}
        self.email = "hannah.handler@example.org"
        self.token_requests: list[dict[str, list[str]]] = []
        self.signing_key = self.key

    def id_token(self) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "fictional-subject-1", "iat": now, "exp": now + 300,
                **self.claims}
        return jwt.encode(body, self.signing_key, algorithm="RS256", headers={"kid": "k1"})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def _json(self, doc: Any) -> None:
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            state.token_requests.append(form)
            self._json({"access_token": "fictional-access-token", "token_type": "Bearer", "expires_in": 300,
                        "id_token": state.id_token()})

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/jwks":
                self._json(state.jwks())
            else:
                assert self.headers["Authorization"] == "Bearer fictional-access-token"
                self._json({"sub": "fictional-subject-1", "email": state.email})

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    oidc = {
        "ROOT_URLCONF": "winnow.signin.tests.oidc_urls", "WINNOW_OIDC_ENABLED": True,
        "OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": "fictional-secret", "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/authorize", "OIDC_OP_TOKEN_ENDPOINT": f"{base}/token",
        "OIDC_OP_USER_ENDPOINT": f"{base}/userinfo", "OIDC_OP_JWKS_ENDPOINT": f"{base}/jwks",
        "WINNOW_OIDC_ISSUER": ISSUER, "OIDC_CREATE_USER": False, "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_CALLBACK_CLASS": "winnow.signin.oidc.AuditedCallbackView", "LOGIN_REDIRECT_URL_FAILURE": "/login/",
        "OIDC_TIMEOUT": 10,
        "AUTHENTICATION_BACKENDS": ["axes.backends.AxesStandaloneBackend",
                                    "django.contrib.auth.backends.ModelBackend",
                                    "winnow.signin.oidc.WinnowOIDCBackend"],
    }
    with override_settings(**oidc):
        yield state, base
    server.shutdown()


def _sign_in_at_provider(client: Client, provider: Provider) -> Any:
    """Follow Winnow to the provider, 'sign in' there (the provider returns a code), and come back with it."""
    page = client.get("/login/")
    assert "Sign in with your organisation's account" in page.content.decode()
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
    provider.claims.setdefault("nonce", query["nonce"][0])
    return client.get("/oidc/callback/", {"code": "fictional-code", "state": query["state"][0]})


def test_a_person_signs_in_with_their_organisations_account(provider: tuple[Provider, str], handler: Any) -> None:
    state, _ = provider
    handler.email = "Hannah.Handler@example.org"  # matched without regard to case
    handler.save()
    client = Client()
    back = _sign_in_at_provider(client, state)
    assert back.status_code == 302 and "/login" not in back["Location"]
    assert client.get("/queue/").status_code == 200
    assert state.token_requests[0]["grant_type"] == ["authorization_code"]
    assert state.token_requests[0]["code"] == ["fictional-code"]
    event = AuditEvent.objects.get(action="signin.login")
    assert event.actor_username == "hannah.handler" and event.detail["via"] == "oidc"


@pytest.mark.parametrize("claims, why", [
    ({"aud": "another-application"}, "audience"),
    ({"iss": "https://login.example.net/other-tenant/v2.0"}, "issuer"),
    ({"nonce": "a-nonce-from-another-sign-in"}, "nonce"),
    ({"exp": int(time.time()) - 60}, "expired"),
])
def test_a_token_meant_for_someone_else_is_refused(provider: tuple[Provider, str], handler: Any,
                                                   claims: dict[str, Any], why: str) -> None:
    state, _ = provider
    handler.email = "hannah.handler@example.org"
    handler.save()
    state.claims.update(claims)
    client = Client(raise_request_exception=False)
    back = client.get("/oidc/callback/", {"code": "x", "state": "y"})  # no sign-in started: refused outright
    assert back.status_code in (302, 400) and client.get("/queue/").status_code == 302
    back = _sign_in_at_provider(client, state)
    assert back.status_code == 302 and back["Location"] == "/login/", why
    assert "did not work" in client.get("/login/").content.decode()
    assert client.get("/queue/").status_code == 302, why  # still signed out
    assert not AuditEvent.objects.filter(action="signin.login").exists()
    assert AuditEvent.objects.filter(action="signin.failed").exists()


def test_a_token_signed_by_another_key_is_refused(provider: tuple[Provider, str], handler: Any) -> None:
    state, _ = provider
    handler.email = "hannah.handler@example.org"
    handler.save()
    state.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client(raise_request_exception=False)
    back = _sign_in_at_provider(client, state)
    assert back.status_code == 302 and client.get("/queue/").status_code == 302


def test_a_provider_that_does_not_answer_is_a_failed_sign_in(provider: tuple[Provider, str], handler: Any,
                                                               settings: Any) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # discard port: connection refused
    client = Client(raise_request_exception=False)
    back = _sign_in_at_provider(client, provider[0])
    assert back.status_code == 302 and back["Location"] == "/login/"


def test_no_account_is_made_for_an_unknown_email_and_the_failure_is_audited(
        provider: tuple[Provider, str], handler: Any) -> None:
    state, _ = provider
    state.email = "someone.else@example.org"
    client = Client()
    back = _sign_in_at_provider(client, state)
    assert back.status_code == 302 and client.get("/queue/").status_code == 302
    from winnow.accounts.models import User

    assert not User.objects.filter(email__iexact="someone.else@example.org").exists()
    assert AuditEvent.objects.filter(action="signin.failed").exists()


@override_settings(WINNOW_MFA_REQUIRED=True)
def test_the_second_factor_still_applies(provider: tuple[Provider, str], handler: Any) -> None:
    state, _ = provider
    handler.email = "hannah.handler@example.org"
    handler.save()
    client = Client()
    _sign_in_at_provider(client, state)
    queue = client.get("/queue/")
    assert queue.status_code == 302 and "/account/two-step/" in queue["Location"]

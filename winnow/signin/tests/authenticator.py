"""An authenticator app, as a phone runs one: RFC 6238 TOTP from the base32 key the set-up page shows. Written from
the RFC with hmac, not with django-otp, so the tests check Winnow against the standard rather than against itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time


def code(secret_base32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(re.sub(r"\s", "", secret_base32).upper())
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def secret_from_page(html: str) -> str:
    match = re.search(r'id="totp-key">([A-Z2-7 ]+)</code>', html)
    assert match, "the set-up page shows no key"
    return match.group(1)


def test_it_matches_rfc_6238_test_vectors() -> None:
    # RFC 6238 appendix B, SHA-1, key "12345678901234567890", 8 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert code(secret, at=59, digits=8) == "94287082"
    assert code(secret, at=1111111109, digits=8) == "07081804"
    assert code(secret, at=20000000000, digits=8) == "65353130"

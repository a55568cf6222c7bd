"""Properties that must hold for any input: normalising twice changes nothing, and the only error is IdentifierError."""

import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from winnow.core.identifiers import IdentifierError, IdentifierKind, normalise, normalise_device

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text biased towards the characters identifiers are made of, with arbitrary Unicode mixed in.
ID_CHARS = string.ascii_letters + string.digits + "@.+-_:/ []()#%\t"
texts = st.one_of(st.text(), st.text(alphabet=ID_CHARS), st.text(alphabet=ID_CHARS + "ﬃＡßİΣς\u0301é"))
emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.text(alphabet=ID_CHARS + "ßİé\u0301", min_size=1, max_size=20),
    st.sampled_from(
        ["gmail.com", "googlemail.com", "outlook.com", "proton.me", "example.com", "bücher.example"]
    ),
)
phones = st.text(alphabet=string.digits + "+ ()-", min_size=1, max_size=20)
ips = st.one_of(st.ip_addresses().map(str), st.ip_addresses(v=6).map(lambda a: f"[{a}]"), texts)
platforms = st.sampled_from(["Examplegram", "Facebook", "Reddit", "X", "TikTok", "Discord", "ß", "Ｘ"])
cases = st.one_of(
    st.tuples(st.just(IdentifierKind.EMAIL), st.one_of(emails, texts), st.just("")),
    st.tuples(st.just(IdentifierKind.PHONE), st.one_of(phones, texts), st.just("")),
    st.tuples(st.just(IdentifierKind.USERNAME), texts, platforms),
    st.tuples(st.just(IdentifierKind.IP), ips, st.just("")),
    st.tuples(st.just(IdentifierKind.DEVICE), texts, st.just("")),
)


@SETTINGS
@given(cases)
@example((IdentifierKind.USERNAME, "u/u/Name", "Reddit"))
@example((IdentifierKind.USERNAME, "x:x:@Name", "X"))
@example((IdentifierKind.EMAIL, "e.\u0301@gmail.com", ""))
def test_it_is_idempotent_and_raises_only_identifier_errors(case):
    kind, value, platform = case
    try:
        once = normalise(kind, value, platform=platform)
    except IdentifierError:
        return
    assert normalise(kind, once, platform=platform) == once


@SETTINGS
@given(
    st.text(alphabet=string.digits + " -", max_size=20),
    st.sampled_from(["IMEI", "IMEISV", "ICCID", "MEID", ""]),
)
def test_it_is_idempotent_for_typed_device_ids(value, id_type):
    try:
        once = normalise_device(value, id_type=id_type)
    except IdentifierError:
        return
    assert normalise_device(once, id_type=id_type) == once


@SETTINGS
@given(st.text(alphabet=string.digits, min_size=14, max_size=14))
def test_it_accepts_every_completed_imei(body):
    full = normalise_device(body, id_type="IMEI")
    assert full.startswith(body) and normalise_device(full, id_type="IMEI") == full
    wrong = body + str((int(full[-1]) + 1) % 10)
    try:
        normalise_device(wrong, id_type="IMEI")
    except IdentifierError:
        pass
    else:
        raise AssertionError(f"{wrong} has a wrong check digit and was accepted")

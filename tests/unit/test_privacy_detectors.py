"""The privacy detectors, their validations and the write path's screen, without I/O: what each kind
finds, the look-alikes each check refuses, the labelled set's size and scores, and each policy."""

from __future__ import annotations

import pytest

from mnemo.benchmarks.privacy.labelled import build
from mnemo.benchmarks.privacy.measure import score
from mnemo.ingest.prefilter import SensitiveDataRejected, screen
from mnemo.memtypes.agents.bindings import BindingsConfig
from mnemo.memtypes.agents.resolution import Bindings
from mnemo.memtypes.privacy.detectors import detect, iban_ok, luhn_ok
from mnemo.memtypes.privacy.policy import PrivacyPolicy, mask_text
from mnemo.memtypes.records import MemoryIn
from tests.unit.verdicts import answer_test


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind.value, text[f.start : f.end]) for f in detect(text)]


test_each_kind_is_found_where_it_is = answer_test(
    found,
    [
        ("write to ana.silva@example.pt today", [("email", "ana.silva@example.pt")]),
        (
            "call +44 20 7946 0958 or (415) 555-0132",
            [("phone", "+44 20 7946 0958"), ("phone", "(415) 555-0132")],
        ),
        ("card 4111-1111-1111-1111 on file", [("card", "4111-1111-1111-1111")]),
        ("to DE89 3704 0044 0532 0130 00 monthly", [("iban", "DE89 3704 0044 0532 0130 00")]),
        ("SSN 123-45-6789, DNI 12345678Z", [("national_id", "123-45-6789"), ("national_id", "12345678Z")]),
        (
            "token ghp_0123456789abcdefghijABCDEFGHIJ012345",
            [("api_key", "ghp_0123456789abcdefghijABCDEFGHIJ012345")],
        ),
        ("secret Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5 set", [("secret", "Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5")]),
        ("router password: hunter2!", [("password", "hunter2!")]),
    ],
)


@pytest.mark.parametrize(
    "text",
    [
        "order 4111 1111 1111 1112 was declined",  # fails Luhn
        "GB82 WEST 1234 5698 7654 33 from the docs",  # wrong check digits
        "placeholder 000-12-3456 and 666-12-3456",  # numbers the SSA never issues
        "DNI 12345678A",  # the wrong check letter
        "commit 3f2a9c1b7e4d5a6b8c9d0e1f2a3b4c5d6e7f8a9b and id 550e8400-e29b-41d4-a716-446655440000",
        "meeting on 2024-01-15 at 10:30, version 1.2.3, server 10.1.2.3:8080",
        "the password policy wants twelve characters; password: asked for a reset",
        "AbstractSingletonProxyFactoryBean is the class",
    ],
)
def test_look_alikes_are_not_findings(text: str) -> None:
    assert found(text) == []


def test_the_checks() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB29NWBK60161331926819") and not iban_ok("GB29NWBK60161331926818")


def test_the_labelled_set_is_big_enough_and_the_detectors_score_on_it() -> None:
    samples = build()
    positives = [s for s in samples if s.labels]
    assert len(positives) >= 300 and len(samples) - len(positives) >= 1_000
    assert build() == samples  # a fixed seed: every run measures the same set
    for kind, row in score(samples).items():
        assert row["precision"] >= 0.95 and row["recall"] >= 0.95, (kind, row)


def item(content: str, **more: object) -> MemoryIn:
    return MemoryIn.model_validate({"type": "semantic", "content": content} | more)


def policy(chosen: PrivacyPolicy):  # type: ignore[no-untyped-def]
    return lambda tenant, namespace: chosen


def test_tag_keeps_the_text_and_says_where() -> None:
    (out,) = screen(policy(PrivacyPolicy.TAG), "t", [item("mail a@example.com")], refuse=True)
    assert out.content == "mail a@example.com"
    assert [(s.kind.value, s.field, s.start, s.end, s.redacted) for s in out.sensitive or []] == [
        ("email", "content", 5, 18, False)
    ]


def test_redact_replaces_every_field_and_says_where_the_placeholders_are() -> None:
    given = item("card 4111 1111 1111 1111 ok", metadata={"who": {"mail": ["x", "b@example.org"]}, "n": 3})
    (out,) = screen(policy(PrivacyPolicy.REDACT), "t", [given], refuse=True)
    assert out.content == "card [CARD] ok"
    assert out.metadata == {"who": {"mail": ["x", "[EMAIL]"]}, "n": 3}
    assert [(s.field, s.start, s.end) for s in out.sensitive or []] == [
        ("content", 5, 11),
        ("metadata.who.mail[1]", 0, 7),
    ]
    assert screen(policy(PrivacyPolicy.REDACT), "t", [out], refuse=True) == [out]  # screened once


def test_reject_names_each_field_and_kind_or_redacts_where_nobody_could_be_told() -> None:
    items = [item("fine"), item("x", type="prospective", trigger="ping c@example.com")]
    with pytest.raises(SensitiveDataRejected) as refused:
        screen(policy(PrivacyPolicy.REJECT), "t", items, refuse=True)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("memories.1.trigger", "holds an email ([EMAIL])")
    ]
    assert screen(policy(PrivacyPolicy.REJECT), "t", items, refuse=False)[1].trigger == "ping [EMAIL]"


def test_off_finds_nothing_and_masking_finds_it_anyway() -> None:
    (out,) = screen(policy(PrivacyPolicy.OFF), "t", [item("mail a@example.com")], refuse=True)
    assert out.sensitive == [] and mask_text(out.content) == "mail [EMAIL]"


def test_the_policy_is_the_resources_then_the_tenants_then_the_files() -> None:
    config = BindingsConfig.model_validate({
        "privacy": "redact",
        "resources": [{"id": "vault", "types": ["semantic"], "privacy": "reject"},
                      {"id": "notes", "types": ["semantic"]}],
        "tenants": {"acme": {"privacy": "off"}},
    })  # fmt: skip
    bindings = Bindings(config)
    assert bindings.privacy_policy("other", None) is PrivacyPolicy.REDACT
    assert bindings.privacy_policy("other", "notes/k") is PrivacyPolicy.REDACT
    assert bindings.privacy_policy("other", "vault/k") is PrivacyPolicy.REJECT
    assert bindings.privacy_policy("acme", "notes/k") is PrivacyPolicy.OFF
    assert bindings.privacy_policy("acme", "vault/k") is PrivacyPolicy.REJECT
    assert Bindings().privacy_policy("any", None) is PrivacyPolicy.TAG

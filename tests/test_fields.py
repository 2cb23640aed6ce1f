"""StrictCharField: the hostile/legitimate corpus, every option, and construction errors."""

# The corpus is text in many scripts (RUF001 flags every letter that looks like a
# Latin one) and reads best one row per line (E501).
# ruff: noqa: RUF001, E501

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from drf_hardening.fields import StrictCharField
from drf_hardening.text.policy import CODES


@dataclass(frozen=True)
class Rejects:
    code: str


def validate(field: StrictCharField, value: Any) -> str | Rejects:
    try:
        valid: str = field.run_validation(value)
    except ValidationError as exc:
        detail = exc.detail
        assert isinstance(detail, list)
        assert len(detail) == 1
        assert isinstance(detail[0], ErrorDetail)
        return Rejects(detail[0].code or "")
    return valid


# Each row: what a client sends, and either the value stored or the code of the 400.
CORPUS = [
    # --- Trojan Source (CVE-2021-42574) and other bidi controls
    pytest.param("invoice\u202egnp.exe", Rejects("bidi_control"), id="RLO override"),
    pytest.param("\u202aleft embedding", Rejects("bidi_control"), id="LRE"),
    pytest.param("\u202bright embedding", Rejects("bidi_control"), id="RLE"),
    pytest.param("pop\u202c", Rejects("bidi_control"), id="PDF"),
    pytest.param("\u202dforce ltr", Rejects("bidi_control"), id="LRO"),
    pytest.param("is_admin\u2066 \u2069", Rejects("bidi_control"), id="LRI and PDI"),
    pytest.param("\u2067rtl isolate", Rejects("bidi_control"), id="RLI"),
    pytest.param("\u2068first strong", Rejects("bidi_control"), id="FSI"),
    pytest.param("mark\u200e", Rejects("bidi_control"), id="LRM by default"),
    pytest.param("\u200fmark", Rejects("bidi_control"), id="RLM by default"),
    pytest.param("\u061cمرحبا", Rejects("bidi_control"), id="ALM by default"),
    # --- invisible and default-ignorable characters
    pytest.param("pay\u200bpal", Rejects("invisible_character"), id="zero-width space"),
    pytest.param("ad\u200cmin", Rejects("invisible_character"), id="ZWNJ inside Latin"),
    pytest.param("ad\u200dmin", Rejects("invisible_character"), id="ZWJ inside Latin"),
    pytest.param("\U0001f600\u200d", Rejects("invisible_character"), id="dangling emoji ZWJ"),
    pytest.param("\u200dx", Rejects("invisible_character"), id="leading ZWJ"),
    pytest.param("\ufeffadmin", Rejects("invisible_character"), id="BOM"),
    pytest.param("ad\u2060min", Rejects("invisible_character"), id="word joiner"),
    pytest.param("ad\u00admin", Rejects("invisible_character"), id="soft hyphen"),
    pytest.param("hi\U000e0041\U000e0042", Rejects("invisible_character"), id="tag characters"),
    pytest.param("\U000e007f", Rejects("invisible_character"), id="lone cancel tag"),
    pytest.param("\u3164", Rejects("invisible_character"), id="Hangul filler name"),
    pytest.param("a\uffa0b", Rejects("invisible_character"), id="halfwidth Hangul filler"),
    pytest.param("\u2800", Rejects("invisible_character"), id="Braille blank"),
    pytest.param("a\u180eb", Rejects("invisible_character"), id="Mongolian vowel separator"),
    pytest.param("a\u034fb", Rejects("invisible_character"), id="combining grapheme joiner"),
    pytest.param("x\u2062y", Rejects("invisible_character"), id="invisible times"),
    pytest.param("\ufe0fstart", Rejects("invisible_character"), id="variation selector first"),
    pytest.param("a \ufe0f", Rejects("invisible_character"), id="variation selector on space"),
    pytest.param("\u2764\ufe0f\ufe0f", Rejects("invisible_character"), id="two selectors"),
    # --- controls, C0, C1, CRLF injection, ANSI escapes
    pytest.param("nul\x00byte", Rejects("control_character"), id="NUL"),
    pytest.param("\x1b[31mred\x1b[0m", Rejects("control_character"), id="ANSI escape"),
    pytest.param("del\x7f", Rejects("control_character"), id="DEL"),
    pytest.param("next\x85line", Rejects("control_character"), id="C1 NEL"),
    pytest.param("csi\x9b31m", Rejects("control_character"), id="C1 CSI"),
    pytest.param("a\r\nSet-Cookie: x=1", Rejects("control_character"), id="CRLF single-line"),
    pytest.param("two\nlines", Rejects("control_character"), id="LF single-line"),
    pytest.param("tab\there", Rejects("control_character"), id="TAB single-line"),
    pytest.param("\x06\x10", Rejects("control_character"), id="schemathesis controls"),
    pytest.param("line\u2028break", Rejects("line_separator"), id="line separator"),
    pytest.param("para\u2029break", Rejects("line_separator"), id="paragraph separator"),
    # --- private use, unassigned, noncharacters, surrogates
    pytest.param("logo\ue000", Rejects("private_use_character"), id="BMP private use"),
    pytest.param("\U000f0001", Rejects("private_use_character"), id="plane 15 private use"),
    pytest.param("\ufdd0", Rejects("unassigned_character"), id="noncharacter FDD0"),
    pytest.param("end\uffff", Rejects("unassigned_character"), id="noncharacter FFFF"),
    pytest.param("\U0001fffe", Rejects("unassigned_character"), id="noncharacter 1FFFE"),
    pytest.param("\u0378", Rejects("unassigned_character"), id="unassigned U+0378"),
    pytest.param("\U000e0000", Rejects("unassigned_character"), id="unassigned plane 14"),
    pytest.param("\U00010570", Rejects("unassigned_character"), id="Vithkuqi, Unicode 14"),
    pytest.param("\U0001e030", Rejects("unassigned_character"), id="modifier, Unicode 15"),
    pytest.param("bad\ud800", Rejects("surrogate_character"), id="lone high surrogate"),
    pytest.param("\udfff", Rejects("surrogate_character"), id="lone low surrogate"),
    # --- combining-mark floods (zalgo)
    pytest.param("Z\u0351\u036b\u0343\u036a\u0302a", Rejects("too_many_combining_marks"), id="zalgo"),
    pytest.param("e" + "\u0301" * 50, Rejects("too_many_combining_marks"), id="mark flood"),
    # --- not a JSON string
    pytest.param(123, Rejects("not_a_string"), id="integer"),
    pytest.param(1.5, Rejects("not_a_string"), id="float"),
    pytest.param(True, Rejects("not_a_string"), id="boolean"),
    pytest.param(["a"], Rejects("not_a_string"), id="list"),
    pytest.param({"a": "b"}, Rejects("not_a_string"), id="object"),
    pytest.param(None, Rejects("null"), id="null (DRF code)"),
    # --- size and blank
    pytest.param("x" * 256, Rejects("too_long"), id="over default max_length"),
    pytest.param("x" * 100_000, Rejects("too_long"), id="100k characters"),
    pytest.param("", Rejects("blank"), id="empty"),
    pytest.param(" \u00a0\u3000 ", Rejects("blank"), id="only spaces"),
    # --- legitimate text, stored as given (NFC) or normalised
    pytest.param("Buy milk", "Buy milk", id="ASCII"),
    pytest.param("x" * 255, "x" * 255, id="exactly max_length"),
    pytest.param("O'Brien", "O'Brien", id="apostrophe"),
    pytest.param("Jean-Luc Picard", "Jean-Luc Picard", id="hyphen"),
    pytest.param("naïve café, s'il vous plaît!", "naïve café, s'il vous plaît!", id="accents"),
    pytest.param("cafe\u0301", "caf\u00e9", id="decomposed to NFC"),
    pytest.param("\uf900", "\u8c48", id="CJK compatibility ideograph to NFC"),
    pytest.param("Tiếng Việt có dấu", "Tiếng Việt có dấu", id="Vietnamese"),
    pytest.param("محمد بن عبد الله", "محمد بن عبد الله", id="Arabic"),
    pytest.param("שָׁלוֹם עוֹלָם", "שָׁלוֹם עוֹלָם", id="Hebrew with niqqud"),
    pytest.param("می\u200cخواهم", "می\u200cخواهم", id="Persian ZWNJ"),
    pytest.param("नमस्ते दुनिया", "नमस्ते दुनिया", id="Devanagari"),
    pytest.param("क्\u200dष", "क्\u200dष", id="Devanagari ZWJ after virama"),
    pytest.param("東京タワーに行く", "東京タワーに行く", id="Japanese"),
    pytest.param("한국어 漢字", "한국어 漢字", id="Korean hangul and hanja"),
    pytest.param("你好，世界", "你好，世界", id="Chinese"),
    pytest.param("Москва", "Москва", id="Cyrillic"),
    pytest.param("Αθήνα", "Αθήνα", id="Greek"),
    pytest.param("สวัสดีครับ", "สวัสดีครับ", id="Thai"),
    pytest.param("வணக்கம்", "வணக்கம்", id="Tamil"),
    pytest.param("\U0001f600", "\U0001f600", id="emoji"),
    pytest.param("\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469\u200d\U0001f467", id="ZWJ family"),
    pytest.param("\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f3f3\ufe0f\u200d\U0001f308", id="rainbow flag"),
    pytest.param("\U0001f469\U0001f3fd\u200d\U0001f4bb", "\U0001f469\U0001f3fd\u200d\U0001f4bb", id="skin tone ZWJ"),
    pytest.param("\U0001f1eb\U0001f1f7", "\U0001f1eb\U0001f1f7", id="country flag"),
    pytest.param("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", id="Scotland tag flag"),
    pytest.param("1\ufe0f\u20e3", "1\ufe0f\u20e3", id="keycap"),
    pytest.param("I \u2764\ufe0f it", "I \u2764\ufe0f it", id="heart with VS16"),
    pytest.param("\U0001fae0", "\U0001fae0", id="emoji newer than Unicode 13"),
    pytest.param("\u8fbb\U000e0100", "\u8fbb\U000e0100", id="ideographic variation sequence"),
    pytest.param("  Buy   milk  ", "Buy milk", id="spaces collapsed and trimmed"),
    pytest.param("a\u00a0b\u2003c\u3000d", "a b c d", id="space separators folded"),
    pytest.param("<script>alert(1)</script>", "<script>alert(1)</script>", id="markup is text"),
    pytest.param("'; DROP TABLE tasks;--", "'; DROP TABLE tasks;--", id="SQL is text"),
    pytest.param("{{7*7}} ${7*7}", "{{7*7}} ${7*7}", id="template syntax is text"),
    pytest.param("e\u0301\u0302\u0303\u0304", "\u00e9\u0302\u0303\u0304", id="four marks is fine"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), CORPUS)
def test_strict_char_field_corpus(value: Any, expected: str | Rejects) -> None:
    assert validate(StrictCharField(), value) == expected


def test_corpus_covers_every_code() -> None:
    codes = {p.values[1].code for p in CORPUS if isinstance(p.values[1], Rejects)}
    assert codes >= set(CODES) - {
        "too_many_bytes",
        "too_short",
        "disallowed_character",
        "mixed_script",
    }
    assert len(CORPUS) >= 50


@pytest.mark.parametrize(
    ("value", "expected"), [p for p in CORPUS if isinstance(p.values[1], Rejects)]
)
def test_strict_char_field_message_is_static(value: Any, expected: Rejects) -> None:
    field = StrictCharField()
    with pytest.raises(ValidationError) as exc_info:
        field.run_validation(value)
    detail = exc_info.value.detail
    assert isinstance(detail, list)
    message = str(detail[0])
    templates = {**serializers.CharField.default_error_messages, **field.error_messages}
    assert message == str(templates[expected.code]).format(max_length=255)
    if isinstance(value, str) and value.strip():
        assert value.strip() not in message


def test_strict_char_field_is_a_char_field_with_default_max_length() -> None:
    field = StrictCharField()
    assert isinstance(field, serializers.CharField)
    assert field.max_length == 255
    assert StrictCharField(max_length=None).max_length == 255
    assert StrictCharField(max_length=10_000).run_validation("y" * 10_000) == "y" * 10_000


def test_strict_char_field_reports_length_once_and_keeps_user_validators() -> None:
    field = StrictCharField(max_length=3, min_length=1, validators=[MaxLengthValidator(2)])
    assert (field.max_length, field.min_length) == (3, 1)
    assert validate(field, "abcd") == Rejects("too_long")
    assert validate(field, "abc") == Rejects("max_length")  # the user's own validator


def test_strict_char_field_nfc_lengthening_is_measured_again() -> None:
    # U+0958 is excluded from composition: NFC turns it into two code points.
    assert unicodedata.normalize("NFC", "\u0958") == "\u0915\u093c"
    assert validate(StrictCharField(max_length=1), "\u0958") == Rejects("too_long")
    assert validate(StrictCharField(max_length=2), "\u0958") == "\u0915\u093c"


@pytest.mark.parametrize(
    ("kwargs", "value", "expected"),
    [
        pytest.param({"multiline": True}, "one\r\ntwo\n\tthree", "one\ntwo\n\tthree", id="ml CRLF"),
        pytest.param({"multiline": True}, "  a  \n  b  \n\n", "a\nb", id="ml line ends trimmed"),
        pytest.param({"multiline": True}, "a\rb", Rejects("control_character"), id="ml lone CR"),
        pytest.param({"multiline": True}, "a\x0bb", Rejects("control_character"), id="ml VT"),
        pytest.param({"multiline": True}, "a\u2028b", Rejects("line_separator"), id="ml LS"),
        pytest.param({"multiline": True}, "\n\n", Rejects("blank"), id="ml only newlines"),
        pytest.param({"allow_bidi_marks": True}, "\u05d0\u200e1", "\u05d0\u200e1", id="LRM allowed"),
        pytest.param({"allow_bidi_marks": True}, "a\u202eb", Rejects("bidi_control"), id="RLO still"),
        pytest.param({"max_bytes": 5}, "東京", Rejects("too_many_bytes"), id="bytes over"),
        pytest.param({"max_bytes": 6}, "東京", "東京", id="bytes at cap"),
        pytest.param({"max_bytes": 3}, "\u0958", Rejects("too_many_bytes"), id="bytes after NFC"),
        pytest.param({"min_length": 3}, " ab ", Rejects("too_short"), id="min_length after trim"),
        pytest.param({"min_length": 3}, "abc", "abc", id="min_length met"),
        pytest.param({"max_combining_marks": 1}, "x\u0301\u0302", Rejects("too_many_combining_marks"), id="marks cap"),
        pytest.param({"max_combining_marks": 0}, "e\u0301", "\u00e9", id="composed marks do not count"),
        pytest.param({"allow_blank": True}, "   ", "", id="allow_blank after trim"),
        pytest.param({"allow_blank": True}, "", "", id="allow_blank empty"),
        pytest.param({"allow_null": True}, None, None, id="allow_null"),
        pytest.param({"normalize": "NFKC"}, "ｆｕｌｌ ① ﬁ", "full 1 fi", id="NFKC"),
        pytest.param({"normalize": "NFKC"}, "\u2474", "(1)", id="NFKC parenthesized"),
        pytest.param({"identifier": True}, "Straße", "strasse", id="identifier casefold"),
        pytest.param({"identifier": True}, "ＡＤＭＩＮ", "admin", id="identifier fullwidth"),
        pytest.param({"identifier": True}, "\u212a", "k", id="identifier Kelvin sign"),
        pytest.param({"identifier": True}, "\u0345", "\u03b9", id="identifier ypogegrammeni"),
        pytest.param({"identifier": True}, "ad\u200bmin", Rejects("invisible_character"), id="identifier ZWSP"),
    ],
)  # fmt: skip
def test_strict_char_field_options(kwargs: dict[str, Any], value: Any, expected: Any) -> None:
    assert validate(StrictCharField(**kwargs), value) == expected


TITLE = {"allow": ["letters", "digits", "spaces"], "min_length": 3}


@pytest.mark.parametrize(
    ("kwargs", "value", "expected"),
    [
        pytest.param(TITLE, "Buy milk 2", "Buy milk 2", id="title ok"),
        pytest.param(TITLE, "Café 東京 ٣", "Café 東京 ٣", id="title any script"),
        pytest.param(TITLE, "नमस्ते", "नमस्ते", id="title letters with marks"),
        pytest.param(TITLE, "می\u200cخواهم", "می\u200cخواهم", id="title Persian ZWNJ"),
        pytest.param(TITLE, "क्\u200dष", "क्\u200dष", id="title Devanagari ZWJ"),
        pytest.param(TITLE, "ab\u200dcd", Rejects("invisible_character"), id="title stray ZWJ"),
        pytest.param(TITLE, "Buy milk!", Rejects("disallowed_character"), id="title punctuation"),
        pytest.param(TITLE, "Buy \U0001f95b", Rejects("disallowed_character"), id="title emoji"),
        pytest.param(TITLE, "ab", Rejects("too_short"), id="title too short"),
        pytest.param(TITLE, "a\u202eb", Rejects("bidi_control"), id="title keeps policy"),
        pytest.param({"allow": ["digits"], "multiline": True}, "1\n2", "1\n2", id="newlines in ml"),
        pytest.param({"allow": ["letters", "emoji"]}, "a\U0001f44d\U0001f3fd", "a\U0001f44d\U0001f3fd", id="emoji class"),
        pytest.param({"allow": ["punctuation", "symbols"]}, "!?+$", "!?+$", id="punct and symbols"),
        pytest.param({"allow": ("digits",)}, "12 3", Rejects("disallowed_character"), id="no spaces"),
    ],
)  # fmt: skip
def test_strict_char_field_allow_narrows(kwargs: dict[str, Any], value: Any, expected: Any) -> None:
    assert validate(StrictCharField(**kwargs), value) == expected


def test_strict_char_field_disallowed_message_names_classes_not_value() -> None:
    field = StrictCharField(allow=["letters", "spaces"])
    with pytest.raises(ValidationError) as exc_info:
        field.run_validation("x!")
    assert exc_info.value.detail == ["Only letters, spaces are allowed."]


MIXED: dict[str, Any] = {"reject_mixed_script": True}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("paypal", "paypal", id="Latin"),
        pytest.param("Agent 007, ok?", "Agent 007, ok?", id="Latin digits common"),
        pytest.param("Москва 2024", "Москва 2024", id="Cyrillic digits"),
        pytest.param("東京タワーに行く", "東京タワーに行く", id="kanji kana"),
        pytest.param("한국어 漢字", "한국어 漢字", id="hangul hanja"),
        pytest.param("注音ㄅㄆㄇ", "注音ㄅㄆㄇ", id="han bopomofo"),
        pytest.param("iPhoneを買った", "iPhoneを買った", id="Latin with Japanese"),
        pytest.param("Café \U0001f600 résumé", "Café \U0001f600 résumé", id="Latin emoji"),
        pytest.param("p\u0430ypal", Rejects("mixed_script"), id="Cyrillic a in Latin"),
        pytest.param("\u03bfpenai", Rejects("mixed_script"), id="Greek omicron in Latin"),
        pytest.param("Москва abc", Rejects("mixed_script"), id="Cyrillic and Latin"),
        pytest.param("한국어 カタカナ", Rejects("mixed_script"), id="hangul and kana"),
        pytest.param("مرحبا hello", Rejects("mixed_script"), id="Arabic and Latin"),
    ],
)
def test_strict_char_field_reject_mixed_script(value: str, expected: Any) -> None:
    assert validate(StrictCharField(**MIXED), value) == expected


def test_strict_char_field_mixed_script_off_by_default() -> None:
    assert validate(StrictCharField(), "p\u0430ypal") == "p\u0430ypal"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"allow": "letters"}, "not the string 'letters'", id="bare string"),
        pytest.param({"allow": ["letters", "emojis"]}, "['emojis']", id="unknown class"),
        pytest.param({"allow": []}, "unknown or no character classes", id="empty allow"),
        pytest.param({"normalize": "NFD"}, "not 'NFD'", id="normalize"),
        pytest.param({"max_length": 0}, "max_length must be an int >= 1, not 0", id="max_length 0"),
        pytest.param({"max_length": "10"}, "not '10'", id="max_length str"),
        pytest.param({"max_bytes": True}, "max_bytes must be an int >= 1, not True", id="bool"),
        pytest.param({"min_length": -1}, "min_length must be an int >= 0", id="min_length"),
        pytest.param({"max_combining_marks": 1.5}, "max_combining_marks", id="marks float"),
        pytest.param({"min_length": 5, "max_length": 4}, "greater than max_length", id="min>max"),
        pytest.param({"trim_whitespace": False}, "trim_whitespace=False", id="trim"),
    ],
)
def test_strict_char_field_bad_options_fail_at_construction(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match="StrictCharField") as exc_info:
        StrictCharField(**kwargs)
    assert message in str(exc_info.value)


def test_strict_char_field_in_serializer_reports_code_per_field() -> None:
    class Note(serializers.Serializer[Any]):
        title = StrictCharField(max_length=20)
        body = StrictCharField(multiline=True, required=False)

    ok = Note(data={"title": "  Hi  ", "body": "a\r\nb"})
    assert ok.is_valid(), ok.errors
    assert ok.validated_data == {"title": "Hi", "body": "a\nb"}
    bad = Note(data={"title": "x\u202e", "body": 5})
    assert not bad.is_valid()
    assert bad.errors["title"][0].code == "bidi_control"
    assert bad.errors["body"][0].code == "not_a_string"

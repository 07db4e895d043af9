"""MIME → text, quotes, language, file names, automatic mail: app/mail/parsing.py."""

from __future__ import annotations

import pytest

from app.mail import threads
from app.mail.parsing import (
    decode_bytes,
    detect_language,
    html_to_text,
    message_ids,
    parse_message,
    safe_filename,
    split_quoted,
)

LANGUAGES = ("en", "sv", "es", "fr", "ar", "bn")


def message(headers: str, body: str = "Hello") -> bytes:
    return f"{headers}\r\n\r\n{body}\r\n".replace("\n", "\r\n").replace("\r\r", "\r").encode()


@pytest.mark.parametrize("attribution", [
    "On Tue, 3 Mar 2026 at 10:15, Helpdesk <helpdesk@example.org> wrote:",
    "Am Di., 3. März 2026 um 10:15 Uhr schrieb Helpdesk <helpdesk@example.org>:",
    "Le mar. 3 mars 2026 à 10:15, Helpdesk <helpdesk@example.org> a écrit :",
    "El mar, 3 mar 2026 a las 10:15, Helpdesk (<helpdesk@example.org>) escribió:",
    "Den tis 3 mars 2026 kl 10:15 skrev Helpdesk <helpdesk@example.org>:",
    "вт, 3 мар. 2026 г. в 10:15, Helpdesk <helpdesk@example.org>:",
    "2026年3月3日(火) 10:15 Helpdesk <helpdesk@example.org>:",
    "في الثلاثاء، 3 مارس 2026 في 10:15 ص، Helpdesk <helpdesk@example.org> كتب:",
    "মঙ্গল, ৩ মার্চ, ২০২৬ এ ১০:১৫ AM এ Helpdesk <helpdesk@example.org> লিখেছেন:",
])
def test_the_quoted_history_is_split_off_in_several_languages(attribution: str) -> None:
    text = f"Thank you, here it is.\n\n{attribution}\n\n> Which licence?\n> --\n> Helpdesk"
    new, quoted = split_quoted(text)
    assert new == "Thank you, here it is."
    assert quoted.startswith(attribution) and "> Which licence?" in quoted


def test_a_wrapped_attribution_and_outlooks_header_block_are_found() -> None:
    wrapped = ("Yes.\n\nOn Tue, 3 Mar 2026 at 10:15, Content Partnerships Helpdesk <\n"
               "helpdesk@example.org> wrote:\n> Which licence?")
    assert split_quoted(wrapped)[0] == "Yes."
    outlook = ("Ja, gärna.\n\n________________________________\nFrån: Helpdesk "
               "<helpdesk@example.org>\nSkickat: den 3 mars 2026 10:15\nTill: Sara\n"
               "Ämne: CPH-2026-0001\n\nVilken licens?")
    new, quoted = split_quoted(outlook)
    assert new == "Ja, gärna." and quoted.startswith("_____")
    original = "Sure.\n\n-----Original Message-----\nFrom: Helpdesk\nSent: Tuesday\n\nQuestion"
    assert split_quoted(original)[0] == "Sure."


def test_text_that_only_looks_like_a_quote_is_kept_whole() -> None:
    for text in ("On Monday we wrote: a plan.\nIt has three steps.",
                 "> a quote first\nand my answer under it",
                 "Line one\nLine two"):
        assert split_quoted(text) == (text, "")
    assert split_quoted("Answer above.\n\n> quoted\n> more\n") == ("Answer above.",
                                                                  "> quoted\n> more")


def test_html_becomes_plain_text_with_nothing_active_left() -> None:
    html = ("<html><head><title>T</title><style>p{color:red}</style></head><body>"
            "<p>Line &amp; one</p><script>alert('x')</script><div>Line <b>two</b></div>"
            "<ul><li>a</li><li>b</li></ul><!-- hidden --><img src=x onerror=alert(1)>"
            "<p>&lt;script&gt;shown as text&lt;/script&gt;</p></body></html>")
    text = html_to_text(html)
    assert text == "Line & one\n\nLine two\n\n• a\n\n• b\n\n<script>shown as text</script>"
    assert "alert" not in text and "color" not in text and "hidden" not in text


def test_charsets_as_they_are_really_used() -> None:
    assert decode_bytes("naïve “quotes”".encode("cp1252"), "iso-8859-1") == "naïve “quotes”"
    assert decode_bytes("Grüße".encode(), "us-ascii") == "Grüße"  # 8-bit sent as ASCII
    assert decode_bytes("Grüße".encode(), "x-no-such-charset") == "Grüße"
    assert decode_bytes("Привет".encode("koi8_r"), "KOI8-R") == "Привет"
    assert decode_bytes("こんにちは".encode("iso2022_jp"), "ISO-2022-JP") == "こんにちは"
    assert decode_bytes(b"caf\xe9", "utf-8") == "café"  # declared UTF-8, really Latin-1


def test_headers_in_rfc_2047_and_message_ids() -> None:
    parsed = parse_message(message(
        "From: =?UTF-8?B?2YTZitmE2Yk=?= <Leila@Example.ORG>\n"
        "To: helpdesk+CPH-2026-0042@example.org, Other <o@example.org>\n"
        "Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?Q?_=E2=80=93_ok?=\n"
        "Message-ID: <abc@example.org>\nIn-Reply-To: <one@x.org>\n"
        "References: <zero@x.org> <one@x.org>"))
    assert (parsed.from_name, parsed.from_address) == ("ليلى", "leila@example.org")
    assert parsed.subject == "Café – ok"
    assert parsed.key == parsed.message_id == "abc@example.org"
    assert parsed.thread_ids == ["one@x.org", "zero@x.org"]
    assert threads.plus_reference(parsed.recipients, "helpdesk@example.org") == "CPH-2026-0042"
    assert message_ids("<a@b> junk <c@d>") == ["a@b", "c@d"]


def test_a_message_without_message_id_gets_a_stable_key() -> None:
    raw = message("From: a@example.org\nSubject: hi\nDate: Tue, 10 Mar 2026 08:00:00 +0000")
    first, second = parse_message(raw), parse_message(raw)
    assert first.message_id is None and first.key.startswith("sha256:")
    assert first.key == second.key
    # a server that adds a Received: line on redelivery does not change it
    assert parse_message(b"Received: from x by y\r\n" + raw).key == first.key
    assert parse_message(raw.replace(b"Hello", b"Hello!")).key != first.key


@pytest.mark.parametrize("headers,reason", [
    ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
    ("X-Autoreply: yes", "X-Autoreply"),
    ("Precedence: bulk", "Precedence: bulk"),
    ("Precedence: list", "Precedence: list"),
    ("List-Id: <partners.lists.example.org>", "List-Id"),
    ("Return-Path: <>", "Return-Path: <>"),
    ("Subject: Out of Office: back on Monday", "vacation notice"),
    ("Subject: Réponse automatique : absent", "vacation notice"),
    ("Subject: Autosvar: semester", "vacation notice"),
])
def test_automatic_mail_is_recognised(headers: str, reason: str) -> None:
    parsed = parse_message(message(f"From: a@example.org\n{headers}"))
    assert parsed.automatic == reason


def test_a_person_is_not_taken_for_a_machine() -> None:
    parsed = parse_message(message("From: a@example.org\nAuto-Submitted: no\n"
                                   "Subject: Automation of our uploads"))
    assert parsed.automatic == "" and not parsed.no_reply
    assert parse_message(message("From: noreply@forms.example.org")).no_reply


@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\report.pdf", "report.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # no right-to-left override
    ("  .hidden  ", "hidden"),
    ("a<b>c:d|e?.txt", "a_b_c_d_e_.txt"),
    ("o\u0308ver.jpg", "över.jpg"),  # decomposed (macOS) to composed
    ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ("", "attachment-3.pdf"),
])
def test_file_names_are_made_safe(name: str, expected: str) -> None:
    assert safe_filename(name, "application/pdf", 3) == expected


@pytest.mark.parametrize("content_language,text,expected", [
    ("sv-SE", "Hello", "sv"),
    ("ja, en", "こんにちは", "en"),
    ("", "نحن أرشيف وطني ونرغب في رفع مجموعة من الصور", "ar"),
    ("", "আমরা এগুলো উইকিমিডিয়া কমন্সে তুলতে চাই", "bn"),
    ("", "Привет, мы хотим загрузить фотографии", "en"),
    ("", "Nous avons des photos et nous voulons les partager avec vous dans Commons", "fr"),
    ("", "Vi har kartor och vi vill dela dem med er för att det är viktigt", "sv"),
    ("", "Queremos compartir las fotos de nuestra biblioteca con la comunidad", "es"),
    ("", "We would like to share the photos of our museum with you", "en"),
])
def test_the_language_to_answer_in(content_language: str, text: str, expected: str) -> None:
    assert detect_language(content_language, text, LANGUAGES) == expected

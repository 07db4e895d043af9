"""MIME → what the helpdesk needs: who wrote, about what, the text, the files.

Real-world mail in all its shapes: multipart, quoted-printable and base64, RFC 2047
headers, charsets other than UTF-8 (ISO-8859-1 that is really Windows-1252, KOI8-R,
ISO-2022-JP…), HTML-only mail (made into plain text with nh3, which keeps no markup at
all), quoted history ("On … wrote:" in several languages, Outlook's header block, "> "
lines) split from the new text but kept, and delivery reports (RFC 3464). Nothing here
touches the database.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import nh3

MAX_TEXT = 200_000  # characters of a message's text that are kept
MAX_HEADERS = 32_000  # characters of its header block
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class Attachment:
    """A file part of a message (its name already made safe)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Bounce:
    """One recipient of a delivery report (RFC 3464)."""

    address: str
    action: str
    status: str
    diagnostic: str


@dataclass
class ParsedMail:
    """Everything the mailbox job reads from one message."""

    key: str
    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    recipients: list[str] = field(default_factory=list)
    sent_at: datetime | None = None
    content_language: str = ""
    automatic: str = ""  # why no one should answer it ("" when a person wrote it)
    no_reply: bool = False  # a sender that reads no answers (noreply@…)
    text: str = ""  # the whole text, quoted history included
    attachments: list[Attachment] = field(default_factory=list)
    headers: str = ""
    size: int = 0
    bounces: list[Bounce] = field(default_factory=list)
    bounced_message_id: str | None = None  # the Message-ID the report is about

    @property
    def is_bounce(self) -> bool:
        """A delivery report (multipart/report; report-type=delivery-status)."""
        return bool(self.bounces)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers: In-Reply-To first, then References, newest first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


# -- headers ------------------------------------------------------------------------------

def _header(message: Message, name: str) -> str:
    """A header's decoded value ("" when absent or beyond repair), on one line."""
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, LookupError):
        return ""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _raw_header(message: Message, name: str) -> str:
    values = message.get_all(name) or []
    return " ".join(" ".join(str(value).split()) for value in values)


def message_ids(value: str) -> list[str]:
    """The Message-IDs in an In-Reply-To or References value, without angle brackets."""
    found = re.findall(r"<([^<>\s]{1,250})>", value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip().strip("<>")]
    return [item for item in found if "@" in item]


def normal_address(address: str) -> str:
    """An address as compared and stored: trimmed, lower case."""
    return address.strip().strip("<>").lower()


def _addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    values = [_raw_header(message, name) for name in names]
    try:
        pairs = getaddresses([value for value in values if value])
    except (ValueError, TypeError, IndexError):
        pairs = []
    return [(name, normal_address(addr)) for name, addr in pairs if "@" in addr]


def _sender(message: Message) -> tuple[str, str]:
    found = _addresses(message, "From") or _addresses(message, "Sender", "Reply-To")
    if found:
        name, address = found[0]
        return " ".join(name.split())[:255], address[:255]
    name, address = parseaddr(_header(message, "From"))
    return name[:255], normal_address(address)[:255]


def _date(message: Message) -> datetime | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return when
    return when.astimezone(UTC).replace(tzinfo=None)


# -- automatic mail -----------------------------------------------------------------------

_VACATION_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort|svar)|autoreply|out of (the )?office"
    r"|abwesenheit|automatische antwort|réponse automatique|absence|respuesta automática"
    r"|fuera de la oficina|autosvar|frånvaro|risposta automatica|автоответ|自動応答|自动回复"
    r"|رد تلقائي|স্বয়ংক্রিয় উত্তর|(i am|i'm) (on vacation|away|out))",
    re.IGNORECASE,
)
_NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+.-].*)?$",
                       re.IGNORECASE)


def automatic_reason(message: Message, subject: str) -> str:
    """Why nobody should answer this message: an auto-reply, a list, bulk mail… ("" if a
    person wrote it). RFC 3834's Auto-Submitted, the common X- headers, Precedence, list
    headers, a null Return-Path, and vacation subjects in several languages."""
    submitted = _header(message, "Auto-Submitted").lower()
    if submitted and not submitted.startswith("no"):
        return f"Auto-Submitted: {submitted}"[:100]
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder"):
        if message.get(name) is not None:
            return name
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return "List-Id"
    if _header(message, "Return-Path") == "<>":
        return "Return-Path: <>"
    if _VACATION_SUBJECT.search(subject):
        return "vacation notice"
    return ""


def _no_reply(address: str) -> bool:
    return bool(_NO_REPLY.match(address.partition("@")[0]))


# -- text ---------------------------------------------------------------------------------

# Declared charsets that mean something else in practice.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "us-ascii": "ascii", "unknown-8bit": "cp1252", "x-unknown": "cp1252",
                    "ks_c_5601-1987": "cp949", "gb2312": "gb18030", "gbk": "gb18030"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes of a text part as text: its charset, else UTF-8, else Windows-1252."""
    name = (charset or "ascii").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    if name == "ascii":
        try:
            return data.decode("ascii")
        except UnicodeDecodeError:
            name = "utf-8"  # 8-bit text sent as ASCII: most often UTF-8
    try:
        return data.decode(name)
    except LookupError:
        name = "utf-8"
    except UnicodeDecodeError:
        if name != "utf-8":
            return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table|/ul|/ol|hr|p|div)\b"
                    r"[^>]*>", re.IGNORECASE)
_ITEM = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_CELL = re.compile(r"<\s*/t[dh]\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """Safe plain text from HTML: no tag, script, style or comment survives (nh3), block
    elements become line breaks, entities are decoded."""
    flat = re.sub(r"\s+", " ", html)
    flat = _ITEM.sub("\n• ", flat)
    flat = _CELL.sub("\t", flat)
    flat = _BREAK.sub("\n", flat)
    cleaned = nh3.clean(flat, tags=set(), clean_content_tags={"script", "style", "head", "title"},
                        strip_comments=True)
    return tidy(html_lib.unescape(cleaned))


def tidy(text: str) -> str:
    """One kind of line break, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# "On <date>, <name> wrote:" and its kin. Each pattern matches one line (or two joined:
# clients wrap long attributions).
_ATTRIBUTIONS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(on|am|le|el|em|il|op|den|på|w dniu)\b.{0,250}\b(wrote|schrieb|a écrit|escribió|escreveu"
    r"|ha scritto|schreef|skrev|napisał)\b.{0,120}:$",
    r"^.{0,250}<[^<>\s]+@[^<>\s]+>\s*(wrote|schrieb|a écrit|escribió|skrev|написал\(а\)"
    r"|написала?|كتب|লিখেছেন|のメッセージ|は書きました|写道|寫道)?\s*[:：]$",
    r"^.{0,250}(написал\(а\)|написала?|كتب|লিখেছেন|は書きました|写道|寫道)\s*[:：]$",
)]
_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message|message d'origine|mensaje original"
    r"|ursprüngliche nachricht|ursprungligt meddelande|messaggio originale|исходное сообщение"
    r"|الرسالة الأصلية|মূল বার্তা)\s*-{2,}|_{20,})\s*$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(from|de|von|från|da|от|差出人|من|প্রেরক)\s*\*?\s*:",
                           re.IGNORECASE)
_OUTLOOK_DATE = re.compile(r"^\s*\*?(sent|date|envoyé|gesendet|skickat|enviado|inviato|отправлено"
                           r"|送信日時|تاريخ|أرسل|পাঠানো হয়েছে)\s*\*?\s*:", re.IGNORECASE)


def _quoted_after(lines: list[str], index: int) -> bool:
    """The next non-empty line after `index` is quoted ("> …")."""
    for line in lines[index + 1:index + 4]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


def _history_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _SEPARATORS.match(stripped):
            return index
        if _OUTLOOK_FROM.match(stripped) and any(
                _OUTLOOK_DATE.match(other) for other in lines[index + 1:index + 5]):
            return index
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else ""
        for pattern in _ATTRIBUTIONS:
            if pattern.match(stripped) and _quoted_after(lines, index):
                return index
            if joined and pattern.match(joined) and _quoted_after(lines, index + 1):
                return index
    # No attribution: a block of "> " lines at the very end (answered above it).
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (lines[start - 1].lstrip().startswith(">") or not lines[start - 1].strip()):
        start -= 1
    if start < end and any(line.strip() for line in lines[:start]):
        return start
    return None


def split_quoted(text: str) -> tuple[str, str]:
    """The new text and the quoted history under it ("" when there is none)."""
    lines = text.split("\n")
    start = _history_start(lines)
    if start is None or start == 0:
        return text.strip(), ""
    return "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()


# -- language -----------------------------------------------------------------------------

_SCRIPTS = {"ar": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
            "bn": ((0x0980, 0x09FF),)}
_WORDS = {
    "en": {"the", "and", "is", "we", "our", "you", "to", "of", "with", "would", "like", "have"},
    "sv": {"och", "att", "det", "är", "vi", "vår", "med", "för", "som", "till", "har", "inte"},
    "es": {"el", "los", "las", "que", "y", "para", "con", "una", "nuestro", "nuestra", "es",
           "por"},
    "fr": {"le", "les", "et", "pour", "nous", "avec", "une", "des", "est", "notre", "vous",
           "dans"},
}


def _script_language(text: str) -> str | None:
    counts = dict.fromkeys(_SCRIPTS, 0)
    letters = 0
    for ch in text[:5000]:
        if not ch.isalpha():
            continue
        letters += 1
        point = ord(ch)
        for language, ranges in _SCRIPTS.items():
            if any(low <= point <= high for low, high in ranges):
                counts[language] += 1
    if not letters:
        return None
    language, count = max(counts.items(), key=lambda item: item[1])
    return language if count * 3 >= letters else None


def _word_language(text: str) -> str | None:
    words = re.findall(r"[^\W\d_]+", text[:5000].lower())
    scores = {language: sum(word in vocabulary for word in words)
              for language, vocabulary in _WORDS.items()}
    best, score = max(scores.items(), key=lambda item: item[1])
    return best if score >= 3 and list(scores.values()).count(score) == 1 else None


def detect_language(content_language: str, text: str, available: Iterable[str]) -> str:
    """The language to answer in: Content-Language, else the text's script (Arabic,
    Bengali), else its commonest words (Latin script), when the app ships it; else English."""
    offered = set(available)
    for tag in re.split(r"[,\s]+", content_language):
        primary = tag.split("-")[0].split("_")[0].lower()
        if primary in offered:
            return primary
    for guess in (_script_language(text), _word_language(text)):
        if guess and guess in offered:
            return guess
    return "en"


# -- attachments --------------------------------------------------------------------------

_UNSAFE = re.compile(r'[<>:"/\\|?*;$`\'{}]')


def safe_filename(name: str | None, content_type: str, number: int) -> str:
    """A file name fit to show and to offer for download: no folders, no control or
    direction characters, nothing a shell or a browser treats specially; at most 120
    characters, the extension kept."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    text = _UNSAFE.sub("_", text)
    text = " ".join(text.split()).strip(" .")
    if not text:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        text = f"attachment-{number}{extension}"
    if len(text) > 120:
        stem, dot, extension = text.rpartition(".")
        extension = extension[:10] if dot and stem else ""
        text = f"{(stem if extension else text)[:120 - len(extension) - 1].rstrip()}" + (
            f".{extension}" if extension else "")
    return text


def extension_of(filename: str) -> str:
    """The file name's extension, lower case, without the dot ("" when none)."""
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


# -- the message's parts ------------------------------------------------------------------

def _leaves(part: Message) -> Iterator[Message]:
    """Every part that is not a container; an attached message (or a delivery report's
    status) counts as one part."""
    if part.is_multipart() and part.get_content_maintype() != "message":
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _leaves(child)
    else:
        yield part


def _body_part(message: EmailMessage) -> Message | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, TypeError, LookupError):
        return None


def _inline_image(part: Message) -> bool:
    """A small picture shown in the text (a signature's logo), not a file someone sent."""
    if part.get_content_maintype() != "image" or part.get("Content-ID") is None:
        return False
    return part.get_content_disposition() != "attachment"


def _attachment(part: Message, number: int) -> Attachment | None:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else None
        data = inner.as_bytes() if isinstance(inner, Message) else b""
        subject = _header(inner, "Subject") if isinstance(inner, Message) else ""
        name = part.get_filename() or f"{subject or 'message'}.eml"
        return Attachment(safe_filename(name, content_type, number), content_type, data)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    try:
        filename = part.get_filename()
    except (ValueError, TypeError, LookupError):
        filename = None
    return Attachment(safe_filename(filename, content_type, number), content_type, data)


def _text_and_attachments(message: EmailMessage) -> tuple[str, list[Attachment]]:
    body = _body_part(message)
    text = ""
    if body is not None:
        content = _part_text(body)
        text = html_to_text(content) if body.get_content_subtype() == "html" else tidy(content)
    attachments: list[Attachment] = []
    for part in _leaves(message):
        if part is body:
            continue
        content_type = part.get_content_type()
        named = part.get_filename() is not None or part.get_content_disposition() == "attachment"
        if content_type in ("message/delivery-status", "text/rfc822-headers"):
            continue
        if part.get_content_maintype() == "text" and not named:
            continue  # the other form of the text (HTML beside plain)
        if _inline_image(part) and not named:
            continue
        if _inline_image(part) and len(part.get_payload() or "") < 100_000:
            continue  # image001.png in a signature
        found = _attachment(part, len(attachments) + 1)
        if found is not None:
            attachments.append(found)
    return text[:MAX_TEXT], attachments


# -- delivery reports ---------------------------------------------------------------------

def _report_fields(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    parser = HeaderParser(policy=policy.compat32)
    return [parser.parsestr(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _bounces(message: Message) -> tuple[list[Bounce], str | None]:
    """The failed recipients of a delivery report and the Message-ID it is about."""
    if message.get_content_type() != "multipart/report":
        return [], None
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return [], None
    bounces: list[Bounce] = []
    original: str | None = None
    for part in _leaves(message):
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _report_fields(part):
                recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient")
                                or "")
                address = normal_address(recipient.rpartition(";")[2])
                if "@" not in address:
                    continue
                bounces.append(Bounce(
                    address=address[:255],
                    action=" ".join(str(block.get("Action") or "").split()).lower()[:16],
                    status=" ".join(str(block.get("Status") or "").split())[:16],
                    diagnostic=" ".join(str(block.get("Diagnostic-Code") or "").split())[:500],
                ))
        elif kind in ("text/rfc822-headers", "message/rfc822") and original is None:
            if kind == "message/rfc822" and part.is_multipart():
                inner = part.get_payload(0)
                headers = inner if isinstance(inner, Message) else None
            else:
                headers = HeaderParser(policy=policy.compat32).parsestr(_part_text(part))
            ids = message_ids(str(headers.get("Message-ID") or "")) if headers else []
            original = ids[0] if ids else None
    return [b for b in bounces if b.action in ("failed", "")], original


# -- the whole message --------------------------------------------------------------------

def message_key(message_id: str | None, raw: bytes, message: Message) -> str:
    """The Message-ID, or for a message without one a hash of the headers that identify
    it and of its body (the same message read twice gives the same key)."""
    if message_id and len(message_id) <= 250:
        return message_id
    match = _HEADER_END.search(raw)
    body = raw[match.end():] if match else b""
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Date", "Subject", "Message-ID"):
        digest.update(f"{name}:{_raw_header(message, name)}\n".encode("utf-8", "replace"))
    digest.update(body.replace(b"\r\n", b"\n"))
    return f"sha256:{digest.hexdigest()}"


def _header_block(raw: bytes) -> str:
    match = _HEADER_END.search(raw)
    block = raw[:match.start()] if match else raw[:MAX_HEADERS * 2]
    return decode_bytes(block[:MAX_HEADERS * 2], "utf-8")[:MAX_HEADERS]


def _recipients(message: Message) -> list[str]:
    names = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
    return list(dict.fromkeys(address for _name, address in _addresses(message, *names)))


def parse_message(raw: bytes, headers_only: bool = False) -> ParsedMail:
    """Read one message (its bytes as the server gave them). With `headers_only` the
    bytes are just its header block (a message too large to download)."""
    parsed_message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=headers_only)
    message = parsed_message if isinstance(parsed_message, EmailMessage) else EmailMessage()
    ids = message_ids(_raw_header(message, "Message-ID"))
    message_id = ids[0] if ids else None
    subject = _header(message, "Subject")[:255]
    from_name, from_address = _sender(message)
    parsed = ParsedMail(
        key=message_key(message_id, raw, message),
        message_id=message_id,
        in_reply_to=message_ids(_raw_header(message, "In-Reply-To")),
        references=message_ids(_raw_header(message, "References")),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        recipients=_recipients(message),
        sent_at=_date(message),
        content_language=_header(message, "Content-Language"),
        headers=_header_block(raw),
        size=len(raw),
    )
    parsed.automatic = automatic_reason(message, subject)
    parsed.no_reply = _no_reply(from_address)
    if headers_only:
        return parsed
    parsed.bounces, parsed.bounced_message_id = _bounces(message)
    parsed.text, parsed.attachments = _text_and_attachments(message)
    return parsed

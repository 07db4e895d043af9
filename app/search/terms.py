"""What someone typed into a search box, as words the full-text indexes can look up.

The words are made of letters, digits and combining marks only (Bengali vowel signs
are marks), so that nothing a user types is ever read as FTS5 or boolean-mode syntax:
quotes, `*`, `-`, `+`, `(`, `NEAR(` and the like are separators. Words shorter than
`MIN_WORD` are not in MariaDB's index (innodb_ft_min_token_size): they, and the text
as typed, are looked for in the references instead, on both databases alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from app.public.params import ParamError

MIN_WORD = 3
# InnoDB's default stopwords (information_schema.INNODB_FT_DEFAULT_STOPWORD): MariaDB does
# not index them, so they are not required on either database ("the museum" finds what
# "museum" finds), only looked for in references, like short words.
STOPWORDS = frozenset({
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from",
    "how", "i", "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was",
    "what", "when", "where", "who", "will", "with", "und", "www"})
MAX_WORDS = 10
MAX_QUERY = 200  # characters


@dataclass(frozen=True)
class Terms:
    """A search query taken apart."""

    words: tuple[str, ...]  # for the full-text indexes (at least MIN_WORD long)
    short: tuple[str, ...]  # shorter words and stopwords: looked for in references only
    text: str  # the query as typed, trimmed (a reference, an email address)

    @property
    def address(self) -> bool:
        """The text is an email address (name@domain.tld): looked for whole."""
        name, at, domain = self.text.partition("@")
        return bool(name and at and "." in domain.strip(".") and "@" not in domain
                    and not any(char.isspace() for char in self.text))

    @property
    def address_indexed(self) -> bool:
        """An address whose name (before the @) holds a word of the index, so that the
        index can find it in a text: without one, only its domain's words could be
        looked for, and every address of that domain would match."""
        name = self.text.partition("@")[0]
        return self.address and any(word in self.words for word in split_words(name))

    @property
    def empty(self) -> bool:
        """Nothing to look for (no letter or digit: only spaces, quotes, operators…)."""
        return not (self.words or self.short)


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def split_words(text: str) -> list[str]:
    """The words of `text` (runs of letters, digits and marks), lower case."""
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if _is_word_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    # A word of marks only (no letter or digit) tokenizes to nothing useful.
    return [word.casefold() for word in words
            if any(unicodedata.category(char)[0] in "LN" for char in word)]


def parse_terms(query: str) -> Terms:
    """The terms of a query: distinct words in the order typed, at most MAX_WORDS."""
    text = unicodedata.normalize("NFC", " ".join(query.split()))[:MAX_QUERY]
    seen: list[str] = []
    for word in split_words(text):
        if word not in seen:
            seen.append(word)
    seen = seen[:MAX_WORDS]
    indexed = [word for word in seen if len(word) >= MIN_WORD and word not in STOPWORDS]
    return Terms(words=tuple(indexed), short=tuple(w for w in seen if w not in indexed),
                 text=text)


def parse_query(args: Mapping[str, str]) -> str:
    """The `q` argument of an address (the public list's search box), or ParamError when
    it is longer than a search box allows."""
    query = args.get("q") or ""
    if len(query) > MAX_QUERY:
        # Translators: an error of the search box; %(max)s is a number of characters.
        raise ParamError(_("Search for at most %(max)s characters.", max=MAX_QUERY))
    return query

"""The User-Agent of every HTTP request the tool makes: the web app's OAuth calls to
the wiki, and the mirror bot's reads of the app's API and pywikibot's requests.

One function builds it, after https://meta.wikimedia.org/wiki/User-Agent_policy:
``<client>/<version> (<url>; <contact>) <library>/<version> …``. It lives outside
`app` and `bot` because the bot is a separate program that must not import the
Flask app to send a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

VERSION = "0.1.0"
WEB_CLIENT = "ContentPartnershipsHelpdesk"
BOT_CLIENT = "ContentPartnershipsHelpdeskBot"

_UNSAFE = re.compile(r"[\s()]+")  # a header is one line; parentheses would end the comment


def _clean(text: str) -> str:
    return " ".join(text.split())


def user_agent(client: str, url: str, contact: str = "", *, version: str = VERSION,
               libraries: Iterable[str] = ()) -> str:
    """``client/version (url; contact) library/version …``; an empty contact is left out.

    `url` is where the tool is described (its source or its public address) and
    `contact` how to reach its operators (an email address or a talk page URL).
    """
    about = "; ".join(_clean(part).replace("(", "[").replace(")", "]")
                      for part in (url, contact) if part and part.strip())
    product = f"{_UNSAFE.sub('-', client)}/{_UNSAFE.sub('-', version)}"
    extras = " ".join(_UNSAFE.sub("-", library) for library in libraries if library)
    return f"{product} ({about})" + (f" {extras}" if extras else "")

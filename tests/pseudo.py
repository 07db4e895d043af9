"""A pseudo-locale built at test time, to find visible text that skips translation.

Every message of the source is extracted the way `make translations` does it
(babel.cfg's mapping, the same keywords), and "translated" into a visibly altered
copy of itself: wrapped in ⟦ ⟧, every Latin letter accented (a → á …), while
placeholders (``%(name)s``, ``%s``, ``{name}``), HTML tags and entities and URLs
are kept exactly. The catalogue is compiled to
``<folder>/<PSEUDO_LOCALE>/LC_MESSAGES/messages.mo``.

Babel knows no private-use pseudo-locale (``en_XA`` and ``qps`` are not in its
CLDR data), so a real locale the tool does not ship plays the part: Esperanto.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

PSEUDO_LOCALE = "eo"
OPEN, CLOSE = "⟦", "⟧"

# The keywords of `make translations` (pybabel's defaults plus -k _l -k lazy_gettext
# -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
COMMENT_TAGS = ["Translators:"]

_LOWER = "áƀçďéƒĝĥíĵķĺɱñóþǫŕšţúṽŵẋýž"
_UPPER = "ÁƁÇĎÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŢÚṼŴẊÝŽ"
ACCENTS = str.maketrans("abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                        _LOWER + _UPPER)

# Pieces of a message that must come through untouched.
KEEP = re.compile(
    r"%\([^)]*\)[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z]"  # %(name)s, %(count)d
    r"|%[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z%]"  # %s, %d, %%, strftime's %Y
    r"|\{[^{}]*\}"  # {name} (str.format)
    r"|<[^<>]*>"  # HTML tags (and their attributes)
    r"|&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);"  # entities
    r"|https?://[^\s<>\"')]+"  # URLs
)


def pseudo(text: str) -> str:
    """The pseudo-translation of one message: ⟦accented⟧, placeholders kept."""
    if not text:
        return text
    pieces: list[str] = []
    position = 0
    for match in KEEP.finditer(text):
        pieces.append(text[position:match.start()].translate(ACCENTS))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(text[position:].translate(ACCENTS))
    return OPEN + "".join(pieces) + CLOSE


def extract_catalogue(root: Path) -> Catalog:
    """Every message of the source, as `pybabel extract -F babel.cfg` finds them."""
    with (root / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    catalog = Catalog(project="Content Partnerships Helpdesk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def pseudo_catalogue(template: Catalog, locale: str = PSEUDO_LOCALE) -> Catalog:
    """A catalogue for `locale` whose every message (and plural form) is pseudo-translated."""
    catalog = Catalog(locale=locale, project=template.project, charset="utf-8",
                      fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if not isinstance(message.id, str):  # plural: (singular, plural)
            singular, plural = message.id[0], message.id[1]
            forms = [pseudo(singular)] + [pseudo(plural)] * (catalog.num_plurals - 1)
            string: str | tuple[str, ...] = tuple(forms)
        else:
            string = pseudo(message.id)
        catalog.add(message.id, string, list(message.locations), flags=message.flags,
                    context=message.context)
    return catalog


def build(root: Path, folder: Path, locale: str = PSEUDO_LOCALE) -> tuple[Path, Catalog]:
    """Extract, pseudo-translate and compile; return the .mo file and the template."""
    template = extract_catalogue(root)
    catalog = pseudo_catalogue(template, locale)
    target = folder / locale / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        write_mo(out, catalog, use_fuzzy=False)
    return target, template

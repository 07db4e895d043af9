"""Form pieces that more than one feature uses: input clean-up and the short name in an address."""

from __future__ import annotations

import re
from typing import Any, TypeAlias

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

Message: TypeAlias = str | LazyString


def clean(value: Any) -> Any:
    """Text without NUL bytes and surrounding white space (other values unchanged)."""
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    return value


# Bidirectional formatting characters (embeddings, overrides, isolates and the two marks):
# invisible, and in a one-line name they only serve to make it display as something else
# (U+202E turns "gnp.exe" into "exe.png"). MediaWiki strips them from page titles too.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_line(value: Any) -> Any:
    """A one-line name or title: `clean`, and without bidi controls. Free text (a
    description, a message) keeps them; every page shows user text isolated anyway."""
    value = clean(value)
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value).strip()
    return value


def slug_field(max_length: int, *, missing: Message, wrong: Message,
               description: Message) -> StringField:
    """The short name of a new page in its address (a 'slug'), like filling-the-gaps in
    /groups/filling-the-gaps: 2 to `max_length` lower-case letters (a–z), digits and
    hyphens. `missing` and `wrong` are the errors for no name and a wrong one."""
    return StringField(
        # Translators: a form label: the part of a page's web address (a 'slug'), e.g.
        # licence-checks in /guidelines/licence-checks or filling-the-gaps in
        # /groups/filling-the-gaps.
        _l("Short name in the address"), filters=[clean],
        validators=[DataRequired(message=missing),
                    Regexp(rf"^[a-z0-9-]{{2,{max_length}}}$", message=wrong)],
        description=description,
        render_kw={"maxlength": max_length},
    )

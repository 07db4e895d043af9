"""What the mail pages show people: what became of a message, why a file was not kept."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.cases.labels import Vocabulary
from app.mail import models

OUTCOMES: Vocabulary = {
    # Translators: what became of an email the helpdesk received: it opened a new request.
    models.NEW_REQUEST: _l("Opened a new request"),
    # Translators: what became of an email the helpdesk received: it was added to its request as the
    # requester's message.
    models.REPLY: _l("Added to its request"),
    # Translators: what became of an email the helpdesk received: it answered the Expert
    # Committee's questions, and the request went back to review.
    models.ANSWER: _l("Answered the committee's questions"),
    # Translators: what became of an email the helpdesk received: an automatic message (an
    # out-of-office notice, a mailing list…), stored and never answered.
    models.AUTO_REPLY: _l("Automatic message, not answered"),
    # Translators: what became of an email the helpdesk received: a report that an email of the
    # helpdesk could not be delivered.
    models.BOUNCE: _l("Delivery failure report"),
    # Translators: what became of an email the helpdesk received: it was sent by the helpdesk tool
    # itself, so it was ignored.
    models.OWN: _l("Sent by the helpdesk itself, ignored"),
    # Translators: what became of an email the helpdesk received: held back because its sender sent
    # too many in an hour; the helpdesk can let it through or discard it.
    models.HELD: _l("Held back: too many from this sender"),
    # Translators: what became of an email the helpdesk received: too large to read; the sender
    # got a polite answer.
    models.TOO_LARGE: _l("Too large, refused politely"),
    # Translators: what became of an email the helpdesk received: the helpdesk threw it away.
    models.DISCARDED: _l("Discarded by the helpdesk"),
}

REFUSED: Vocabulary = {
    # Translators: after the name of a file sent by email that the helpdesk did not keep.
    "too_large": _l("not kept: too large"),
    # Translators: after the name of a file sent by email that the helpdesk did not keep.
    "type": _l("not kept: this kind of file is not accepted"),
}

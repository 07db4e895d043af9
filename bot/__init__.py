"""The Meta-Wiki mirror bot: `python -m bot sync` (see bot/README.md).

It reads the Helpdesk app's public JSON API over HTTP — never the database — and
keeps a generated block on a cases overview page, a status page and one roster
page per working group up to date, with pywikibot.
"""

__version__ = "0.1.0"

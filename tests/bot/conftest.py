"""The bot's integration fixtures (tests/bot_fixtures.py), registered once for tests/bot/:
one throwaway MediaWiki for the whole session, the app served per test."""

from tests.bot_fixtures import bot_wiki, served_app

__all__ = ["bot_wiki", "served_app"]

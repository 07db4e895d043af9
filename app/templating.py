"""What every template can use: the user, roles, languages, navigation."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import format_datetime, get_locale

from . import i18n, vocab
from .roles import current_roles


def _page_language() -> str:
    locale = get_locale()
    return str(locale) if locale else i18n.SOURCE_LANGUAGE


def template_context() -> dict[str, Any]:
    """Variables for the base layout (none outside a request, e.g. for emails)."""
    if not has_request_context():
        return {}
    lang = _page_language()
    args = {key: value for key, value in request.args.items() if key != "uselang"}
    return {
        "current_user": g.get("user"),
        "user_roles": current_roles(),
        "page_lang": lang.replace("_", "-"),
        "page_dir": i18n.text_direction(lang),
        "languages": [(code, i18n.language_name(code)) for code in i18n.available_languages()],
        "current_args": args,
        "source_url": current_app.config["SOURCE_URL"],
        "view_endpoints": current_app.view_functions,
    }


def vocab_label(name: str, code: str | None) -> str:
    """Label of a code in one of app.vocab's vocabularies."""
    return vocab.label(getattr(vocab, name), code)


def vocab_labels(name: str, codes: list[str] | None) -> str:
    """Labels of several codes, comma-separated."""
    return ", ".join(vocab_label(name, code) for code in codes or [])


def vocab_choices(name: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a vocabulary."""
    return vocab.choices(getattr(vocab, name))


def init_app(app: Flask) -> None:
    """Register the context processor, globals and filters."""
    app.context_processor(template_context)
    app.jinja_env.globals.update(vocab_label=vocab_label, vocab_labels=vocab_labels,
                                 vocab_choices=vocab_choices)
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )

"""HTML pages of the stand-in (consent form, out-of-band verifier, errors)."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import DictLoader, Environment, select_autoescape

from dev.standin.accounts import DemoAccount

HEADING = "Sign in to the Content Partnerships Helpdesk (local OAuth stand-in)"

_BASE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} – local OAuth stand-in</title>
<style>
body { font-family: sans-serif; line-height: 1.5; margin: 0 auto; max-width: 40rem;
       padding: 1rem; color: #202122; }
fieldset { border: 1px solid #a2a9b1; padding: 0.5rem 1rem; margin: 1rem 0; }
.account { margin: 0.5rem 0; }
.role { color: #54595d; }
button { font-size: 1rem; padding: 0.4rem 1rem; margin-right: 0.5rem; }
:focus-visible { outline: 3px solid #36c; outline-offset: 2px; }
.notice { background: #fef6e7; border: 1px solid #fc3; padding: 0.5rem 1rem; }
</style>
</head>
<body>
<main>
{% block main %}{% endblock %}
</main>
</body>
</html>
"""

_CONSENT = """{% extends "base.html" %}
{% block title %}Sign in{% endblock %}
{% block main %}
<h1>{{ heading }}</h1>
<p class="notice">This is a local stand-in for Meta-Wiki, for development and tests only.
No password is needed: choose a demo account to sign in as.</p>
<p>The application <strong>{{ consumer_key }}</strong> wants to confirm your Wikimedia
identity (username, edit count, groups and block status).</p>
<form method="post" action="{{ action }}">
<input type="hidden" name="oauth_token" value="{{ oauth_token }}">
<input type="hidden" name="form_token" value="{{ form_token }}">
<fieldset>
<legend>Demo account</legend>
{% for account in accounts %}
<div class="account">
<input type="radio" name="account" id="account-{{ loop.index }}"
 value="{{ account.username }}"{% if loop.first %} required{% endif %}>
<label for="account-{{ loop.index }}"><bdi>{{ account.username }}</bdi>
<span class="role">– {{ account.description }}</span></label>
</div>
{% endfor %}
</fieldset>
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
{% endblock %}
"""

_MESSAGE = """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block main %}
<h1>{{ title }}</h1>
<p{% if alert %} role="alert"{% endif %}>{{ message }}</p>
{% if verifier %}
<dl>
<dt>Verification code (oauth_verifier)</dt><dd><code>{{ verifier }}</code></dd>
<dt>Request token (oauth_token)</dt><dd><code>{{ oauth_token }}</code></dd>
</dl>
{% endif %}
{% endblock %}
"""

_env = Environment(
    loader=DictLoader({"base.html": _BASE, "consent.html": _CONSENT, "message.html": _MESSAGE}),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def consent_page(
    *,
    action: str,
    oauth_token: str,
    form_token: str,
    consumer_key: str,
    accounts: Sequence[DemoAccount],
) -> str:
    """Render the account-picker / consent form."""
    return _env.get_template("consent.html").render(
        heading=HEADING,
        action=action,
        oauth_token=oauth_token,
        form_token=form_token,
        consumer_key=consumer_key,
        accounts=accounts,
    )


def message_page(
    title: str,
    message: str,
    *,
    alert: bool = False,
    verifier: str | None = None,
    oauth_token: str | None = None,
) -> str:
    """Render a simple page with a heading and one message."""
    return _env.get_template("message.html").render(
        title=title, message=message, alert=alert, verifier=verifier, oauth_token=oauth_token
    )

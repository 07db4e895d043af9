"""Public case list, public case page and the Atom feed."""

from flask import Blueprint

bp = Blueprint("public", __name__)

"""Routes of the partners pages."""

from flask import Blueprint

bp = Blueprint("partners", __name__)

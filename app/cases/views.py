"""The case page and every action on it."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

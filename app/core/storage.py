"""Private files on disk: attachments of requests, messages and incoming mail, and held
messages kept whole. The one place the tool writes files.

Each file gets a random name (never the sender's) under ATTACHMENTS_DIR, in folders
only the tool's account may open (0700) and files only it may read (0600). Nothing
serves this folder; the app streams a file only to those allowed to see it. On
Toolforge ATTACHMENTS_DIR is a folder of the tool's home, so every job that reads or
writes it (the web service, the mail fetch) needs the home mounted.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from pathlib import Path

_NAME = re.compile(r"^[0-9a-f]{32}(\.eml)?$")


def _folder(root: Path, name: str) -> Path:
    return root / name[:2]


def path_of(root: Path, name: str) -> Path:
    """Where a stored file is; ValueError for a name the tool never gave."""
    if not _NAME.match(name):
        raise ValueError("not a stored file's name")
    return _folder(root, name) / name


def store(root: Path, data: bytes, suffix: str = "") -> tuple[str, str]:
    """Write `data` to a new private file; returns its name and SHA-256."""
    name = secrets.token_hex(16) + suffix
    folder = _folder(root, name)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for directory in (root, folder):
        directory.chmod(0o700)
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    return name, hashlib.sha256(data).hexdigest()


def read(root: Path, name: str) -> bytes:
    """The bytes of a stored file."""
    return path_of(root, name).read_bytes()


def sanitised_name(name: str, limit: int = 255) -> str:
    """A file name fit to show and to offer as a download name: no folders, no control or
    bidi characters, no leading dots, at most `limit` characters (the extension kept)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip().lstrip(".").strip()
    if len(base) > limit:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            base = stem[:limit - len(extension) - 1] + "." + extension
        else:
            base = base[:limit]
    return base or "file"


def extension_of(name: str) -> str:
    """The file extension, lower case, without its dot ("" when there is none)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def remove(root: Path, name: str | None) -> None:
    """Delete a stored file (nothing when it is already gone)."""
    if name:
        path_of(root, name).unlink(missing_ok=True)

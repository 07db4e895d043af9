"""Demo accounts offered on the stand-in's consent page.

Each :class:`DemoAccount` plays the part of a Wikimedia user as Meta-Wiki would
describe it in the ``Special:OAuth/identify`` JWT.  ``central_id`` is the
CentralAuth user id (the JWT ``sub``); it stays the same across renames, so a
test can model a renamed user by adding a second account with the same
``central_id`` and a new ``username``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_GROUPS: tuple[str, ...] = ("*", "user", "autoconfirmed")
DEFAULT_REGISTERED = "20190101000000"

# A small, plausible subset of MediaWiki rights per group.
_GROUP_RIGHTS: dict[str, tuple[str, ...]] = {
    "*": ("read", "createaccount"),
    "user": ("read", "edit", "createpage", "createtalk", "move", "upload"),
    "autoconfirmed": ("autoconfirmed", "editsemiprotected"),
    "sysop": ("block", "delete", "protect", "editprotected", "undelete"),
}


@dataclass(frozen=True)
class DemoAccount:
    """One account a developer or test can "sign in" as.

    ``registered`` is a MediaWiki timestamp (``YYYYMMDDHHMMSS``).
    ``groups`` are the effective user groups reported in the JWT.
    """

    username: str
    central_id: int
    description: str
    editcount: int = 0
    confirmed_email: bool = True
    blocked: bool = False
    registered: str = DEFAULT_REGISTERED
    groups: tuple[str, ...] = DEFAULT_GROUPS

    def rights(self) -> list[str]:
        """Return the rights implied by :attr:`groups`, in a stable order."""
        return rights_for_groups(self.groups)


def rights_for_groups(groups: Iterable[str]) -> list[str]:
    """Return the de-duplicated rights for ``groups`` (unknown groups add none)."""
    rights: list[str] = []
    for group in groups:
        for right in _GROUP_RIGHTS.get(group, ()):
            if right not in rights:
                rights.append(right)
    return rights


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "Ada Requester",
        1001,
        "Requester: files a request for help",
        editcount=42,
        registered="20190101000000",
    ),
    DemoAccount(
        "Ngozi Committee",
        1002,
        "Expert Committee member",
        editcount=5120,
        registered="20120315093000",
    ),
    DemoAccount(
        "Mei Committee",
        1003,
        "Expert Committee member",
        editcount=3877,
        registered="20140704120000",
    ),
    DemoAccount(
        "Carlos Committee",
        1004,
        "Expert Committee member",
        editcount=2210,
        registered="20160211081500",
    ),
    DemoAccount(
        "Sven Helpdesk",
        1005,
        "Helpdesk staff",
        editcount=9876,
        registered="20100922140000",
    ),
    DemoAccount(
        "Leila Lead",
        1006,
        "Working-group lead",
        editcount=15003,
        registered="20090118101010",
    ),
    DemoAccount(
        "Admin Demo",
        1007,
        "Administrator",
        editcount=25000,
        registered="20080101000000",
        groups=("*", "user", "autoconfirmed", "sysop"),
    ),
    DemoAccount(
        "Blocked Example",
        1008,
        "A blocked account",
        editcount=7,
        blocked=True,
        registered="20200601000000",
    ),
    DemoAccount(
        "Omar Requester",
        1009,
        "Another requester",
        editcount=3,
        confirmed_email=False,
        registered="20230405060708",
    ),
)

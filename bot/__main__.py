"""`python -m bot sync [--dry-run] [--only cases|groups|meetings] [--accept-drift PAGE]…`

Exit status: 0 all pages in sync (or skipped by {{nobots}}); 1 drift, or a page the
wiki refused or the bot could not handle; 2 stop and retry next run: bad
configuration, the app's API or the wiki unreachable or answering garbage, the wiki
lagged (maxlag) or failing with server errors after the retries, bad credentials,
or the state file unusable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .config import BotConfig, ConfigError
from .sync import EXIT_FATAL, ONLY_CHOICES, SyncReport, run_sync

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Mirror the Helpdesk's public case list, working-group rosters and "
                    "committee minutes to wiki pages, in several languages. Configured by "
                    "environment variables; see bot/README.md.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sync = commands.add_parser("sync", help="update the wiki pages from the app's public API")
    sync.add_argument("--dry-run", action="store_true",
                      help="print a unified diff per page that would change; edit nothing")
    sync.add_argument("--only", choices=ONLY_CHOICES,
                      help="only the cases overview, archive and status pages; only the "
                           "rosters; or only the committee meetings' pages")
    sync.add_argument("--accept-drift", action="append", default=[], metavar="PAGE",
                      help="overwrite PAGE's block although it was edited on the wiki "
                           "(repeatable; the full page title)")
    sync.add_argument("--allow-empty", action="store_true",
                      help="write the cases pages even if the app suddenly lists no cases")
    sync.add_argument("-v", "--verbose", action="store_true",
                      help="log every HTTP request and pywikibot's own messages")
    return parser


def print_report(report: SyncReport) -> None:
    """The human-readable end of a run, on stderr (stdout holds only dry-run diffs)."""
    for page in report.pages:
        if page.action in ("drift", "error"):
            continue
        note = f" ({page.message})" if page.message else ""
        revision = f" → revision {page.revid}" if page.revid and page.action != "unchanged" else ""
        log.info("%s: %s%s%s", page.title, page.action, revision, note)
    for warning in report.warnings:
        log.warning("%s", warning)
    for page in report.errors:
        log.error("NOT SAVED [[%s]]: %s", page.title, page.message)
    for page in report.drift:
        log.error("%s\n%s", page.message, page.diff.rstrip("\n"))
    if report.fatal:
        log.error("FAILED: %s", report.fatal)
    log.info("%s", report.summary_line())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(message)s" if args.verbose else "%(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        config = BotConfig.from_env()
    except ConfigError as error:
        log.error("configuration error: %s", error)
        return EXIT_FATAL
    if not args.dry_run and not (config.username and config.password):
        log.error("configuration error: BOT_USERNAME and BOT_PASSWORD are needed to edit "
                  "(a BotPassword; see bot/README.md). --dry-run works without them.")
        return EXIT_FATAL
    report = run_sync(config, dry_run=args.dry_run, only=args.only,
                      accept_drift=args.accept_drift, allow_empty=args.allow_empty,
                      verbose=args.verbose)
    print_report(report)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())

"""The `kiosk-platform` command: serve the API, load demo data and timetables, kiosks, staff,
reports."""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import sys
import threading
from pathlib import Path

from platformdirs import user_data_dir

from service_platform import clock, compaction, complaints, migrations, operators, schema
from service_platform.db import Database

DEFAULT_PORT = 8700
DB_ENV = "KIOSK_PLATFORM_DB"


def default_db() -> str:
    return os.environ.get(DB_ENV) or str(Path(user_data_dir("kiosk-platform")) / "platform.sqlite3")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    db = Database(args.db)
    try:
        migrations.migrate(db)
        return args.run(db, args)
    except operators.OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-platform", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=default_db(),
                        help="SQLite file path or postgresql+psycopg:// URL "
                             f"(default: ${DB_ENV} or the user data directory)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[common], help="run the HTTP API")
    serve.add_argument("--demo", action="store_true", help="load the demo community if missing")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--quiet", action="store_true", help="no access log")
    serve.add_argument("--console-idle-minutes", type=float, default=30.0, metavar="MINUTES",
                       help="sign console operators out after this long without a request "
                            "(an open help queue counts as a request)")
    serve.add_argument("--complete-every", type=float, default=10.0, metavar="MINUTES",
                       help="mark bookings of past slots completed this often (0: never)")
    serve.add_argument("--compact-every", type=float, default=60.0, metavar="MINUTES",
                       help="compact the change feeds this often (0: never; protocol §5.1)")
    serve.add_argument("--keep-days", type=int, default=compaction.KEEP_DAYS, metavar="DAYS",
                       help="history kept in the feeds when compacting")
    _add_connection_options(serve)
    _add_escalation_options(serve)
    serve.set_defaults(run=_serve)

    compact = commands.add_parser("compact-feed", parents=[common],
                                  help="compact every community's change feed now (§5.1)")
    compact.add_argument("--keep-days", type=int, default=compaction.KEEP_DAYS, metavar="DAYS")
    compact.set_defaults(run=_compact_feed)

    init = commands.add_parser("init-demo", parents=[common], help="load the demo community")
    init.set_defaults(run=_init_demo)

    community = commands.add_parser("add-community", parents=[common], help="add a community")
    community.add_argument("id")
    community.add_argument("--name", required=True)
    community.add_argument("--tz", default="Asia/Shanghai")
    community.set_defaults(run=_add_community)

    add = commands.add_parser("add-kiosk", parents=[common],
                              help="add a kiosk and print its one-time enrolment code")
    add.add_argument("--community", required=True)
    add.add_argument("--name", default="kiosk")
    add.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}",
                     help="the platform address the kiosk should use (goes into the QR code)")
    add.add_argument("--ttl-hours", type=float, default=7 * 24)
    add.set_defaults(run=_add_kiosk)

    revoke = commands.add_parser("revoke-kiosk", parents=[common], help="revoke a kiosk")
    revoke.add_argument("kiosk_id")
    revoke.set_defaults(run=_revoke_kiosk)

    load = commands.add_parser("load", parents=[common],
                               help="load a community's timetable file (docs/deploy.md)")
    load.add_argument("file", type=Path)
    load.add_argument("--community", required=True)
    load.add_argument("--dry-run", action="store_true",
                      help="say what would change, change nothing")
    load.set_defaults(run=_load)
    _add_staff_commands(commands, common)
    _add_operator_commands(commands, common)
    _add_notification_commands(commands, common)
    return parser


def _add_staff_commands(commands, common: argparse.ArgumentParser) -> None:
    staff = commands.add_parser("add-staff", parents=[common],
                                help="add a social worker and print the staff id")
    staff.add_argument("--community", required=True)
    staff.add_argument("--name", required=True)
    staff.set_defaults(run=_add_staff)

    gone = commands.add_parser("deactivate-staff", parents=[common],
                               help="deactivate a staff member")
    gone.add_argument("staff_id")
    gone.set_defaults(run=_deactivate_staff)

    complete = commands.add_parser("complete-bookings", parents=[common],
                                   help="mark confirmed bookings of ended slots completed")
    complete.add_argument("--community")
    complete.add_argument("--before", type=_timestamp, help="ISO timestamp with offset "
                                                             "(default: now)")
    complete.set_defaults(run=_complete_bookings)

    for name, run, what in (("ratings", _ratings, "ratings per provider"),
                            ("complaints", _complaints, "complaints, newest first"),
                            ("help-requests", _help_requests, "help requests, newest first"),
                            ("audit", _audit, "the staff audit log, newest first")):
        report = commands.add_parser(name, parents=[common], help=f"print {what}")
        report.add_argument("--community")
        report.add_argument("--limit", type=int, default=100)
        report.add_argument("--json", action="store_true", help="one JSON object per line")
        report.set_defaults(run=run)


def _add_connection_options(serve: argparse.ArgumentParser) -> None:
    from service_platform import admission
    from service_platform.serving import Limits

    limits = Limits()
    serve.add_argument("--keep-alive", type=float, default=limits.keep_alive_s,
                       metavar="SECONDS", help="close a connection idle this long between "
                                               "requests")
    serve.add_argument("--header-timeout", type=float, default=limits.header_timeout_s,
                       metavar="SECONDS", help="close a connection whose request's head has not "
                                               "come this long after it opened (or after the "
                                               "last answer)")
    serve.add_argument("--body-timeout", type=float, default=limits.body_timeout_s,
                       metavar="SECONDS", help="close a connection whose request's body has "
                                               "not all come this long after its head")
    serve.add_argument("--max-connections", type=int, default=limits.max_connections,
                       metavar="N", help="answer further connections 503 and close them "
                                         "(fewer if the open-file limit needs it)")
    serve.add_argument("--max-in-progress", type=int, default=admission.DEFAULT_BOUND,
                       metavar="N", help="answer kiosk calls beyond N in progress at once with "
                                         "503 and Retry-After, each process (a short queue "
                                         "rather than a slow one)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="serve from N processes on one port (PostgreSQL only; several "
                            "hosts behind a load balancer work the same way)")


def _timestamp(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("a timestamp needs an offset, e.g. +08:00")
    return moment


def _serve(db: Database, args) -> int:
    from service_platform import serving
    from service_platform.app import create_app

    if args.workers > 1 and db.is_sqlite:
        print("error: --workers needs PostgreSQL: SQLite lets one writer in at a time, so more "
              "processes would only wait for each other (docs/performance.md)", file=sys.stderr)
        return 2
    if args.demo:
        if operators.init_demo(db):
            logging.getLogger(__name__).info("demo community loaded")
        _print_demo_operators(db, args)
    stop = threading.Event()
    if args.complete_every > 0:
        threading.Thread(target=_complete_periodically, args=(db, args.complete_every * 60, stop),
                         name="completer", daemon=True).start()
    _start_escalation(db, args, stop)
    if args.compact_every > 0:
        threading.Thread(target=_compact_periodically, args=(
            db, args.compact_every * 60, args.keep_days, stop), name="compactor",
            daemon=True).start()
    limits = serving.Limits(args.keep_alive, args.header_timeout, args.body_timeout,
                            args.max_connections)
    try:
        if args.workers > 1:
            # Background jobs (completing, escalating) run here, once; the workers only serve.
            serving.serve_workers(args.workers, serving.Worker(
                db.url, limits, not args.quiet, args.console_idle_minutes,
                args.max_in_progress), args.host, args.port)
            return 0
        app = create_app(db, console_idle=dt.timedelta(minutes=args.console_idle_minutes),
                         max_in_progress=args.max_in_progress)
        # Consoles keep event streams open: a stop waits for them at most a few seconds.
        serving.serve(app, args.host, args.port, limits, access_log=not args.quiet,
                      graceful_shutdown_s=5)
    finally:
        stop.set()
    return 0


def _complete_periodically(db: Database, seconds: float, stop: threading.Event) -> None:
    """Bookings of slots that are over become `completed`, every `seconds`."""
    log = logging.getLogger(__name__)
    while not stop.wait(seconds):
        try:
            done = operators.complete_bookings(db)
        except Exception:  # a busy or absent database must not end the platform
            log.warning("completing past bookings failed", exc_info=True)
            continue
        if done:
            log.info("%d booking(s) completed", done)


def _compact_periodically(db: Database, seconds: float, keep_days: int,
                          stop: threading.Event) -> None:
    """The feeds compacted every `seconds` (several processes or hosts may: it is idempotent,
    and each community's compaction holds its feed head's lock)."""
    log = logging.getLogger(__name__)
    while not stop.wait(seconds):
        try:
            compaction.compact_all(db, keep_days)
        except Exception:  # a busy or absent database must not end the platform
            log.warning("compacting the feeds failed", exc_info=True)


def _compact_feed(db: Database, args) -> int:
    for community_id, done in compaction.compact_all(db, args.keep_days).items():
        print(f"{community_id}: {done.superseded} superseded and {done.retired} retired "
              f"changes dropped; horizon {done.horizon}")
    return 0


def _init_demo(db: Database, _args) -> int:
    print("demo community loaded" if operators.init_demo(db) else "demo community already there")
    return 0


def _add_community(db: Database, args) -> int:
    operators.add_community(db, args.id, args.name, args.tz)
    print(f"community {args.id} added")
    return 0


def _load(db: Database, args) -> int:
    outcome = operators.load_timetable(db, args.community, args.file, args.dry_run)
    for kind, counts in outcome.counts.items():
        if counts.total():
            print(f"{kind}: " + ", ".join(f"{counts[what]} {what}" for what in
                                          ("added", "changed", "removed", "unchanged")
                                          if counts[what]))
    for note in outcome.notes:
        print(f"note: {note}")
    print(f"dry run: nothing changed ({outcome.fed} change(s) would be fed to kiosks)"
          if args.dry_run else f"{outcome.fed} change(s) fed to kiosks of {args.community}")
    return 0


def _add_kiosk(db: Database, args) -> int:
    kiosk_id, code = operators.add_kiosk(db, args.community, args.name,
                                         dt.timedelta(hours=args.ttl_hours))
    print(f"kiosk: {kiosk_id}")
    print(f"enrolment code: {code}")
    print(enrolment_qr(json.dumps({"v": 1, "platform": args.url, "code": code},
                                  separators=(", ", ": "))))
    return 0


def enrolment_qr(text: str) -> str:
    """The QR code of `text` drawn with block characters for a terminal."""
    import qrcode

    qr = qrcode.QRCode(border=2)
    qr.add_data(text)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


def _revoke_kiosk(db: Database, args) -> int:
    returned = operators.revoke_kiosk(db, args.kiosk_id)
    print(f"kiosk {args.kiosk_id} revoked; {returned} lease(s) taken back")
    return 0


def _add_staff(db: Database, args) -> int:
    print(operators.add_staff(db, args.community, args.name))
    return 0


def _deactivate_staff(db: Database, args) -> int:
    operators.deactivate_staff(db, args.staff_id)
    print(f"staff {args.staff_id} deactivated")
    return 0


def _complete_bookings(db: Database, args) -> int:
    done = operators.complete_bookings(db, args.before, args.community)
    print(f"{done} booking(s) completed")
    return 0


def _ratings(db: Database, args) -> int:
    rows = operators.ratings_report(db, args.community)
    header = ("community", "provider", "name", "satisfied", "neutral", "unsatisfied", "total",
              "reasons")
    lines = [(r["community_id"], r["provider_id"], r["name"], r["satisfied"], r["neutral"],
              r["unsatisfied"], r["total"],
              " ".join(f"{code}:{n}" for code, n in r["reasons"].items()))
             for r in rows[:args.limit]]
    return _print(args, rows[:args.limit], header, lines)


def _complaints(db: Database, args) -> int:
    rows = operators.listing(db, schema.complaints, args.community, args.limit)
    now = clock.now()
    header = ("received", "community", "id", "elder", "about", "booking", "provider", "reasons",
              "staff", "state", "due", "owner")
    lines = [(r["received_at"], r["community_id"], r["id"], r["elder_id"], r["about"] or "-",
              r["booking_id"] or "-", r["provider_id"] or "-",
              ",".join(json.loads(r["reasons"])) or "-", r["staff_id"] or "-",
              r["state"] + (" overdue" if complaints.is_overdue(r, now) else ""),
              r["due_at"] or "-", r["owner_id"] or "-") for r in rows]
    return _print(args, rows, header, lines)


def _help_requests(db: Database, args) -> int:
    rows = operators.listing(db, schema.help_requests, args.community, args.limit)
    header = ("received", "community", "id", "elder", "kind", "state", "acknowledged_by",
              "resolved_by")
    lines = [(r["received_at"], r["community_id"], r["id"], r["elder_id"] or "-", r["kind"],
              r["state"], r["acknowledged_by"] or "-", r["resolved_by"] or "-") for r in rows]
    return _print(args, rows, header, lines)


def _audit(db: Database, args) -> int:
    rows = operators.listing(db, schema.audit_log, args.community, args.limit)
    header = ("created", "community", "kiosk", "staff", "action", "subject")
    lines = [(r["created_at"], r["community_id"], r["kiosk_id"], r["staff_id"], r["action"],
              r["subject"]) for r in rows]
    return _print(args, rows, header, lines)


def _print(args, rows: list[dict], header: tuple, lines: list[tuple]) -> int:
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, sort_keys=True))
        return 0
    print("\t".join(header))
    for line in lines:
        print("\t".join(str(cell) for cell in line))
    return 0


# Escalation of unacknowledged help calls and their webhooks (docs/notifications.md).

def _add_escalation_options(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--escalate-every", type=float, default=5.0, metavar="SECONDS",
                       help="escalate overdue help requests and send notifications this often "
                            "(0: never)")
    serve.add_argument("--escalation-minute-seconds", type=float, default=60.0,
                       metavar="SECONDS", help=argparse.SUPPRESS)  # tests shorten a minute
    serve.add_argument("--webhook-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="how long a webhook receiver may take to answer")
    serve.add_argument("--webhook-lease", type=float, default=60.0, metavar="SECONDS",
                       help="how long a process holds a notification it is sending "
                            "(more than --webhook-timeout)")
    serve.add_argument("--webhook-first-retry", type=float, default=10.0, metavar="SECONDS",
                       help="the first retry of a failed webhook, doubling to 15 minutes")


def _start_escalation(db: Database, args, stop: threading.Event) -> None:
    from service_platform import escalation, webhooks

    if args.escalate_every > 0:
        escalation.start(db, stop, args.escalate_every, args.escalation_minute_seconds,
                         webhooks.Delivery(timeout=args.webhook_timeout, lease=args.webhook_lease,
                                           first_retry=args.webhook_first_retry))


def _add_notification_commands(commands, common: argparse.ArgumentParser) -> None:
    add = commands.add_parser("add-webhook", parents=[common],
                              help="send escalated help calls to a URL, signed; prints the secret")
    add.add_argument("url")
    add.add_argument("--community", help="only this community's (default: every community's)")
    add.add_argument("--secret-file", type=Path,
                     help="read the signing secret from this file instead of making one")
    add.set_defaults(run=_add_webhook)

    listing = commands.add_parser("webhooks", parents=[common],
                                  help="list webhooks and their notifications (no secrets)")
    listing.set_defaults(run=_webhooks)

    remove = commands.add_parser("remove-webhook", parents=[common],
                                 help="stop sending to a webhook; its unsent notifications end")
    remove.add_argument("channel_id")
    remove.set_defaults(run=_remove_webhook)

    delay = commands.add_parser("set-escalation", parents=[common],
                                help="minutes a help call may wait unacknowledged (1..120)")
    delay.add_argument("--community", required=True)
    delay.add_argument("--minutes", type=int, required=True)
    delay.set_defaults(run=_set_escalation)


def _add_webhook(db: Database, args) -> int:
    from service_platform import webhooks

    secret = None
    if args.secret_file is not None:
        try:
            secret = args.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise operators.OperatorError(f"cannot read {args.secret_file}: "
                                          f"{exc.strerror}") from exc
    channel_id, secret = db.run_write(
        lambda conn: webhooks.add_channel(conn, args.url, args.community, secret))
    print(f"webhook: {channel_id}")
    if args.secret_file is None:
        print(f"secret (shown once; give it to the receiver): {secret}")
    return 0


def _webhooks(db: Database, _args) -> int:
    from service_platform import webhooks

    with db.read() as conn:
        rows = webhooks.channels(conn)
    print("\t".join(("id", "community", "url", "active", "pending", "delivered", "failed")))
    for r in rows:
        print("\t".join(str(cell) for cell in (
            r["id"], r["community_id"] or "*", r["url"], "yes" if r["active"] else "removed",
            r["pending"], r["delivered"], r["failed"])))
    return 0


def _remove_webhook(db: Database, args) -> int:
    from service_platform import webhooks

    given_up = db.run_write(lambda conn: webhooks.remove_channel(conn, args.channel_id))
    print(f"webhook {args.channel_id} removed; {given_up} unsent notification(s) given up")
    return 0


def _set_escalation(db: Database, args) -> int:
    from service_platform import escalation

    db.run_write(lambda conn: escalation.set_delay(conn, args.community, args.minutes))
    print(f"help calls in {args.community} escalate after {args.minutes} minute(s) "
          "unacknowledged")
    return 0


# Console accounts (docs/console.md).

def _add_operator_commands(commands, common: argparse.ArgumentParser) -> None:
    from service_platform.schema import ROLES

    add = commands.add_parser(
        "add-operator", parents=[common],
        help="add a console account; the password is asked for (or read from --password-file)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown to colleagues")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--community", action="append", default=[], metavar="ID",
                     help="a community the account works in (repeat for a centre manager)")
    add.add_argument("--provider", metavar="ID", help="the provider (role provider)")
    add.add_argument("--password-file", type=Path,
                     help="read the password from this file's first line")
    add.set_defaults(run=_add_operator)

    listing = commands.add_parser("operators", parents=[common], help="list console accounts")
    listing.set_defaults(run=_operators)

    password = commands.add_parser("set-operator-password", parents=[common],
                                   help="give a console account a new password (and unlock it)")
    password.add_argument("username")
    password.add_argument("--password-file", type=Path)
    password.set_defaults(run=_set_operator_password)

    gone = commands.add_parser("deactivate-operator", parents=[common],
                               help="switch a console account off and sign it out everywhere")
    gone.add_argument("username")
    gone.set_defaults(run=_deactivate_operator)


def _read_password(path: Path | None) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    import getpass

    first = getpass.getpass("password: ")
    if sys.stdin.isatty() and getpass.getpass("again: ") != first:
        raise operators.OperatorError("the two passwords differ")
    return first


def _add_operator(db: Database, args) -> int:
    operator_id = operators.add_operator(db, args.username, args.name, args.role,
                                         _read_password(args.password_file), args.community,
                                         args.provider)
    print(f"operator {args.username} added ({operator_id})")
    return 0


def _operators(db: Database, _args) -> int:
    from service_platform.console import accounts

    with db.read() as conn:
        rows = accounts.listing(conn)
    print("username\trole\tactive\tcommunities\tname")
    for row in rows:
        print(f"{row['username']}\t{row['role']}\t{'yes' if row['active'] else 'no'}\t"
              f"{','.join(row['communities']) or '*'}\t{row['display_name']}")
    return 0


def _set_operator_password(db: Database, args) -> int:
    operators.set_operator_password(db, args.username, _read_password(args.password_file))
    print(f"password of {args.username} changed; the account is unlocked")
    return 0


def _deactivate_operator(db: Database, args) -> int:
    operators.deactivate_operator(db, args.username)
    print(f"operator {args.username} switched off and signed out")
    return 0


def _print_demo_operators(db: Database, args) -> None:
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    lines = [f"console (demo data only): http://{host}:{args.port}/console"]
    lines += [f"  {username:<9} password {password:<20} ({role})"
              for username, password, role in operators.demo_operators(db)]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())

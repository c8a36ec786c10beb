"""The `kiosk-platform` command: serve the API, load demo data, add and revoke kiosks."""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

from service_platform import migrations, operators
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
    serve.set_defaults(run=_serve)

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
    return parser


def _serve(db: Database, args) -> int:
    import uvicorn

    from service_platform.app import create_app

    if args.demo and operators.init_demo(db):
        logging.getLogger(__name__).info("demo community loaded")
    uvicorn.run(create_app(db), host=args.host, port=args.port, access_log=not args.quiet,
                log_level="info")
    return 0


def _init_demo(db: Database, _args) -> int:
    print("demo community loaded" if operators.init_demo(db) else "demo community already there")
    return 0


def _add_community(db: Database, args) -> int:
    operators.add_community(db, args.id, args.name, args.tz)
    print(f"community {args.id} added")
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


if __name__ == "__main__":
    sys.exit(main())

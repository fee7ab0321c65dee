"""The `daiban` command line: run the bot, the demo, migrations, roster import, classification."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs
from bot.settings import Settings, SettingsError, load_settings

COMMANDS_HELP = {
    "run": "启动机器人（有 TELEGRAM_BOT_TOKEN 时长轮询，没有时运行演示） / run the bot",
    "demo": "演示：内置假 Bot API + 演示名册 + 一段剧本 / the scripted demo scene",
    "db": "数据库迁移 / database migrations (upgrade, current)",
    "roster": "导入代办员名册 / import the roster (csv or xlsx)",
    "classify": "试分类 / classify requests (text, or --jsonl on stdin)",
    "export": "导出台账 xlsx/csv / export the ledger (tickets of an area and date range)",
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="daiban", description="民事代办 Telegram bot")
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help=COMMANDS_HELP["run"])
    run.add_argument(
        "--web-port", type=int, default=None, help="web server port (default DAIBAN_HTTP_PORT)"
    )
    demo = sub.add_parser("demo", help=COMMANDS_HELP["demo"])
    demo.add_argument("--once", action="store_true", help="print the scene and exit")
    db = sub.add_parser("db", help=COMMANDS_HELP["db"])
    db.add_argument("action", choices=["upgrade", "current"])
    roster = sub.add_parser("roster", help=COMMANDS_HELP["roster"])
    roster.add_argument("action", choices=["import"])
    roster.add_argument("file", type=Path)
    roster.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    sub.add_parser("classify", help=COMMANDS_HELP["classify"], add_help=False)
    export = sub.add_parser("export", help=COMMANDS_HELP["export"])
    export.add_argument("file", type=Path, help="OUT.xlsx or OUT.csv")
    export.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: 30 days ago)")
    export.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
    export.add_argument(
        "--as",
        dest="phone",
        help="export as this roster person (their area and phone rule); default: whole county, "
        "villagers' phones masked",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    # PTB 22 returns retry_after as a timedelta in this mode and stops warning about the change.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["classify"]:  # its own argparse lives in nlp/cli.py
        return _classify(argv[1:])
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    logs.setup(settings.app.log_level)
    if args.command == "db":
        return _db(settings, args.action)
    if args.command == "roster":
        return _roster(settings, args.file, args.dry_run)
    if args.command == "export":
        return _export(settings, args.file, args.start, args.end, args.phone)
    if args.command == "demo" or (args.command == "run" and settings.demo):
        from bot import demo

        once = bool(getattr(args, "once", False))
        return asyncio.run(demo.main(settings, once=once))
    return asyncio.run(_run(settings, args.web_port or settings.web.http_port))


def _classify(argv: list[str]) -> int:
    from bot.settings import AppSettings
    from nlp import cli as nlp_cli

    try:
        app = AppSettings()
    except Exception as exc:
        print(f"配置错误 / configuration error: DAIBAN_CATALOG: {exc}", file=sys.stderr)
        return 2
    catalog = str(app.catalog) if app.catalog else None
    return nlp_cli.run(argv, sys.stdin, sys.stdout, catalog_path=catalog)


def _db(settings: Settings, action: str) -> int:
    from bot.db import current_revision, make_engine, upgrade

    engine = make_engine(settings.database.url)
    if action == "upgrade":
        upgrade(engine)
    print(f"数据库版本 / schema revision: {current_revision(engine)}")
    engine.dispose()
    return 0


def _roster(settings: Settings, path: Path, dry_run: bool) -> int:
    from bot.db import make_engine, upgrade
    from bot.services.context import Deps
    from bot.services.roster import RosterError, import_roster
    from nlp import Classifier

    if not path.is_file():
        print(f"找不到文件 / file not found: {path}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database.url)
    upgrade(engine)
    deps = Deps(
        engine=engine, classifier=Classifier.load(settings.app.catalog), zone=settings.app.zone
    )
    try:
        summary = import_roster(deps, path, dry_run=dry_run)
    except RosterError as exc:
        print(
            f"名册有 {len(exc.errors)} 处问题，未写入任何数据 / roster refused, nothing written:",
            file=sys.stderr,
        )
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if dry_run:
        print(f"名册检查通过：{summary.rows} 行 / roster OK ({summary.rows} rows), nothing written")
    elif not summary.changed:
        print(f"名册没有变化：{summary.rows} 行 / roster unchanged ({summary.rows} rows)")
    else:
        print(
            f"名册已导入：{summary.rows} 行；新增 {summary.created}；更新 {summary.updated}；"
            f"停用代办员 {summary.deactivated} / roster imported"
        )
    return 0


def _export(
    settings: Settings, out: Path, start: str | None, end: str | None, phone: str | None
) -> int:
    from datetime import date, timedelta

    from bot.db import make_engine, upgrade
    from bot.services import ledger
    from bot.services.context import Deps, ServiceError
    from models import Role
    from nlp import Classifier

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        print("台账文件名要以 .xlsx 或 .csv 结尾 / use OUT.xlsx or OUT.csv", file=sys.stderr)
        return 2
    engine = make_engine(settings.database.url)
    upgrade(engine)
    deps = Deps(
        engine=engine, classifier=Classifier.load(settings.app.catalog), zone=settings.app.zone
    )
    today = deps.now().astimezone(deps.zone).date()
    try:
        first = date.fromisoformat(start) if start else today - timedelta(days=30)
        last = date.fromisoformat(end) if end else today
        viewer = (
            ledger.viewer_by_phone(deps, phone)
            if phone
            else ledger.Viewer(0, "命令行", Role.COUNTY_SUPERVISOR, None, None, "全县", False)
        )
        _name, body, _type = ledger.export(deps, viewer, first, last, fmt)
    except ValueError as exc:
        print(f"日期格式是 YYYY-MM-DD / dates are YYYY-MM-DD: {exc}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    out.write_bytes(body)
    print(f"台账已导出 / ledger written: {out} ({viewer.area} {first} — {last})")
    return 0


async def _run(settings: Settings, web_port: int | None) -> int:
    from bot.app import build, serve_polling, serve_webhook, stop_on_signals
    from bot.db import make_engine, upgrade

    engine = make_engine(settings.database.url)
    await asyncio.to_thread(upgrade, engine)
    runtime = build(settings, engine=engine)
    stop = asyncio.Event()
    stop_on_signals(stop)
    if settings.web.webhook_url:
        await serve_webhook(runtime, stop)
    else:
        await serve_polling(runtime, stop, web_port=web_port, web_host=settings.web.http_host)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""create_app() and the command-line interface (`flask --app app ...`).

Commands are thin: each calls one function in the module that owns the work.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask

ROOT = Path(__file__).resolve().parent


def default_database_url() -> str:
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'teachers.db'}"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="views/templates", static_folder="views/static",
                instance_path=str(ROOT / "instance"))
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or _dev_secret(),
        DATABASE_URL=os.environ.get("DATABASE_URL") or default_database_url(),
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),  # English; Chinese is the msgids (views/i18n.py)
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        DISPLAY_TIMEZONE="Asia/Shanghai",
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        PAGE_SIZE=20,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure unless SESSION_COOKIE_SECURE=0 (plain-HTTP development; `serve` defaults to it).
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", 30)),
        SESSION_MAX_HOURS=int(os.environ.get("SESSION_MAX_HOURS", 12)),
    )
    if config:
        app.config.update(config)

    from models import db
    db.init_app(app)

    from views import init_views
    init_views(app)

    _register_cli(app)
    return app


def _dev_secret() -> str:
    # A per-installation secret kept beside the embedded database, so sessions survive restarts.
    path = ROOT / "instance" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(os.urandom(32).hex())
    return path.read_text().strip()


def _register_cli(app: Flask) -> None:
    db_cli = click.Group("db", help="数据库迁移")
    orgs_cli = click.Group("orgs", help="组织机构")
    accounts_cli = click.Group("accounts", help="账号")
    demo_cli = click.Group("demo", help="演示数据")
    records_cli = click.Group("records", help="教师信息")
    process_cli = click.Group("process", help="流程定义")

    @db_cli.command("upgrade")
    def db_upgrade():
        """Apply every migration to DATABASE_URL."""
        from models.migrate import upgrade
        upgrade(app.config["DATABASE_URL"])
        click.echo("数据库已是最新结构")

    @db_cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False))
    def db_backup(path):
        """Back up DATABASE_URL to PATH: SQLite online backup API (server may keep running) or pg_dump -Fc."""
        from security.backup import BackupError, backup, record_operation
        try:
            click.echo(backup(app.config["DATABASE_URL"], Path(path)))
        except BackupError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        record_operation("db_backup", path)

    @db_cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="确认用备份覆盖当前数据库（先停止 Web 服务与定时任务）")
    def db_restore(path, yes):
        """Replace DATABASE_URL's content with the backup PATH (all or nothing). Stop the server first."""
        from security.backup import BackupError, record_operation, restore
        if not yes:
            click.echo("恢复将用备份覆盖当前数据库的全部内容。请先停止 Web 服务与定时任务，确认后加 --yes 重新执行。", err=True)
            sys.exit(2)
        from models import db
        db.session.remove()
        db.engine.dispose()
        try:
            click.echo(restore(app.config["DATABASE_URL"], Path(path)))
        except BackupError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        record_operation("db_restore", path)

    @orgs_cli.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def orgs_import(path):
        """Import the org tree (unit codes) from CSV or xlsx."""
        from orgs.importer import OrgImportError, import_orgs_file
        try:
            result = import_orgs_file(Path(path))
        except OrgImportError as exc:
            for line in exc.problems:
                click.echo(line, err=True)
            sys.exit(1)
        click.echo(f"导入完成：新增 {result.created} 个单位，更新 {result.updated} 个单位")

    @accounts_cli.command("generate")
    @click.argument("org_code")
    @click.option("--out", type=click.Path(dir_okay=False), required=True, help="初始密码 xlsx 输出路径")
    def accounts_generate(org_code, out):
        """Create the three accounts of every legal-entity unit under ORG_CODE."""
        from accounts.unit_accounts import generate_unit_accounts_cli
        sys.exit(generate_unit_accounts_cli(org_code, Path(out)))

    @demo_cli.command("load")
    def demo_load():
        """Load the Hainan demo (org tree, accounts, teachers, review states). Safe to run twice."""
        from demo.loader import load_demo
        load_demo(echo=click.echo)

    @records_cli.command("check")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--school", "school_code", default=None, help="学校标识码：按该校的学校类型检查（表中的学校标识码须一致）")
    @click.option("--set", "set_key", default="basic", show_default=True, help="信息集（study、work、…）")
    def records_check(path, school_code, set_key):
        """Validate a sheet offline; print one line per problem: row,column,message (exit 1 if any)."""
        from records.importer import check_file_cli
        sys.exit(check_file_cli(Path(path), echo=click.echo, school_code=school_code, set_key=set_key))

    @process_cli.command("deploy")
    def process_deploy():
        """Deploy every diagram in bpmn/ (a new version only when the bytes changed)."""
        from workflows import deploy_shipped
        for definition, created in deploy_shipped():
            state = "新版本" if created else "未变化"
            click.echo(f"{definition.process_key} v{definition.version}: {state}")

    @process_cli.command("check")
    @click.argument("path", type=click.Path(dir_okay=False))
    def process_check(path):
        """Check a diagram without deploying it: one line per problem, ELEMENT_ID: message; exit 1 if refused."""
        from workflows.validation import check_file_cli
        sys.exit(check_file_cli(Path(path), echo=click.echo))

    audit_cli = click.Group("audit", help="审计日志")

    @audit_cli.command("purge")
    @click.option("--older-than-days", type=int, default=180, show_default=True,
                  help="删除早于该天数的审计记录（不得少于 180 天）")
    def audit_purge(older_than_days):
        """Delete audit rows older than the retention period (at least 180 days)."""
        from audit.search import purge_older_than
        try:
            count = purge_older_than(older_than_days)
        except ValueError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        click.echo(f"已删除 {count} 条早于 {older_than_days} 天的审计记录")
    app.cli.add_command(audit_cli)

    @process_cli.command("migrate")
    @click.argument("process_key")
    @click.option("--to", "to_version", type=int, default=None, help="目标版本号（默认：当前版本）")
    @click.option("--from", "from_version", type=int, default=None, help="只迁移这个版本上的实例")
    @click.option("--check", is_flag=True, help="只检查，不迁移")
    def process_migrate(process_key, to_version, from_version, check):
        """Migrate running instances of PROCESS_KEY to another version; one line per instance, exit 1 if any refused."""
        from workflows.migration import migrate_cli
        sys.exit(migrate_cli(process_key, to_version, from_version, check, echo=click.echo))

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int)
    def serve(host, port):
        """Serve the app (threaded dev server, no reloader) with its one scheduler."""
        from scheduler.runner import start_background_scheduler
        from werkzeug.serving import run_simple
        if "SESSION_COOKIE_SECURE" not in os.environ:
            app.config["SESSION_COOKIE_SECURE"] = False  # this server speaks plain HTTP
        start_background_scheduler(app)
        click.echo(f"服务已启动：http://{host}:{port}")
        run_simple(host, port, app, threaded=True, use_reloader=False)

    scheduler_cli = click.Group("scheduler", help="定时任务（月报、期限提醒、逾期升级、邮件）")

    @scheduler_cli.command("run")
    @click.option("--every", type=int, default=None, help="每隔多少秒检查一次（默认 30）")
    def scheduler_run(every):
        """Run the one scheduler in the foreground (production)."""
        from scheduler.runner import run_blocking_scheduler
        click.echo("定时任务已启动（Ctrl-C 停止）")
        run_blocking_scheduler(app, every)

    @scheduler_cli.command("tick")
    @click.option("--now", "now_text", default=None, help="按此时刻运行，例如 2026-12-25T09:00+08:00（默认：当前时间）")
    def scheduler_tick(now_text):
        """Run everything due as of --now once; print one line per thing that fired."""
        import datetime as dt
        from scheduler.tick import run_tick
        now = None
        if now_text:
            try:
                now = dt.datetime.fromisoformat(now_text)
            except ValueError:
                raise click.BadParameter(f"时间格式应为 ISO 8601，例如 2026-12-25T09:00+08:00，而不是 {now_text}")
            if now.tzinfo is None:
                raise click.BadParameter("请写明时区，例如 2026-12-25T09:00+08:00")
        result = run_tick(now)
        for line in result.lines:
            click.echo(line)
        if result.errors:
            sys.exit(1)

    for group in (db_cli, orgs_cli, accounts_cli, demo_cli, records_cli, process_cli, scheduler_cli):
        app.cli.add_command(group)

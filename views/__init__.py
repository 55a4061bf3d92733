"""Flask blueprints, templates and static files. `init_views(app)` wires extensions and blueprints."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import Babel, gettext, lazy_gettext
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup, escape

from sqlalchemy import select

from models import User, db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
CHINA = ZoneInfo("Asia/Shanghai")


def china_time(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return ""
    return value.astimezone(CHINA).strftime(fmt)


def keep_lines(value):
    """Text a user typed on several lines (a return reason), escaped, with its line breaks kept."""
    if value is None:
        return ""
    return Markup("<br>").join(escape(str(value).replace("\r\n", "\n")).split("\n"))


def readable_json(value) -> str:
    """A stored dict as people read it (Chinese as Chinese, not \\u escapes); the template escapes it."""
    import json
    return json.dumps(value, ensure_ascii=False, default=str)


def init_views(app) -> None:
    from .helpers import DbIdConverter, TypedTextRequest
    app.request_class = TypedTextRequest
    app.url_map.converters["int"] = DbIdConverter
    from security.web import init_security
    init_security(app)  # session timeout first, then the other before-request checks; headers on every response
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("请先登录")
    login_manager.localize_callback = str  # the flash stores the text in the reader's language
    csrf.init_app(app)
    from . import i18n
    for directory in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"):
        i18n.compile_catalogues(directory)  # a fresh checkout needs no `make translations`
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.jinja_env.globals.update(html_lang=i18n.html_lang, current_language=i18n.current_language,
                                  role_name=i18n.role_name)
    app.jinja_env.filters["china_time"] = china_time
    app.jinja_env.filters["keep_lines"] = keep_lines  # reasons typed on several lines keep them
    app.jinja_env.filters["readable_json"] = readable_json
    from .deadlines import deadline
    app.jinja_env.filters["deadline"] = deadline  # due times: "2026-12-25 当日", not "2026-12-26 00:00"

    from accounts.policy import allowed, mask_id, mask_text
    app.jinja_env.globals.update(allowed=allowed, mask_id=mask_id, mask_text=mask_text)

    @login_manager.user_loader
    def _load_user(session_id):
        # "id:token": logging out or changing the password rotates the token, so an old
        # session cookie replayed later no longer logs anyone in.
        user_id, _, token = str(session_id).partition(":")
        if not user_id.isdigit():
            return None
        # One query per request: each request has a fresh session, so this is what the database holds.
        user = db.session.get(User, int(user_id)) if int(user_id) <= 2**63 - 1 else None
        if user is None or not token or token != user.session_token:
            return None
        return user if user.active else None  # a disabled account's open sessions end too

    @app.before_request
    def _force_password_change():
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in ("auth.change_password", "auth.logout", "static")):
            return redirect(url_for("auth.change_password"))

    def answer(code: int, message: str):
        """The error page, or for the data-exchange API (a program reading JSON) the same words as JSON."""
        if request.path.startswith("/api/"):
            resp = jsonify({"error": message})
            resp.status_code = code
            return resp
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(err):
        return answer(400, gettext("页面已过期或表单校验失败，请刷新页面后重试。"))

    @app.errorhandler(400)
    def _bad_request(err):
        return answer(400, gettext("请求不完整或不正确（例如表单缺少必要的内容），本次操作未执行。请返回页面重试。"))

    @app.errorhandler(403)
    def _forbidden(err):
        return answer(403, gettext("您没有权限访问该内容（仅限本单位及下级单位、且需相应角色）。"))

    @app.errorhandler(404)
    def _not_found(err):
        return answer(404, gettext("找不到该页面或记录，或它不在您的管辖范围内。"))

    @app.errorhandler(405)
    def _method(err):
        return answer(405, gettext("该地址不能这样访问（例如“退出”须点击页面上的按钮）。"))

    @app.errorhandler(500)
    def _server_error(err):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return answer(500, gettext("系统出错了，本次操作未保存。请稍后重试；如反复出现，请联系系统管理员。"))

    from sqlalchemy.exc import OperationalError

    @app.errorhandler(OperationalError)
    def _database_busy(err):
        # SQLite, the embedded database, has one writer: a write that waited its full busy timeout says so
        # (try again) rather than "系统出错了". Anything else is the ordinary error page.
        if "database is locked" not in str(err):
            return _server_error(err)
        db.session.rollback()
        app.logger.warning("database busy: %s", err)
        return answer(503, gettext("系统正忙（另一项大批量写入正在进行），本次操作未保存，请稍后重试。"))

    @app.errorhandler(413)
    def _too_large(err):
        return answer(413, gettext("上传的文件过大（上限 16 MB）。"))

    from . import accounts, audit, auth, changes, home, inbox, records
    for module in (auth, home, inbox, records, accounts, audit, changes):
        app.register_blueprint(module.bp)
    from . import notifications, reports  # deadlines: notification centre, scheduler page, monthly reports
    for module in (notifications, reports):
        app.register_blueprint(module.bp)
    from . import process
    app.register_blueprint(process.bp)
    from . import api, credits, stats, transfers  # transfers, rotation, statistics, progress, search, training credits, data exchange
    for module in (transfers, stats, credits, api):
        app.register_blueprint(module.bp)

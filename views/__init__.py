"""Flask blueprints, templates and static files. `init_views(app)` wires extensions and blueprints."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from models import User, db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
CHINA = ZoneInfo("Asia/Shanghai")


def china_time(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return ""
    return value.astimezone(CHINA).strftime(fmt)


def _select_locale():
    return request.cookies.get("lang") if request.cookies.get("lang") in ("zh", "en") else "zh"


def init_views(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.filters["china_time"] = china_time

    from accounts.policy import allowed, mask_id
    app.jinja_env.globals.update(allowed=allowed, mask_id=mask_id)

    @login_manager.user_loader
    def _load_user(user_id):
        return db.session.get(User, int(user_id))

    @app.before_request
    def _force_password_change():
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in ("auth.change_password", "auth.logout", "static")):
            return redirect(url_for("auth.change_password"))

    @app.errorhandler(CSRFError)
    def _csrf(err):
        return render_template("error.html", code=400, message="页面已过期或表单校验失败，请刷新页面后重试。"), 400

    @app.errorhandler(403)
    def _forbidden(err):
        return render_template("error.html", code=403, message="您没有权限访问该内容（仅限本单位及下级单位、且需相应角色）。"), 403

    @app.errorhandler(404)
    def _not_found(err):
        return render_template("error.html", code=404, message="找不到该页面或记录，或它不在您的管辖范围内。"), 404

    @app.errorhandler(413)
    def _too_large(err):
        return render_template("error.html", code=413, message="上传的文件过大（上限 16 MB）。"), 413

    from . import accounts, auth, home, inbox, records
    for module in (auth, home, inbox, records, accounts):
        app.register_blueprint(module.bp)

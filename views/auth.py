"""Login, logout, password change."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from accounts.auth import change_password, login_attempt, record_logout
from security.passwords import MIN_LENGTH
from security.web import start_session_clock

from .helpers import safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("账号"), validators=[DataRequired(_l("请输入账号")),
                                                  Length(max=40, message=_l("账号不能超过 40 个字符"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")),
                                                   Length(max=128, message=_l("密码不能超过 128 位"))])


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(_l("原密码"), validators=[DataRequired(_l("请输入原密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")),
                                                      Length(min=8, message=_l("新密码至少 8 位"))])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("new_password", message=_l("两次输入的新密码不一致"))])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        outcome = login_attempt(form.username.data.strip(), form.password.data)
        if outcome.user is None:
            flash(outcome.message, "error")
        else:
            login_user(outcome.user)
            start_session_clock()
            return redirect(safe_next(url_for("home.index")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    record_logout(current_user)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = change_password(current_user, form.old_password.data, form.new_password.data)
        if problem:
            flash(problem, "error")
        else:
            from models import User, db
            login_user(db.session.get(User, current_user.id))  # this session continues with the new token
            start_session_clock()
            flash(gettext("密码已修改，其他设备上的登录已失效"), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password,
                           policy=gettext("密码至少 %(n)s 位，须包含大写字母、小写字母、数字、符号中的至少三类，"
                                          "不能包含账号、单位代码或身份证号码，不能是常见弱密码", n=MIN_LENGTH))


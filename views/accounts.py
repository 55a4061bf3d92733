"""Account administration: teacher accounts from four items (form or sheet), unit accounts for a subtree,
the one-time password sheet, password resets."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

import io

from accounts import unit_accounts
from accounts.policy import allowed
from models import db
from records import service

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


class TeacherAccountForm(FlaskForm):
    # Only presence and length here; the rules (check character, agreement with the ID) are
    # records.account_sheet.validate_four_items, shared with the sheet upload.
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=50, message="姓名不能超过 50 个字")])
    gender = SelectField("性别", choices=[("男", "男"), ("女", "女")], validate_choice=False)
    birth_month = StringField("出生年月", validators=[DataRequired("请填写出生年月"), Length(max=20, message="出生年月格式应为 YYYY-MM")])
    id_number = StringField("身份证号码", validators=[DataRequired("请填写身份证号码"), Length(max=30, message="身份证号码不能超过 30 个字符")])


class SheetForm(FlaskForm):
    file = FileField("教师账号表（xlsx：姓名、性别、出生年月、身份证号码）", validators=[FileRequired("请选择文件")])


class GenerateForm(FlaskForm):
    pass


def _require_admin():
    if not allowed(current_user, "accounts.manage"):
        abort(403)


def _index_page(teacher_form=None, problems=None, status=200):
    users = db.session.scalars(unit_accounts.manageable_accounts_query(current_user).limit(300)).all()
    missing = unit_accounts.missing_unit_accounts(current_user.org)
    withdrawable = service.withdrawable_teachers(current_user, [u.teacher_id for u in users if u.teacher_id])
    return render_template("accounts/index.html", users=users, missing=len(missing), withdrawable=withdrawable,
                           teacher_form=teacher_form or TeacherAccountForm(formdata=None), sheet_form=SheetForm(formdata=None),
                           generate_form=GenerateForm(), problems=problems or [],
                           pending_sheets=unit_accounts.pending_password_sheets(current_user),
                           can_create_teachers=current_user.org.kind == "school"), status


@bp.route("/")
@login_required
def index():
    _require_admin()
    return _index_page()


@bp.route("/teachers", methods=["POST"])
@login_required
def create_teacher():
    _require_admin()
    form = TeacherAccountForm()
    if current_user.org.kind != "school":
        flash("只有学校的系统管理员可以创建教师账号", "error")
        return redirect(url_for("accounts.index"))
    if not form.validate_on_submit():
        problems = [f"【{field.label.text}】{e}" for field in form for e in field.errors]
        return _index_page(form, problems, 400)
    result = service.create_teacher_account(current_user, form.name.data, form.gender.data,
                                            form.birth_month.data, form.id_number.data)
    if not result.ok:
        # Keep what was typed so one wrong digit does not mean typing all four items again.
        return _index_page(form, result.problems, 400)
    flash(result.message, "success")
    return redirect(url_for("accounts.index"))


@bp.route("/teachers/sheet", methods=["POST"])
@login_required
def create_teachers_from_sheet():
    _require_admin()
    form = SheetForm()
    if current_user.org.kind != "school":
        flash("只有学校的系统管理员可以创建教师账号", "error")
    elif form.validate_on_submit():
        result = service.create_teacher_accounts_from_sheet(current_user, form.file.data.read())
        if result.ok:
            flash(result.message, "success")
        else:
            return _index_page(problems=[f"{result.message}，未创建任何账号。请修改后重新上传："] + result.problems, status=400)
    else:
        flash("请选择要上传的 xlsx 文件", "error")
    return redirect(url_for("accounts.index"))


@bp.route("/generate", methods=["POST"])
@login_required
def generate():
    _require_admin()
    if not GenerateForm().validate_on_submit():
        abort(400)
    accounts, sheet = unit_accounts.generate_unit_accounts(current_user.org, current_user)
    if sheet is None:
        flash("本单位及下级法人单位的账号均已存在，未生成新账号", "success")
        return redirect(url_for("accounts.index"))
    flash(f"已生成 {len(accounts)} 个账号。初始密码表只能下载一次，请立即下载并妥善分发。", "success")
    return render_template("accounts/generated.html", sheet=sheet, count=len(accounts))


@bp.route("/password-sheets/<int:sheet_id>", methods=["POST"])
@login_required
def download_sheet(sheet_id):
    _require_admin()
    content = unit_accounts.take_password_sheet(sheet_id, current_user)
    if content is None:
        flash("该初始密码表已下载过或不存在；如需新密码，请对相应账号执行“重置密码”。", "error")
        return redirect(url_for("accounts.index"))
    return send_file(io.BytesIO(content), as_attachment=True, download_name=f"初始密码_{sheet_id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/teachers/<int:teacher_id>/withdraw", methods=["POST"])
@login_required
def withdraw_teacher(teacher_id):
    _require_admin()
    if not GenerateForm().validate_on_submit():
        abort(400)
    outcome = service.withdraw_teacher_account(current_user, teacher_id)
    flash(outcome.message, "success" if outcome.ok else "error")
    return redirect(url_for("accounts.index"))


@bp.route("/<int:user_id>/reset", methods=["POST"])
@login_required
def reset(user_id):
    _require_admin()
    if not GenerateForm().validate_on_submit():
        abort(400)
    refusal = unit_accounts.own_reset_refusal(current_user, user_id)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("accounts.index"))
    result = unit_accounts.reset_password(current_user, user_id)
    if result is None:
        abort(404)
    user, pw = result
    flash(f"账号 {user.username}（{user.display_name}）的新初始密码：{pw}（首次登录须修改）", "success")
    return redirect(url_for("accounts.index"))

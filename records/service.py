"""Record operations: teacher accounts from four items, filling and submitting basic
information, importing sheets. Each is one transaction with its audit entry.

Validation rules live in records/validation.py (derived from records/indicators.py);
this module decides who may do what, and ties records to their review flow.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text

import audit
import workflows
from models import HumanTask, Org, Teacher, User, db, utcnow, write_intent
from models.teachers import STATE_DRAFT, STATE_RETURNED
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER
from workflows.errors import TaskAlreadyHandled, WorkflowError

from . import account_sheet, forms, importer, items, validation
from .indicators import basic_fields
from .access import EDITABLE_STATES, can_edit, edit_refusal, teachers_in_scope_query  # noqa: F401 (re-exported)

PROCESS = "teacher_collection"


@dataclass
class Outcome:
    ok: bool
    message: str
    problems: list | dict = field(default_factory=list)


def state_counts(user) -> dict[str, int]:
    sub = teachers_in_scope_query(user).subquery()
    return dict(db.session.execute(select(sub.c.state, func.count()).group_by(sub.c.state)).all())


# --- teacher accounts from four items -----------------------------------------------------

def _duplicate_message(id_number: str) -> str | None:
    found = importer.find_province_duplicates(db.session, [id_number])
    if id_number in found:
        _name, school = found[id_number]   # the school, never the name: a number must not look a person up
        return f"身份证号码 {id_number} 已在 {school} 登记，同一教师在全省只能有一条记录；如属调动请走调动流程"
    return None


def _new_teacher(school: Org, clean: dict, actor, password: str | None, password_hash: str | None = None) -> Teacher:
    teacher = Teacher(org_id=school.id, name=clean["name"], gender=clean["gender"], birth_date=clean.get("birth_date"),
                      id_type=clean.get("id_type", "1"), id_number=clean["id_number"], state=STATE_DRAFT,
                      basic=clean.get("basic") or {})
    db.session.add(teacher)
    db.session.flush()
    user = User(username=teacher.id_number, display_name=teacher.name, role=ROLE_TEACHER, org_id=school.id,
                teacher_id=teacher.id, must_change_password=password_hash is None)
    if password_hash:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    db.session.add(user)
    workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor)
    return teacher


def initial_teacher_password(id_number: str) -> str:
    """The initial password a school hands out: 'Js' + the last six characters of the ID number.
    The teacher must change it at first login."""
    return "Js" + id_number[-6:]


def create_teacher_account(actor, name, gender, birth_month, id_number) -> Outcome:
    school = actor.org
    clean, problems = account_sheet.validate_four_items(name, gender, birth_month, id_number)
    if problems:
        return Outcome(False, "信息有误，未创建账号", [_problem_text(p, in_file=False) for p in problems])
    with write_intent():
        lock_id_registry()
        dup = _duplicate_message(clean["id_number"])
        if dup:
            db.session.rollback()
            return Outcome(False, dup, [dup])
        teacher = _new_teacher(school, clean, actor, initial_teacher_password(clean["id_number"]))
        audit.record("teacher_account_created", object_type="teacher", object_id=teacher.id,
                     after={"name": teacher.name, "id_number": teacher.id_number, "school": school.code})
        db.session.commit()
    return Outcome(True, f"已创建 {teacher.name} 的账号：登录名为身份证号，初始密码为 Js+身份证号后六位，首次登录须修改")


def create_teacher_accounts_from_sheet(actor, data: bytes) -> Outcome:
    rows, problems = account_sheet.parse_account_sheet(data)
    if not rows and not problems:
        return Outcome(False, "文件中没有教师数据", ["文件中没有教师数据（第2行起每行一名教师）"])
    with write_intent():
        lock_id_registry()
        # Every problem in one pass: the rows' own errors and numbers already held elsewhere.
        found = importer.find_province_duplicates(db.session, [r.id_number for r in rows])
        lines = [_problem_text(p) for p in problems]
        lines += [f"第{r.row_number}行：【身份证号码】{r.id_number} 已在 {found[r.id_number][1]} 登记"
                  for r in rows if r.id_number in found]
        if lines:
            db.session.rollback()
            return Outcome(False, f"文件有 {len(lines)} 处错误", sorted(lines, key=_row_order))
        for r in rows:
            clean = {"name": r.name, "gender": r.gender, "birth_date": r.birth_date, "id_type": r.id_type,
                     "id_number": r.id_number}
            _new_teacher(actor.org, clean, actor, initial_teacher_password(r.id_number))
        audit.record("teacher_accounts_imported", object_type="org", object_id=actor.org.code,
                     after={"count": len(rows), "id_numbers": [r.id_number for r in rows]})
        db.session.commit()
    return Outcome(True, f"已创建 {len(rows)} 个教师账号（初始密码为 Js+身份证号后六位，首次登录须修改）")


def _row_order(line: str) -> int:
    digits = line[1:line.find("行")] if line.startswith("第") else ""
    return int(digits) if digits.isdigit() else 0


def _problem_text(p, *, in_file: bool = True) -> str:
    """One line for the user: the row (if any), then the message, which already names its column.
    A problem of a file without a row is the file's; of a form (in_file False), just the message."""
    if not hasattr(p, "row"):
        return str(p)
    message = p.message if p.message.startswith("【") or not p.column else f"【{p.column}】{p.message}"
    if p.row:
        return f"第{p.row}行：{message}"
    return f"文件：{message}" if in_file else message


# --- basic information ----------------------------------------------------------------------

def save_basic(actor, teacher: Teacher, values: dict, *, submit: bool) -> Outcome:
    """Save the form; with `submit`, also run the completeness check and hand the record to the school."""
    refusal = edit_refusal(actor, teacher)
    if refusal:
        return Outcome(False, refusal, {})
    values = {k: v for k, v in values.items() if k not in forms.READ_ONLY_KEYS}
    values.update(forms.identity_values(teacher))
    if actor.role == ROLE_TEACHER:
        # School-only items (教职工号) keep what the school entered, whatever was posted.
        for f in basic_fields(teacher.org.school_type):
            if f.school_only:
                values[f.key] = (teacher.basic or {}).get(f.key)
    clean, problems = validation.validate_record(values, teacher.org.school_type)
    # Values given but wrong stop any save; items missing only stop a submission (a draft may be incomplete).
    wrong = [p for p in problems if p.value not in ("", None)]
    by_key = {}
    for p in (problems if submit else wrong):
        by_key.setdefault(p.key, p.message)
    if submit:
        # The completeness check covers the repeatable sets too (学习经历 is required).
        by_key.update(items.completeness_problems(teacher))
    clean = {k: v for k, v in clean.items() if v not in (None, "")}
    if by_key and submit and not wrong:
        # What was typed is right, only incomplete: keep it as a draft rather than lose it.
        with write_intent():
            _store_basic(actor, teacher, clean)
            db.session.commit()
        return Outcome(False, "已保存为草稿，但还不能报送：有 %d 项需要补充，请按提示填写后再报送" % len(by_key), by_key)
    if by_key:
        return Outcome(False, "有 %d 项需要修改，请按提示更正后再%s（本次未保存）" % (len(by_key), "报送" if submit else "保存"),
                       by_key)
    with write_intent():
        teacher = _store_basic(actor, teacher, clean)
        if submit:
            task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.subject_teacher_id == teacher.id,
                                                                   HumanTask.task_key == "fill"))
            if task_id is None:
                db.session.rollback()
                return Outcome(False, "该记录当前没有待报送的环节", {})
            try:
                workflows.complete_task(task_id, actor, {"decision": "submit"})
            except (TaskAlreadyHandled, WorkflowError) as exc:
                db.session.rollback()
                return Outcome(False, str(exc), {})
            audit.record("record_submitted", object_type="teacher", object_id=teacher.id)
        db.session.commit()
    return Outcome(True, "已报送，等待学校审核" if submit else "草稿已保存", {})


def _store_basic(actor, teacher: Teacher, clean: dict) -> Teacher:
    """The basic information as typed, with who filled it and the audit entry; the caller commits."""
    teacher = db.session.merge(teacher)
    before = dict(teacher.basic or {})
    teacher.basic = clean
    teacher.name = clean.get("name") or teacher.name
    teacher.filled_by_id = actor.id
    teacher.filled_at = utcnow()
    b, a = audit.diff(before, clean)
    audit.record("record_saved", object_type="teacher", object_id=teacher.id, before=b, after=a)
    return teacher


def submit_as_demo(teacher: Teacher) -> None:
    """The demo's teachers submit what the import filled in, through the same flow step."""
    task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.subject_teacher_id == teacher.id,
                                                           HumanTask.task_key == "fill"))
    user = db.session.scalars(select(User).where(User.teacher_id == teacher.id)).one()
    with write_intent():
        workflows.complete_task(task_id, user, {"decision": "submit"})
        db.session.commit()


# --- import -----------------------------------------------------------------------------------

def lock_id_registry() -> None:
    """Serialise the registering of ID numbers (new accounts, imports) until the transaction ends, so a
    second registration's duplicate check sees the first one's rows and names their school instead of
    failing on the unique index. SQLite writers are serialised by BEGIN IMMEDIATE already."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(460000000)"))


def import_basic_sheet(actor, data: bytes, filename: str, *, demo_password: str | None = None,
                       progress=None) -> Outcome:
    """All or nothing: any problem in the file imports nothing and returns every problem.

    A school imports its own sheet; a bureau imports a sheet with a 学校标识码 column for
    schools in its subtree. New teachers get accounts (login = ID number) and a review flow.
    `progress(phase, done, total)` is told how far it got (the import page's progress bar).

    Bulk: teachers and accounts are inserted in one statement each, and the collection
    workflows started with `workflows.start_instances` (the spec restored once).
    """
    school = actor.org if actor is not None and actor.org.kind == "school" else None
    parsed = importer.parse_basic_sheet(data, school_type=school.school_type if school else None,
                                        school_code=school.code if school else None, progress=progress)
    problems = list(parsed.problems)
    if any(p.row == 0 for p in problems):
        return Outcome(False, f"文件有 {len(problems)} 处错误，未导入任何数据", problems)
    codes = {r.school_code for r in parsed.rows if r.school_code}
    schools = {o.code: o for o in db.session.scalars(select(Org).where(Org.code.in_(codes)))} if codes else {}
    scope = actor.org if actor is not None else None
    col = parsed.school_column or importer.SCHOOL_COLUMN + "*"
    for r in parsed.rows:
        if school is None:
            org = schools.get(r.school_code or "")
            if org is None or org.kind != "school":
                problems.append(validation.Problem(r.row_number, col, r.school_code or "",
                                                   f"【{col}】“{r.school_code}”不是本省已登记的学校", "school_code"))
            elif scope is not None and not scope.contains(org):
                problems.append(validation.Problem(r.row_number, col, r.school_code,
                                                   f"【{col}】“{r.school_code}”（{org.name}）不在您的管辖范围内", "school_code"))
    # The reads above ran in a read transaction; the write below must start afresh (SQLite: a reader
    # cannot become the writer once another writer got in; its BEGIN IMMEDIATE waits instead).
    if db.session().in_transaction():
        db.session.commit()
    with write_intent():
        lock_id_registry()
        found = importer.find_province_duplicates(
            db.session, [r.values["id_number"] for r in parsed.rows if r.values.get("id_number")])
        problems.extend(importer.province_duplicate_problems(parsed, found))
        if problems:
            db.session.rollback()
            problems.sort(key=lambda p: p.row)
            return Outcome(False, f"文件有 {len(problems)} 处错误，未导入任何数据", problems)
        rows = importer.bulk_teacher_rows(parsed, schools, school=school)
        _insert_teachers(rows, actor, demo_password, progress)
        audit.record("records_imported", object_type="file", object_id=filename[:60], user=actor,
                     after={"rows": len(parsed.rows)})
        db.session.commit()
    return Outcome(True, f"已导入 {len(parsed.rows)} 名教师的基本信息，并为其创建了账号和采集流程")


# The initial password is a function of the ID number ("Js" + its last six characters) that the
# school hands out on paper and the teacher must change at first login; key stretching cannot
# protect a secret derivable from the very row it sits beside, so imports hash it cheaply (the
# password the teacher chooses is hashed by User.set_password at full cost).
INITIAL_PASSWORD_METHOD = "pbkdf2:sha256:100"
_CHUNK = 500


def _insert_teachers(rows: list[dict], actor, demo_password: str | None, progress=None) -> list[int]:
    """Teachers, their accounts and their collection workflows, in bulk. Inside the caller's transaction."""
    from werkzeug.security import generate_password_hash

    T, U = Teacher.__table__, User.__table__
    now = utcnow()
    shared = generate_password_hash(demo_password, method="pbkdf2:sha256:60000") if demo_password else None
    conn = db.session.connection()
    ids: dict[str, int] = {}
    for i in range(0, len(rows), _CHUNK):
        part = rows[i:i + _CHUNK]
        result = conn.execute(insert(T).returning(T.c.id, T.c.id_number, sort_by_parameter_order=True), [
            {"org_id": r["org_id"], "name": r["name"], "gender": r["gender"], "birth_date": r["birth_date"],
             "id_type": r["id_type"], "id_number": r["id_number"], "state": STATE_DRAFT, "basic": r["basic"],
             # the school filled the record in by importing it: 已录入 on the progress page, not yet 已报送
             "filled_by_id": actor.id if actor else None, "filled_at": now,
             "created_at": now, "updated_at": now} for r in part])
        ids.update({number: tid for tid, number in result})
        conn.execute(insert(U), [
            {"username": r["id_number"], "display_name": r["name"], "role": ROLE_TEACHER, "org_id": r["org_id"],
             "teacher_id": ids[r["id_number"]], "must_change_password": shared is None, "active": True,
             "created_at": now, "session_token": secrets.token_hex(16),
             "password_hash": shared or generate_password_hash(initial_teacher_password(r["id_number"]),
                                                               method=INITIAL_PASSWORD_METHOD)}
            for r in part])
        if progress:
            progress("写入", i + len(part), len(rows) * 2)
    teacher_ids = [ids[r["id_number"]] for r in rows]
    for i in range(0, len(teacher_ids), _CHUNK):
        workflows.start_instances(PROCESS, [{"subject_teacher_id": t} for t in teacher_ids[i:i + _CHUNK]], user=actor)
        if progress:
            progress("写入", len(rows) + i + _CHUNK, len(rows) * 2)
    return teacher_ids


# --- correcting a mistaken account ---------------------------------------------------------------

def withdraw_refusal(actor, teacher: Teacher) -> str | None:
    """Why the account cannot be withdrawn, or None. Only a record nobody has submitted yet:
    anything reviewed or effective is changed through a change request, never deleted."""
    if actor.role != "sys_admin" or actor.org_id != teacher.org_id:
        return "只有教师所在学校的系统管理员可以撤销误建的账号"
    if teacher.state != STATE_DRAFT or teacher.submitted_at is not None:
        return "该教师的信息已报送过，不能撤销；如信息有误请走信息变更流程"
    return None


def withdrawable_teachers(actor, teacher_ids: list[int]) -> dict[int, bool]:
    """For the account list: which of these teachers' accounts the actor may still withdraw."""
    if not teacher_ids:
        return {}
    return {t.id: withdraw_refusal(actor, t) is None
            for t in db.session.scalars(select(Teacher).where(Teacher.id.in_(teacher_ids)))}


def withdraw_teacher_account(actor, teacher_id: int) -> Outcome:
    """Remove an account created by mistake (e.g. a mistyped ID number) before anything was submitted."""
    from models import ProcessInstance, RecordVersion, WorkflowEvent
    with write_intent():
        teacher = db.session.get(Teacher, teacher_id)
        if teacher is None or not actor.org.contains(teacher.org):
            db.session.rollback()
            return Outcome(False, "找不到该教师，或不在您的管辖范围内")
        refusal = withdraw_refusal(actor, teacher)
        if refusal is None and db.session.scalar(select(func.count()).select_from(RecordVersion)
                                                 .where(RecordVersion.teacher_id == teacher.id)):
            refusal = "该教师已有生效记录，不能撤销"
        if refusal:
            db.session.rollback()
            return Outcome(False, refusal)
        snapshot = {"name": teacher.name, "id_number": teacher.id_number, "school": teacher.org.code,
                    "basic": teacher.basic}
        instance_ids = list(db.session.scalars(select(ProcessInstance.id)
                                               .where(ProcessInstance.subject_teacher_id == teacher.id)))
        if instance_ids:
            db.session.execute(HumanTask.__table__.delete().where(HumanTask.instance_id.in_(instance_ids)))
            db.session.execute(WorkflowEvent.__table__.delete().where(WorkflowEvent.instance_id.in_(instance_ids)))
            db.session.execute(ProcessInstance.__table__.delete().where(ProcessInstance.id.in_(instance_ids)))
        from models import RecordItem
        db.session.execute(RecordItem.__table__.delete().where(RecordItem.teacher_id == teacher.id))
        # The account is closed, not deleted: its logins and rows it entered stay in the audit log.
        # Renamed, so the ID number can be given to the right person's new account.
        for account in db.session.scalars(select(User).where(User.teacher_id == teacher.id)):
            account.username = f"{account.username}#{teacher.id}"[:40]
            account.teacher_id = None
            account.active = False
            account.rotate_session()
        db.session.flush()
        db.session.delete(teacher)
        audit.record("teacher_account_withdrawn", object_type="teacher", object_id=teacher_id, before=snapshot)
        db.session.commit()
    return Outcome(True, f"已撤销 {snapshot['name']}（{snapshot['id_number']}）的账号")

"""The Hainan demo: the real org tree, accounts for every role, the 4,099 sample teachers
imported through the school import code, then driven through the real review flow into a
realistic mix of states. Safe to run twice: every phase only adds what is missing.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

import workflows
from accounts.unit_accounts import create_unit_accounts
from models import HumanTask, Org, Teacher, User, db, write_intent
from models.migrate import upgrade
from models.users import ROLE_INFO_ADMIN, ROLE_PROCESS_ADMIN
from orgs.importer import import_orgs_file
from records import review, service

DATA = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "Demo@2026"
RETURN_REASONS = ("参加工作年月与档案不符，请核对后重新报送", "政治面貌填写有误，请核实", "进本校年月缺少佐证，请补充说明")


def load_demo(echo=print) -> None:
    from flask import current_app
    upgrade(current_app.config["DATABASE_URL"])
    result = import_orgs_file(DATA / "hainan_orgs.csv")
    echo(f"组织机构：新增 {result.created}，已有 {result.updated}")
    for definition, created in workflows.deploy_shipped():
        echo(f"流程 {definition.process_key} v{definition.version}{'（新部署）' if created else ''}")
    db.session.commit()
    _accounts(echo)
    _deadlines(echo)
    if db.session.scalar(select(func.count()).select_from(Teacher)) == 0:
        _teachers(echo)
        _drive_states(echo)
        _after_effect(echo)
    else:
        echo("教师数据已存在，跳过导入")
    echo(f"演示数据就绪。所有演示账号的密码：{DEMO_PASSWORD}")


def _accounts(echo) -> None:
    province = db.session.scalars(select(Org).where(Org.kind == "province")).one()
    with write_intent():
        created = create_unit_accounts(province, None, password=DEMO_PASSWORD, must_change=False)
        if db.session.scalar(select(User).where(User.username == "460000_process")) is None:
            admin = User(username="460000_process", display_name="海南省流程管理员", role=ROLE_PROCESS_ADMIN,
                         org_id=province.id, must_change_password=False)
            admin.set_password(DEMO_PASSWORD)
            db.session.add(admin)
        db.session.commit()
    echo(f"单位账号：新增 {len(created)} 个")


def _deadlines(echo) -> None:
    """Managers of every reporting unit and the addresses that receive monthly reports (idempotent)."""
    from reports.setup import demo_setup
    with write_intent():
        demo_setup(echo)


def _teachers(echo) -> None:
    data = (DATA / "province_basic_info.xlsx").read_bytes()
    outcome = service.import_basic_sheet(None, data, "province_basic_info.xlsx", demo_password=DEMO_PASSWORD)
    if not outcome.ok:
        raise SystemExit("演示教师导入失败：" + "; ".join(str(p) for p in outcome.problems[:5]))
    echo(outcome.message)


def _after_effect(echo) -> None:
    """In every school, the first effective record gets a pending change request (the authority's
    inbox) and the second a teacher's addition of a training (the school's inbox)."""
    from records import additions, changes
    from models.teachers import STATE_EFFECTIVE
    admins = {u.org_id: u for u in db.session.scalars(select(User).where(User.role == ROLE_INFO_ADMIN))}
    by_school: dict[int, list[Teacher]] = {}
    for t in db.session.scalars(select(Teacher).where(Teacher.state == STATE_EFFECTIVE).order_by(Teacher.id)):
        by_school.setdefault(t.org_id, []).append(t)
    made = 0
    for org_id, teachers in by_school.items():
        if len(teachers) >= 1:
            out = changes.propose(admins[org_id], teachers[0], {"marital_status": "20", "health": "1"}, "", None)
            if not out.ok:
                out = changes.propose(admins[org_id], teachers[0], {"remarks": "婚姻状况已核实"}, "", None)
            made += out.ok
        if len(teachers) >= 2:
            teacher_user = db.session.scalars(select(User).where(User.teacher_id == teachers[1].id)).one()
            out = additions.propose(teacher_user, teachers[1], "training",
                                    {"year": "2025", "training_type": "2", "name": "海南省中小学教师信息技术应用能力提升培训",
                                     "way": "2", "hours": "24"})
            made += out.ok
    echo(f"变更申请与补充信息：{made} 条待审核")


def _drive_states(echo) -> None:
    """Per school, teacher i by i % 20: 0 stays draft; 1 returned by the school; 2–4 effective;
    5–7 waiting for the authority; 8–19 submitted and waiting for the school."""
    teachers = db.session.execute(select(Teacher.id, Teacher.org_id).order_by(Teacher.org_id, Teacher.id)).all()
    position: dict[int, int] = {}
    plan = []
    for tid, org_id in teachers:
        i = position.get(org_id, 0)
        position[org_id] = i + 1
        plan.append((tid, i % 20))
    admins = {u.org_id: u for u in db.session.scalars(select(User).where(User.role == ROLE_INFO_ADMIN))}
    for n, (tid, slot) in enumerate(plan):
        if slot == 0:
            continue
        teacher = db.session.get(Teacher, tid)
        school_admin = admins[teacher.org_id]
        if slot >= 2:   # what reaches a reviewer is complete (a returned record is left for its teacher)
            _add_study_row(teacher)
        service.submit_as_demo(teacher)
        if slot == 1:
            _act(school_admin, tid, "return", RETURN_REASONS[n % len(RETURN_REASONS)])
            continue
        if slot >= 8:
            continue
        _act(school_admin, tid, "approve")
        if slot <= 4:
            from orgs.authority import reviewing_authority
            _act(admins[reviewing_authority(teacher.org).id], tid, "approve")
        if n % 500 == 0:
            echo(f"审核流程推进中 {n}/{len(plan)}")


def _add_study_row(teacher) -> None:
    """The required 学习经历 row, entered by the teacher through the product's own checks: a bachelor's
    degree finished the summer before the teacher started work (skipped when the record gives no start)."""
    from records import items
    start = (teacher.basic or {}).get("work_start_month")
    if not start or items.items_of(teacher.id, "study"):
        return
    teacher_user = db.session.scalars(select(User).where(User.teacher_id == teacher.id)).first()
    if teacher_user is None:
        return
    # graduated in July of the year work started (of the year before, when work started before August)
    graduated = int(str(start)[:4]) - (str(start)[5:7] < "08")
    row = {"education": "21", "education_institution": "海南师范大学", "major": "汉语言文学", "normal_major": "1",
           "enrol_month": f"{graduated - 4}-09", "graduate_month": f"{graduated}-07", "degree_level": "4",
           "degree": "405", "degree_country": "156", "degree_institution": "海南师范大学", "study_mode": "1"}
    items.save_item(teacher_user, teacher, "study", row)


def _act(user, teacher_id, decision, reason=""):
    task_id = db.session.scalar(select(HumanTask.id).where(HumanTask.subject_teacher_id == teacher_id))
    outcome = review.decide(user, task_id, decision, reason)
    if not outcome.ok:
        raise SystemExit(f"演示流程推进失败：{outcome.message}")

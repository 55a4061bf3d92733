"""The basic-sheet import in bulk (records.service.import_basic_sheet): accounts that work, one
collection workflow per teacher, progress reported, all or nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from models import HumanTask, ProcessInstance, Teacher, User, db
from records import service
from tests.conftest import DATA
from tests.journey_helpers import PASSWORD, setup_province, user


def test_imported_teachers_get_working_accounts_and_a_flow_each(hainan):
    setup_province(hainan)
    seen = []
    data = (DATA / "school_2146000001_basic_info.xlsx").read_bytes()
    out = service.import_basic_sheet(user("2146000001_info"), data, "school.xlsx",
                                     progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert out.ok, out.problems[:3]
    count = db.session.scalar(select(func.count()).select_from(Teacher))
    assert count == 22
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 22
    fills = db.session.scalars(select(HumanTask).where(HumanTask.task_key == "fill")).all()
    assert len(fills) == 22 and {t.candidate_org_id for t in fills} == {user("2146000001_info").org_id}
    assert {t.state for t in db.session.scalars(select(Teacher))} == {"draft"}
    # the school filled them in by importing: 已录入 22 on the progress page, 已报送 none yet
    from records import progress
    from tests.journey_helpers import org
    [row] = progress.dashboard(org("2146000001"))
    assert (row.expected, row.entered, row.submitted) == (22, 22, 0)
    assert seen and seen[-1][0] == "写入" and seen[-1][1] >= seen[-1][2]
    # the initial password (Js + last six characters) logs in and must be changed
    teacher = db.session.scalars(select(Teacher).order_by(Teacher.id)).first()
    account = db.session.scalars(select(User).where(User.teacher_id == teacher.id)).one()
    assert account.username == teacher.id_number and account.must_change_password
    client = hainan.test_client()
    resp = client.post("/login", data={"username": teacher.id_number,
                                       "password": service.initial_teacher_password(teacher.id_number)})
    assert resp.status_code == 302
    forced = client.get("/")
    assert forced.status_code == 302 and "/password" in forced.headers["Location"]
    # … and the password the teacher chooses is stored at full cost
    client.post("/password", data={"old_password": service.initial_teacher_password(teacher.id_number),
                                   "new_password": "Teach2026a", "confirm": "Teach2026a"})
    db.session.expire_all()
    assert db.session.get(User, account.id).password_hash.startswith("pbkdf2:sha256:60000")


def test_a_bureau_import_reports_schools_outside_its_scope_by_row_and_column(hainan):
    setup_province(hainan)
    data = (DATA / "province_basic_info.xlsx").read_bytes()
    out = service.import_basic_sheet(user("460106_info"), data, "province.xlsx")
    assert not out.ok
    p = out.problems[0]
    assert p.row == 2 and p.column == "学校标识码*" and p.message.startswith("【学校标识码*】") and "不在您的管辖范围内" in p.message
    assert db.session.scalar(select(func.count()).select_from(Teacher)) == 0
    assert PASSWORD  # the unit accounts are untouched

"""Set-up shared by the flow and web tests: the real org tree, unit accounts, diagrams, teachers."""
from __future__ import annotations

from sqlalchemy import select

import workflows
from accounts.unit_accounts import create_unit_accounts
from models import HumanTask, Org, User, db
from orgs.importer import import_orgs_file
from records import service
from tests.conftest import DATA

PASSWORD = "Pass1234"
# Valid resident ID numbers (check characters computed) for teachers made in tests.
ID_NUMBERS = {
    "primary": ("林晓", "女", "1988-03", "460105198803150029"),
}


def setup_province(app) -> None:
    import_orgs_file(DATA / "hainan_orgs.csv")
    workflows.deploy_shipped()
    db.session.commit()
    province = db.session.scalars(select(Org).where(Org.code == "460000")).one()
    create_unit_accounts(province, None, password=PASSWORD, must_change=False)
    db.session.commit()


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def org(code: str) -> Org:
    return db.session.scalars(select(Org).where(Org.code == code)).one()


def make_id(birth: str, seq: int, female: bool, area: str = "460105") -> str:
    """A valid 18-digit ID number: area + YYYYMMDD + sequence (parity = gender) + check character."""
    s3 = (seq // 2) * 2 + (0 if female else 1)
    body = f"{area}{birth.replace('-', '')}{s3:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def new_teacher(school_code: str, name: str, seq: int = 10, birth: str = "1988-03-15", female: bool = True):
    """A teacher account created by the school's system administrator, through the product."""
    admin = user(f"{school_code}_sys")
    id_number = make_id(birth, seq, female)
    outcome = service.create_teacher_account(admin, name, "女" if female else "男", birth[:7], id_number)
    assert outcome.ok, outcome.problems
    return db.session.scalars(select(User).where(User.username == id_number)).one()


STUDY_ROW = {
    "education": "21", "education_institution": "海南师范大学", "major": "汉语言文学", "normal_major": "1",
    "enrol_month": "2006-09", "graduate_month": "2010-07", "degree_level": "4", "degree": "405",
    "degree_country": "156", "degree_institution": "海南师范大学", "study_mode": "1",
}


def add_study_row(teacher_user) -> None:
    """The one row of the required 学习经历 set, entered by the teacher through the product."""
    from models import Teacher
    from records import items
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    if not items.items_of(teacher.id, "study"):
        outcome = items.save_item(teacher_user, teacher, "study", dict(STUDY_ROW))
        assert outcome.ok, outcome.problems


def complete_basic(teacher_user) -> dict:
    """Values for a complete 中小学 basic-information form, as a browser would post them.

    The record also needs a row of the required 学习经历 set before it can be submitted:
    this adds it when the record has none yet (so callers can submit right away)."""
    if teacher_user.teacher_id is not None:
        add_study_row(teacher_user)
    return {
        "nationality": "156", "ethnicity": "01", "political_status": "13", "marital_status": "20",
        "health": "1", "work_start_month": "2010-09", "joined_school_month": "2012-09", "staff_source": "11",
        "staff_category": "11", "on_payroll": "1", "contract": "1", "normal_major_graduate": "1",
        "special_ed_trained": "0", "special_ed_certificate": "0", "it_ability": "2", "free_normal_student": "0",
        "grassroots_programme": "0", "special_grade_teacher": "0", "backbone_teacher": "0",
        "mental_health_teacher": "0", "personnel_status": "100",
    }


def open_task(teacher_id: int) -> HumanTask:
    return db.session.scalars(select(HumanTask).where(HumanTask.subject_teacher_id == teacher_id)).one()


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the real login form; returns the page the user lands on."""
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=True)

"""Fixtures for the engine tests: a real app on a real database and a small org tree.

`engine_app` runs each test on a SQLite file and, when TEST_DATABASE_URL is set, on PostgreSQL too.
`world` builds, directly with the models: province → city → district → school (plus a province-run
school), an information administrator at each unit, and a teacher with an account.
Import the fixtures into a test module with `from tests.engine_fixtures import *`.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from models import Base, Org, Teacher, User, db

PG_URL = os.environ.get("TEST_DATABASE_URL")

__all__ = ["PG_URL", "World", "engine_app", "run_threads", "world"]


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _params():
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(params=_params())
def engine_app(request, tmp_path):
    if request.param == "postgresql":
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path / 'engine.db'}"
    app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    Base.metadata.create_all(db.engine)
    with app.app_context():
        yield app
    db.session.remove()
    db.engine.dispose()


@dataclass
class World:
    province: Org
    city: Org
    district: Org
    school: Org
    province_school: Org
    other_school: Org
    teacher: Teacher
    teacher_user: User
    school_admin: User
    school_admin2: User
    district_admin: User
    other_admin: User
    province_school_admin: User
    province_school_teacher: Teacher


def _org(code, name, kind, parent=None, school_type=None):
    path = (parent.path if parent else "/") + code + "/"
    org = Org(code=code, name=name, kind=kind, parent_id=parent.id if parent else None, school_type=school_type,
              path=path, depth=(parent.depth + 1) if parent else 0)
    db.session.add(org)
    db.session.flush()
    return org


def _user(username, name, role, org, teacher=None):
    user = User(username=username, display_name=name, role=role, org_id=org.id,
                teacher_id=teacher.id if teacher else None, must_change_password=False,
                password_hash="x")
    db.session.add(user)
    db.session.flush()
    return user


def _teacher(name, id_number, school):
    teacher = Teacher(org_id=school.id, name=name, gender="1", id_number=id_number, state="draft",
                      basic={"name": name, "id_number": id_number})
    db.session.add(teacher)
    db.session.flush()
    return teacher


@pytest.fixture
def world(engine_app) -> World:
    province = _org("460000", "海南省教育厅", "province")
    city = _org("460100", "海口市教育局", "city", province)
    district = _org("460105", "秀英区教育局", "county", city)
    school = _org("2146000001", "海口市第一小学", "school", district, "21")
    other_school = _org("2146000002", "海口市第二小学", "school", district, "21")
    province_school = _org("3446000027", "海南中学", "school", province, "34")
    teacher = _teacher("李老师", "460100199001011234", school)
    pteacher = _teacher("王老师", "460100199202021234", province_school)
    w = World(
        province, city, district, school, province_school, other_school, teacher,
        _user("t1", "李老师", "teacher", school, teacher),
        _user("school_admin", "张三", "info_admin", school),
        _user("school_admin2", "李四", "info_admin", school),
        _user("district_admin", "赵四", "info_admin", district),
        _user("other_admin", "钱五", "info_admin", other_school),
        _user("province_school_admin", "孙六", "info_admin", province_school),
        pteacher,
    )
    db.session.commit()
    return w


def run_threads(n, target):
    """Run target(i) in n threads, each with its own session; returns results/exceptions by index."""
    results = [None] * n

    def runner(i):
        try:
            results[i] = ("ok", target(i))
        except BaseException as exc:  # noqa: BLE001 -- reported to the test
            results[i] = ("error", exc)
        finally:
            db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results

"""Province set-up paths: org import and unit accounts from the CLI and the web, school imports over HTTP,
and migrations on every database."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, inspect, select

from app import create_app
from models import AuditEntry, Base, PasswordSheet, Teacher, User, db
from tests.conftest import DATA, PG_URL, reset_postgres
from tests.journey_helpers import PASSWORD, login, user


def test_orgs_import_cli_reports_bad_rows_and_imports_nothing(app, tmp_path):
    bad = tmp_path / "orgs.csv"
    bad.write_text("code,name,kind,parent,school_type,legal_entity,division\n460000,海南省,province,,,是,\n"
                   "2146009999,某小学,school,123456,21,是,\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orgs", "import", str(bad)])
    assert result.exit_code == 1
    assert "第3行【parent】" in result.output and "Traceback" not in result.output
    ok = runner.invoke(args=["orgs", "import", str(DATA / "hainan_orgs.csv")])
    assert ok.exit_code == 0 and "新增 210" in ok.output


def test_accounts_generate_cli_creates_only_missing(hainan, tmp_path):
    runner = hainan.test_cli_runner()
    out = tmp_path / "pw.xlsx"
    first = runner.invoke(args=["accounts", "generate", "460105", "--out", str(out)])
    assert first.exit_code == 0, first.output
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # 秀英区 bureau + its legal-entity schools (not its teaching point), three accounts each
    assert len(rows) % 3 == 0 and any(r[3] == "460105_info" for r in rows)
    assert not any(str(r[0]).startswith("TP") for r in rows)
    u = user("460105_info")
    assert u.must_change_password and u.check_password(next(r[4] for r in rows if r[3] == "460105_info"))
    again = runner.invoke(args=["accounts", "generate", "460105", "--out", str(tmp_path / "pw2.xlsx")])
    assert "均已存在" in again.output
    assert db.session.query(AuditEntry).filter_by(action="accounts_generated").count() == 2


def test_password_sheet_downloads_once_over_http(hainan):
    from accounts.unit_accounts import create_unit_accounts
    from tests.journey_helpers import org
    # only the province's own accounts exist; its system administrator generates the rest
    create_unit_accounts(org("460000"), None, password=PASSWORD, must_change=False)
    db.session.commit()
    # remove the accounts below the province so that generation has work to do
    db.session.query(User).filter(User.org_id != org("460000").id).delete()
    db.session.commit()
    client = hainan.test_client()
    login(client, "460000_sys")
    page = client.post("/accounts/generate", data={}).get_data(as_text=True)
    assert "只能下载一次" in page
    sheet = db.session.scalars(select(PasswordSheet)).one()
    # the result page left without downloading: the account page still offers the sheet, once
    waiting = client.get("/accounts/").get_data(as_text=True)
    assert f'id="pending-sheet-{sheet.id}"' in waiting and f"/accounts/password-sheets/{sheet.id}" in waiting
    first = client.post(f"/accounts/password-sheets/{sheet.id}")
    assert first.status_code == 200 and first.data[:2] == b"PK"
    rows = list(load_workbook(io.BytesIO(first.data)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == db.session.query(User).filter(User.org_id != org("460000").id).count()
    second = client.post(f"/accounts/password-sheets/{sheet.id}", follow_redirects=True)
    assert "已下载过" in second.get_data(as_text=True)
    assert db.session.get(PasswordSheet, sheet.id).content is None
    assert f'id="pending-sheet-{sheet.id}"' not in client.get("/accounts/").get_data(as_text=True)


def test_school_system_admin_cannot_manage_other_schools(province):
    client = province.test_client()
    login(client, "2146000001_sys")
    other = user("2146000002_info")
    assert client.post(f"/accounts/{other.id}/reset", data={}).status_code == 404
    own = user("2146000001_info")
    assert "新初始密码" in client.post(f"/accounts/{own.id}/reset", data={}, follow_redirects=True).get_data(as_text=True)
    # a county system admin manages the system admins of the schools directly below
    county = province.test_client()
    login(county, "460105_sys")
    school_sys = user("2146000001_sys")
    assert county.post(f"/accounts/{school_sys.id}/reset", data={}).status_code == 302
    school_info = user("2146000001_info")
    assert county.post(f"/accounts/{school_info.id}/reset", data={}).status_code == 404
    # never one's own: a reset skips the old password /password asks for
    me = user("460105_sys")
    before = me.password_hash
    refused = county.post(f"/accounts/{me.id}/reset", data={}, follow_redirects=True).get_data(as_text=True)
    assert "不能重置自己的密码" in refused and "新初始密码：" not in refused
    db.session.expire_all()
    assert user("460105_sys").password_hash == before


def test_school_imports_its_sample_sheet_over_http(province):
    client = province.test_client()
    login(client, "2146000001_info")
    data = (DATA / "school_2146000001_basic_info.xlsx").read_bytes()
    page = client.post("/import", data={"file": (io.BytesIO(data), "school.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "已导入 22 名教师" in page
    assert db.session.query(Teacher).count() == 22
    # the same file again: every row is a duplicate, nothing imported
    page = client.post("/import", data={"file": (io.BytesIO(data), "school.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何数据" in page and "已在" in page
    assert db.session.query(Teacher).count() == 22


def test_bad_sheet_over_http_imports_nothing(province):
    client = province.test_client()
    login(client, "2146000001_info")
    data = (DATA / "bad" / "teachers_with_errors.xlsx").read_bytes()
    page = client.post("/import", data={"file": (io.BytesIO(data), "bad.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "未导入任何数据" in page and "身份证件号" in page
    assert db.session.query(Teacher).count() == 0
    junk = client.post("/import", data={"file": (io.BytesIO(b"not a spreadsheet"), "x.xlsx")},
                       content_type="multipart/form-data")
    assert junk.status_code == 200 and db.session.query(Teacher).count() == 0


def test_county_cannot_import_into_another_county(province):
    client = province.test_client()
    login(client, "460106_info")
    data = (DATA / "province_basic_info.xlsx").read_bytes()
    page = client.post("/import", data={"file": (io.BytesIO(data), "p.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "不在您的管辖范围内" in page
    assert db.session.query(Teacher).count() == 0


@pytest.mark.parametrize("backend", ["sqlite"] + (["postgresql"] if PG_URL else []))
def test_migrations_build_the_models_schema(tmp_path, backend):
    from models.migrate import upgrade
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else PG_URL
    if backend == "postgresql":
        reset_postgres(url)
    upgrade(url)
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    for name, table in Base.metadata.tables.items():
        cols = {c["name"] for c in inspect(engine).get_columns(name)}
        assert {c.name for c in table.columns} == cols, name
    engine.dispose()


def test_a_password_reset_names_a_teacher_masked_to_the_masked_roles(province):
    from tests.journey_helpers import new_teacher
    teacher = new_teacher("2146000001", "重置测试", seq=44)
    client = province.test_client()
    login(client, "2146000001_sys")           # a system administrator: ID numbers are masked for this role
    page = client.get("/accounts/").get_data(as_text=True)
    assert teacher.username not in page and "确定重置 重置测试 的密码？" in page   # the form asks first
    done = client.post(f"/accounts/{teacher.id}/reset", data={}, follow_redirects=True).get_data(as_text=True)
    masked = teacher.username[:4] + "*" * 10 + teacher.username[-4:]
    assert f"账号 {masked}（重置测试）的新初始密码：" in done and teacher.username not in done


def test_a_duplicate_id_number_names_the_school_not_the_person_and_is_masked(province):
    from tests.journey_helpers import new_teacher
    registered = new_teacher("2146000001", "已登记教师", seq=48)
    number = registered.username
    client = province.test_client()
    login(client, "2146000002_sys")           # another school's system administrator (a masked role)
    page = client.post("/accounts/teachers", data={"name": "张三", "gender": "女", "birth_month": "1988-03",
                                                    "id_number": number}, follow_redirects=True).get_data(as_text=True)
    assert "已在 海口市秀英区东山中心小学 登记" in page and "已登记教师" not in page   # the school, not the person
    shown = re.sub(r"<[^>]+>", " ", page)    # what is read on the page (the form keeps what was typed)
    assert number not in shown and f"{number[:4]}**********{number[-4:]}" in shown
    # a form's problem is not a file's
    bad = client.post("/accounts/teachers", data={"name": "张三", "gender": "女", "birth_month": "1988-03",
                                                   "id_number": number[:-1] + ("0" if number[-1] != "0" else "1")},
                      follow_redirects=True).get_data(as_text=True)
    assert "校验位" in bad and "文件：" not in bad

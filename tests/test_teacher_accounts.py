"""Teacher accounts from the four items: one at a time and from the school's sheet."""
from __future__ import annotations

import pytest
from openpyxl import Workbook

from models import AuditEntry, Teacher, User, db
from records import service
from tests.conftest import DATA
from tests.journey_helpers import login, make_id, user


@pytest.mark.parametrize("name, gender, month, id_number, expect", [
    ("张三", "女", "1988-03", "460105198803150027", "校验"),          # wrong check character
    ("张三", "女", "1988-04", "460105198803150029", "出生"),          # birth month disagrees
    ("张三", "男", "1988-03", "460105198803150029", "性别"),          # gender disagrees (17th digit even)
    ("", "女", "1988-03", "460105198803150029", "姓名"),              # name missing
    ("张三", "女", "1988-03", "460105880315002", "15"),               # old 15-digit number
])
def test_bad_four_items_are_refused(province, name, gender, month, id_number, expect):
    out = service.create_teacher_account(user("2146000001_sys"), name, gender, month, id_number)
    assert not out.ok
    assert any(expect in p for p in out.problems), out.problems
    assert db.session.query(Teacher).count() == 0


def test_good_account_logs_in_with_id_and_must_change_password(province):
    out = service.create_teacher_account(user("2146000001_sys"), "林晓", "女", "1988-03", "460105198803150029")
    assert out.ok, out.problems
    u = user("460105198803150029")
    assert u.role == "teacher" and u.must_change_password
    assert u.check_password(service.initial_teacher_password("460105198803150029"))
    assert u.password_hash != service.initial_teacher_password("460105198803150029")
    assert db.session.query(AuditEntry).filter_by(action="teacher_account_created").count() == 1


def test_lower_case_x_is_the_same_number(province):
    id_number = next(make_id("1990-01-01", s, True) for s in range(0, 400, 2) if make_id("1990-01-01", s, True).endswith("X"))
    out = service.create_teacher_account(user("2146000001_sys"), "王五", "女", "1990-01", id_number.lower())
    assert out.ok, out.problems
    assert db.session.query(User).filter_by(username=id_number).count() == 1


def test_duplicate_anywhere_in_province_names_the_school(province):
    assert service.create_teacher_account(user("2146000001_sys"), "林晓", "女", "1988-03", "460105198803150029").ok
    out = service.create_teacher_account(user("2146000074_sys"), "林晓", "女", "1988-03", "460105198803150029")
    assert not out.ok
    assert "海口市秀英区东山中心小学" in out.message
    assert db.session.query(Teacher).count() == 1


def test_sheet_creates_all_accounts(province):
    data = (DATA / "school_2146000001_new_teacher_accounts.xlsx").read_bytes()
    out = service.create_teacher_accounts_from_sheet(user("2146000001_sys"), data)
    assert out.ok, out.problems
    assert db.session.query(Teacher).count() == 30


def test_sheet_with_a_bad_row_creates_nothing(province, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "出生年月", "身份证号码"])
    ws.append(["甲", "女", "1988-03", "460105198803150029"])
    ws.append(["乙", "男", "1990-01", "460105199001010011"])   # check character wrong
    path = tmp_path / "acc.xlsx"
    wb.save(path)
    out = service.create_teacher_accounts_from_sheet(user("2146000001_sys"), path.read_bytes())
    assert not out.ok
    assert any("第3行" in p for p in out.problems), out.problems
    assert db.session.query(Teacher).count() == 0


def test_a_mistaken_account_can_be_withdrawn_before_submission_only(province):
    from models import HumanTask, ProcessInstance
    from tests.journey_helpers import complete_basic
    assert service.create_teacher_account(user("2146000001_sys"), "林晓", "女", "1988-03", "460105198803150029").ok
    t = db.session.query(Teacher).one()
    # another school's administrator cannot, the info admin cannot
    assert not service.withdraw_teacher_account(user("2146000002_sys"), t.id).ok
    assert not service.withdraw_teacher_account(user("2146000001_info"), t.id).ok
    out = service.withdraw_teacher_account(user("2146000001_sys"), t.id)
    assert out.ok, out.message
    assert db.session.query(Teacher).count() == 0 and db.session.query(ProcessInstance).count() == 0
    assert db.session.query(HumanTask).count() == 0
    assert db.session.query(User).filter_by(username="460105198803150029").count() == 0
    assert db.session.query(AuditEntry).filter_by(action="teacher_account_withdrawn").one().before["id_number"]
    # once submitted, never
    assert service.create_teacher_account(user("2146000001_sys"), "林晓", "女", "1988-03", "460105198803150029").ok
    t = db.session.query(Teacher).one()
    teacher_user = user("460105198803150029")
    assert service.save_basic(teacher_user, t, complete_basic(teacher_user), submit=True).ok
    refused = service.withdraw_teacher_account(user("2146000001_sys"), t.id)
    assert not refused.ok and "已报送" in refused.message
    assert db.session.query(Teacher).count() == 1


@pytest.mark.parametrize("name", ["<b>王</b>", "王;drop", "<script>alert(1)</script>", "王{x}", "张三123", "·"])
def test_names_with_markup_or_digits_are_refused(province, name):
    out = service.create_teacher_account(user("2146000001_sys"), name, "女", "1988-03", "460105198803150029")
    assert not out.ok and any("姓名中不能有" in p or "不是姓名" in p for p in out.problems), out.problems


@pytest.mark.parametrize("name", ["买买提·艾力", "John O'Brien", "欧阳 娜娜"])
def test_real_names_pass(province, name):
    assert service.create_teacher_account(user("2146000001_sys"), name, "女", "1988-03", "460105198803150029").ok


def test_a_15_digit_number_is_told_how_to_convert_even_where_numbers_are_masked(province):
    """System administrators see ID numbers masked, so the converted number alone would be hidden: the way
    to convert (insert 19, the check character) stays readable."""
    client = province.test_client()
    login(client, "2146000001_sys")
    page = client.post("/accounts/teachers", data={"name": "旧号", "gender": "男", "birth_month": "1991-09",
                                                  "id_number": "460024910909501"}).get_data(as_text=True)
    assert "15 位旧号码" in page and "460024199109095013" not in page   # masked for this role
    assert "在第 6 位后插入“19”，末尾加校验位“3”" in page

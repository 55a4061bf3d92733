"""Import of the repeatable sets' sheets: file-level and row-level problems, what people type,
all or nothing against the database, the marked workbook, and the import page with its job."""
from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest
from sqlalchemy import func, select

from models import AuditEntry, ImportJob, RecordItem, Teacher, db
from records import items, service
from records.error_report import marked_workbook
from records.set_import import parse_set_sheet
from records.sheets import build_workbook
from tests.conftest import DATA
from tests.journey_helpers import STUDY_ROW, complete_basic, login, make_id, new_teacher, user

TODAY = dt.date(2026, 12, 3)
LIN = "460105198803150029"


def xlsx(rows, title="学习经历", before=()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for name in before:          # sheets in front of the data
        ws.title = name
        ws.append(["说明"])
        ws = wb.create_sheet(title)
    ws.title = title
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"          # what someone typed, not a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


STUDY_HEADER = ["姓名*", "身份证件类型*", "身份证件号*", "获得学历*", "获得学历的院校或机构*", "所学专业*", "是否师范类专业*",
                "入学年月", "毕业年月", "学位层次*", "学位名称*", "获得学位的国家(地区)*", "获得学位的院校或机构*", "学习方式*"]


def study(name="林晓", number=LIN, **over):
    base = dict(zip(STUDY_HEADER, [name, "居民身份证", number, "大学本科毕业", "海南师范大学", "汉语言文学", "是", "2006-09",
                                   "2010-07", "学士", "文学学士", "中国", "海南师范大学", "全脱产"]))
    base.update(over)
    return [base[h] for h in STUDY_HEADER]


def parse(rows, set_key="study", school_type="21", **kw):
    return parse_set_sheet(xlsx(rows, **kw), set_key, school_type, today=TODAY)


# ------------------------------------------------------------------------------ file level
def test_a_clean_sheet():
    parsed = parse([STUDY_HEADER, study(), study(**{"获得学历*": "普通高中毕业", "所学专业*": "无", "学位层次*": "无",
                                                    "学位名称*": "", "获得学位的国家(地区)*": "", "获得学位的院校或机构*": "",
                                                    "入学年月": "2003-09", "毕业年月": "2006-07"})])
    assert parsed.ok, parsed.problems
    first = parsed.rows[0]
    assert first.id_number == LIN and first.values["degree"] == "405" and first.values["enrol_month"] == "2006-09"


def test_missing_column_names_it():
    header = [h for h in STUDY_HEADER if h != "身份证件号*"]
    parsed = parse([header, study()[:2] + study()[3:]])
    assert [(p.row, p.message) for p in parsed.problems] == [(0, "找不到【身份证件号*】列")]
    header = [h for h in STUDY_HEADER if h != "学习方式*"]
    assert [p.message for p in parse([header, study()[:-1]]).problems] == ["找不到【学习方式*】列"]


def test_headers_without_star_with_spaces_or_on_another_sheet_are_recognised():
    header = [" " + h.rstrip("*") + "\u00a0" for h in STUDY_HEADER]
    parsed = parse([["学习经历导入表"], header, study()], before=("封面",))
    assert parsed.ok, parsed.problems
    assert parsed.sheet_index == 1 and parsed.header_row == 2 and parsed.rows[0].row_number == 3


def test_unknown_columns_and_a_sheet_of_another_set():
    parsed = parse([STUDY_HEADER + ["备注说明"], study() + ["x"]])
    [p] = parsed.problems
    assert "【备注说明】（O列）" in p.message and "模板以外的列" in p.message
    # an extra column does not hide what is wrong in the rows: one upload shows everything to fix
    both = parse([STUDY_HEADER + ["备注说明"], study(**{"入学年月": "2006-13"}) + ["x"]]).problems
    assert [p.row for p in both] == [0, 2] and "入学年月" in both[1].message
    basic = openpyxl.load_workbook(DATA / "school_2146000001_basic_info.xlsx").active
    rows = [[c.value for c in r] for r in basic.iter_rows(max_row=3)]
    p = next(p for p in parse(rows).problems if "模板以外的列" in p.message)
    assert "像是【基本信息】的模板" in p.message
    # and the other way round: a 学习经历 sheet uploaded as 基本信息 is told which set to choose
    from records.importer import parse_basic_sheet
    [p] = [p for p in parse_basic_sheet(xlsx([STUDY_HEADER, study()]), school_type="21").problems
           if "模板以外的列" in p.message]
    assert "像是【学习经历】的模板：请在“信息集”中选择【学习经历】后再上传" in p.message
    # columns of no template keep the general advice
    [p] = [p for p in parse_basic_sheet(xlsx([["姓名*", "身份证件号*", "鞋码", "血型"], ["林晓", LIN, "37", "A"]]),
                                        school_type="21").problems if "模板以外的列" in p.message]
    assert "像是" not in p.message and "请使用导入模板，删除这些列后再导入" in p.message
    # … and in the basic sheet too, the rows are judged beside it
    sample = [[c.value for c in r] for r in basic.iter_rows(max_row=2)]
    number_column = sample[0].index("身份证件号*")
    sample[1][number_column] = sample[1][number_column][:17] + ("1" if sample[1][number_column][17] != "1" else "2")
    found = parse_basic_sheet(xlsx([sample[0] + ["鞋码"], sample[1] + ["37"]], title="基本信息"),
                              school_type="21").problems
    assert [p.row for p in found] == [0, 2] and "校验位错误" in found[1].message


def test_not_a_spreadsheet_and_empty():
    parsed = parse_set_sheet(b"PK\x03\x04 not really", "study", "21")
    assert "不是 Excel 工作簿" in parsed.problems[0].message
    assert "没有数据行" in parse([STUDY_HEADER]).problems[0].message


# ------------------------------------------------------------------------------ rows
def test_row_problems_name_row_column_value_and_what_is_allowed():
    parsed = parse([STUDY_HEADER, study(**{"学习方式*": "函授"}), study(**{"毕业年月": "2005-07"})])
    a, b = parsed.problems
    assert (a.row, a.column, a.value) == (2, "学习方式*", "函授")
    assert a.message.startswith("【学习方式*】“函授”不是可选的值") and "全脱产、半脱产、不脱产" in a.message
    assert (b.row, b.column, b.value) == (3, "毕业年月", "2005-07") and "须晚于入学年月" in b.message


@pytest.mark.parametrize("typed,month", [("2006-09", "2006-09"), ("2006.09", "2006-09"), ("2006年9月", "2006-09"),
                                         ("200609", "2006-09"), (dt.datetime(2006, 9, 1), "2006-09"),
                                         ("２００６－０９", "2006-09"), ("\u00a02006/9 ", "2006-09")])
def test_months_as_people_type_them(typed, month):
    parsed = parse([STUDY_HEADER, study(**{"入学年月": typed})])
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].values["enrol_month"] == month


def test_id_numbers_as_people_type_them():
    x_id = make_id("1990-01-04", 12, True)
    while not x_id.endswith("X"):        # find a number whose check character is X
        x_id = make_id("1990-01-04", int(x_id[14:17]) + 2, True)
    parsed = parse([STUDY_HEADER, study(number=x_id.lower()), study(number="４６０１０５１９８８０３１５００２９")])
    assert parsed.ok, parsed.problems
    assert [r.id_number for r in parsed.rows] == [x_id, LIN]
    parsed = parse([STUDY_HEADER, study(number=460105198803150000), study(number="460105880315002")])
    a, b = parsed.problems
    assert "数字格式" in a.message and "15 位" in a.message
    assert b.row == 3 and "15" in b.message


def test_hong_kong_and_foreign_documents():
    parsed = parse([STUDY_HEADER, study(**{"身份证件类型*": "香港特区护照/身份证明", "身份证件号*": "H12345678"}),
                    study(**{"身份证件类型*": "护照", "身份证件号*": "E12345678"})])
    assert parsed.ok, parsed.problems


def test_rules_across_a_teachers_rows():
    header = ["姓名*", "身份证件类型*", "身份证件号*", "任职单位名称*", "任职开始年月*", "任职结束年月"]
    other = make_id("1985-05-05", 20, False)
    parsed = parse([header, ["林晓", "居民身份证", LIN, "甲校", "2005-09", ""],
                    ["林晓", "居民身份证", LIN, "乙校", "2012-09", ""],
                    ["王五", "居民身份证", other, "丙校", "2008-09", ""]], set_key="work")
    [p] = parsed.problems
    assert (p.row, p.column) == (2, "任职结束年月") and "2012-09" in p.message and "至今" in p.message
    header = ["姓名*", "身份证件类型*", "身份证件号*", "手机"]
    [p] = parse([header, ["林晓", "居民身份证", LIN, "13800138000"], ["林晓", "居民身份证", LIN, "13900139000"]],
                set_key="contact").problems
    assert p.row == 3 and "只有一条" in p.message


# ------------------------------------------------------------------------------ into the database
def _teachers(n=2):
    out = []
    for i in range(n):
        u = new_teacher("2146000001", f"教师{chr(65 + i)}", seq=10 + 2 * i, birth=f"198{i}-03-15")
        out.append(db.session.get(Teacher, u.teacher_id))
    return out


def test_import_replaces_the_rows_of_the_teachers_named(province):
    a, b = _teachers()
    admin = user("2146000001_info")
    assert items.save_item(admin, a, "study", dict(STUDY_ROW)).ok    # replaced by the file
    data = xlsx([STUDY_HEADER, study(a.name, a.id_number), study(a.name, a.id_number, **{
        "获得学历*": "硕士研究生毕业", "入学年月": "2010-09", "毕业年月": "2013-07", "学位层次*": "硕士", "学位名称*": "教育硕士专业学位"}),
        study(b.name, b.id_number)])
    out = items.import_set_sheet(admin, data, "study.xlsx", "study")
    assert out.ok, out.problems
    assert "2 名教师" in out.message and "共 3 条" in out.message
    rows = items.items_of(a.id, "study")
    assert [r.position for r in rows] == [1, 2] and rows[1].values["degree"] == "341"
    assert all(r.entered_by_id == admin.id for r in rows)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "record_set_imported")) == 1
    # the same file again: the same rows, not twice as many
    assert items.import_set_sheet(admin, data, "study.xlsx", "study").ok
    assert db.session.scalar(select(func.count()).select_from(RecordItem)) == 3


def test_all_or_nothing_with_every_problem(province):
    a, b = _teachers()
    admin = user("2146000001_info")
    u = db.session.scalars(select(Teacher).where(Teacher.id == b.id)).one()
    teacher_user = db.session.scalars(select(__import__("models").User).where(
        __import__("models").User.teacher_id == u.id)).one()
    assert service.save_basic(teacher_user, u, complete_basic(teacher_user), submit=True).ok   # b under review
    db.session.execute(RecordItem.__table__.delete())
    db.session.commit()
    other_school = new_teacher("2146000002", "外校", seq=60)
    data = xlsx([STUDY_HEADER, study(a.name, a.id_number), study("错名", a.id_number), study(b.name, b.id_number),
                 study("外校", other_school.username), study("无此人", make_id("1970-01-01", 8, True))])
    out = items.import_set_sheet(admin, data, "study.xlsx", "study")
    assert not out.ok and "未导入任何数据" in out.message
    got = [(p.row, p.column) for p in out.problems]
    assert got == [(3, "姓名*"), (4, "身份证件号*"), (5, "身份证件号*"), (6, "身份证件号*")]
    assert "错名" in out.problems[0].message and a.name in out.problems[0].message
    assert "待学校审核" in out.problems[1].message
    assert "不是本单位" in out.problems[2].message
    assert db.session.scalar(select(func.count()).select_from(RecordItem)) == 0


def test_bureau_import_needs_the_school_type_and_fills_each_teachers_school(province):
    [a] = _teachers(1)
    kg = new_teacher("1146000001", "幼师", seq=70)
    county = user("460105_info")
    header = ["姓名*", "身份证件类型*", "身份证件号*", "考核年度*", "考核结果*"]
    data = xlsx([header, [a.name, "居民身份证", a.id_number, 2025, "优秀"]], title="年度考核")
    out = items.import_set_sheet(county, data, "a.xlsx", "assessment", "21")
    assert out.ok, out.problems
    [row] = items.items_of(a.id, "assessment")
    assert row.values == {"year": "2025", "result": "1", "unit": a.org.name}
    data = xlsx([header, [kg.display_name, "居民身份证", kg.username, 2025, "优秀"]], title="年度考核")
    out = items.import_set_sheet(county, data, "a.xlsx", "assessment", "21")
    assert not out.ok and "幼儿园" in out.problems[0].message
    assert not items.import_set_sheet(user("460106_info"), data, "a.xlsx", "assessment", "11").ok   # another county


# ------------------------------------------------------------------------------ the marked workbook
def test_marked_workbook_marks_the_bad_cells():
    data = xlsx([STUDY_HEADER, study(), study(**{"学习方式*": "=HYPERLINK(\"x\")", "毕业年月": "2005-07"})])
    parsed = parse_set_sheet(data, "study", "21", today=TODAY)
    wb = openpyxl.load_workbook(io.BytesIO(marked_workbook(data, parsed.problems)))
    ws = wb["学习经历"]
    mode, end = ws.cell(row=3, column=14), ws.cell(row=3, column=9)
    assert mode.fill.fgColor.rgb.endswith("FFC7CE") and "不是可选的值" in mode.comment.text
    assert end.comment is not None and "须晚于入学年月" in end.comment.text
    assert ws.cell(row=2, column=14).comment is None
    listing = wb["错误清单"]
    rows = list(listing.iter_rows(values_only=True))
    assert rows[0] == ("行", "列", "所填的值", "问题") and len(rows) == 3
    formula = next(c for c in listing["C"] if c.value and str(c.value).startswith("="))
    assert formula.data_type == "s"            # written as text, never run


def test_samples_with_errors_are_marked_at_the_expected_cells():
    import csv
    expected = {(int(e["row"]), e["column"]) for e in csv.DictReader((DATA / "bad" / "teachers_with_errors.expected.csv")
                                                                      .open(encoding="utf-8")) if e["column"]}
    from records.importer import parse_basic_sheet
    data = (DATA / "bad" / "teachers_with_errors.xlsx").read_bytes()
    parsed = parse_basic_sheet(data, school_type="21")
    wb = openpyxl.load_workbook(io.BytesIO(marked_workbook(data, parsed.problems)))
    ws = wb.worksheets[0]
    headers = {c.value: c.column for c in ws[1]}
    marked = {(c.row, ws.cell(row=1, column=c.column).value) for r in ws.iter_rows(min_row=2) for c in r if c.comment}
    assert marked == expected and all(h in headers for _, h in expected)
    not_xlsx = marked_workbook(b"garbage", [])
    assert openpyxl.load_workbook(io.BytesIO(not_xlsx)).sheetnames == ["错误清单"]


# ------------------------------------------------------------------------------ the import page
def upload(client, data, set_key="study", **extra):
    return client.post("/import", data={"set_key": set_key, "file": (io.BytesIO(data), "upload.xlsx"), **extra},
                       content_type="multipart/form-data")


def test_import_page_imports_a_set_and_offers_the_marked_file(province):
    [a] = _teachers(1)
    client = province.test_client()
    login(client, "2146000001_info")
    page = upload(client, xlsx([STUDY_HEADER, study(a.name, a.id_number)])).get_data(as_text=True)
    assert "已导入 1 名教师的【学习经历】共 1 条" in page
    bad = upload(client, xlsx([STUDY_HEADER, study(a.name, a.id_number, **{"学习方式*": "函授"})]))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "未导入任何数据" in page and "函授" in page and "下载标出错误的原文件" in page
    job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    report = client.get(f"/import/jobs/{job.token}/report.xlsx")
    assert report.status_code == 200 and "错误清单" in openpyxl.load_workbook(io.BytesIO(report.data)).sheetnames
    # another user cannot see the job
    other = province.test_client()
    login(other, "2146000002_info")
    assert other.get(f"/import/jobs/{job.token}").status_code == 404
    assert other.get(f"/import/jobs/{job.token}/report.xlsx").status_code == 404
    # a bureau must say which school type its sheet is for
    county = province.test_client()
    login(county, "460105_info")
    page = upload(county, xlsx([STUDY_HEADER, study(a.name, a.id_number)])).get_data(as_text=True)
    assert "请选择学校类型" in page


def test_a_large_upload_runs_in_the_background_with_progress(province):
    province.config["IMPORT_BACKGROUND_BYTES"] = 0
    [a] = _teachers(1)
    teacher_id = a.id
    client = province.test_client()
    login(client, "2146000001_info")
    resp = upload(client, xlsx([STUDY_HEADER, study(a.name, a.id_number)]))
    assert resp.status_code == 302 and "/import/jobs/" in resp.headers["Location"]
    job_url = resp.headers["Location"]
    for _ in range(100):
        # The fixture's app context keeps one session across test-client requests: end its read
        # transaction, as each real request does, so the worker thread's commits are seen.
        db.session.remove()
        status = client.get(job_url + "/status").get_json()
        if status["status"] not in ("queued", "running"):
            break
        assert 0 <= status["percent"] <= 100
        time.sleep(0.1)
    assert status["status"] == "done" and status["ok"] and status["percent"] == 100
    page = client.get(job_url).get_data(as_text=True)
    assert "已导入 1 名教师" in page
    assert len(items.items_of(teacher_id, "study")) == 1


# ------------------------------------------------------------------------------ the offline check
def test_cli_checks_set_sheets_and_takes_a_school(app, tmp_path):
    good, bad = tmp_path / "study.xlsx", tmp_path / "bad_study.xlsx"
    good.write_bytes(xlsx([STUDY_HEADER, study()]))
    bad.write_bytes(xlsx([STUDY_HEADER, study(**{"学习方式*": "函授"})]))
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["records", "check", str(good), "--set", "study", "--school", "2146000001"])
    assert ok.exit_code == 0, ok.output
    assert "未发现问题" in ok.output
    result = runner.invoke(args=["records", "check", str(bad), "--set", "study"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "row,column,message" and lines[1].startswith("2,学习方式*,【学习方式*】“函授”不是可选的值")
    assert runner.invoke(args=["records", "check", str(good), "--set", "nothing"]).exit_code == 1
    assert runner.invoke(args=["records", "check", str(good), "--school", "12345"]).exit_code == 1
    sample = DATA / "school_2146000001_basic_info.xlsx"
    assert runner.invoke(args=["records", "check", str(sample), "--school", "2146000001"]).exit_code == 0

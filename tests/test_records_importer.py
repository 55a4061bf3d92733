"""Basic-information sheets: reading, headers, rows, duplicates, CLI (records/importer.py)."""
import csv
import datetime as dt
import io

import openpyxl
import pytest

from records.idcard import check_char
from records.importer import (_read_calamine, _read_openpyxl, bulk_teacher_rows, check_file_cli, find_province_duplicates, parse_basic_sheet,
                              province_duplicate_problems, unknown_schools)
from records.indicators import template_headers

from .conftest import DATA

BAD = DATA / "bad"
SCHOOL_SHEETS = sorted(DATA.glob("school_*_basic_info.xlsx"))


def rid(first17):
    return first17 + check_char(first17)


def run_cli(path, **kw):
    lines = []
    code = check_file_cli(path, echo=lines.append, **kw)
    return code, lines


def problem_lines(lines):
    return [row for row in csv.reader(l for l in lines[1:] if not l.startswith("#"))]


def xlsx(rows, **cell_formats) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_row(headers, **values):
    base = dict(zip(template_headers("21"), [
        "林晓", "", "女", "", "中国", "居民身份证", rid("46010019880315202"), "1988-03-15", "", "", "汉族", "群众", "",
        "", "2010-09", "2012-09", "录用应届毕业生", "专任教师", "是", "", "聘用合同", "否", "否", "否", "熟练", "否",
        "否", "", "", "否", "否", "否", "在本单位任职", "",
    ]))
    base.update(values)
    return [base.get(h, "") for h in headers]


# ----------------------------------------------------------------------------- the samples
def test_teachers_with_errors_reports_every_expected_row_and_column():
    expected = list(csv.DictReader((BAD / "teachers_with_errors.expected.csv").open(encoding="utf-8")))
    parsed = parse_basic_sheet(BAD / "teachers_with_errors.xlsx", school_type="21")
    got = {(p.row, p.column) for p in parsed.problems}
    wanted = {(int(e["row"]), e["column"]) for e in expected if e["column"]}
    assert got == wanted
    assert not any(p.row == 2 for p in parsed.problems)
    assert all(p.message.startswith(f"【{p.column}】") for p in parsed.problems)
    dup = next(p for p in parsed.problems if p.row == 6)
    assert "第 2 行" in dup.message


def test_teachers_with_errors_cli():
    code, lines = run_cli(BAD / "teachers_with_errors.xlsx")
    assert code == 1
    assert lines[0] == "row,column,message"
    rows = problem_lines(lines)
    assert [(r[0], r[1]) for r in rows] == [
        ("3", "身份证件号*"), ("4", "出生日期*"), ("5", "性别*"), ("6", "身份证件号*"), ("7", "姓名*"),
        ("8", "民族*"), ("9", "参加工作年月*"), ("10", "进本校年月*"), ("11", "用人形式*"),
        ("12", "参加基层服务项目结束年月")]
    assert lines[-1].startswith("# 共 11 行数据；发现 10 个问题")


def test_missing_id_column():
    parsed = parse_basic_sheet(BAD / "missing_id_column.xlsx", school_type="21")
    assert [(p.row, p.column, p.message) for p in parsed.problems] == [(0, "身份证件号*", "找不到【身份证件号*】列")]
    code, lines = run_cli(BAD / "missing_id_column.xlsx")
    assert code == 1 and "0,身份证件号*,找不到【身份证件号*】列" in lines


def test_not_a_spreadsheet():
    parsed = parse_basic_sheet(BAD / "not_a_spreadsheet.xlsx", school_type="21")
    [p] = parsed.problems
    assert p.row == 0 and "不是 Excel 工作簿" in p.message
    code, lines = run_cli(BAD / "not_a_spreadsheet.xlsx")
    assert code == 1 and not any("Traceback" in l for l in lines)


@pytest.mark.parametrize("path", SCHOOL_SHEETS, ids=lambda p: p.name)
def test_school_samples_are_clean(path):
    code, lines = run_cli(path)
    assert code == 0, lines
    parsed = parse_basic_sheet(path, school_code=path.name.split("_")[1])
    assert parsed.ok and parsed.rows and all(r.ok for r in parsed.rows)


def test_kindergarten_sample_uses_its_variant():
    parsed = parse_basic_sheet(DATA / "school_1146000001_basic_info.xlsx", school_type="11")
    assert parsed.ok
    row = parsed.rows[0]
    assert row.values["joined_school_month"] == "1996-08"
    assert "special_ed_trained" not in row.values  # not in the kindergarten variant: ignored


def test_province_sample_is_clean():
    # its speed is the import_10k benchmark's (make bench), not a timed test: this machine's speed varies
    parsed = parse_basic_sheet(DATA / "province_basic_info.xlsx")
    assert parsed.ok, parsed.problems[:5]
    assert len(parsed.rows) == 4099
    assert {r.school_type for r in parsed.rows} == {"11", "21", "31", "34", "36", "51"}
    assert parsed.rows[0].row_number == 2 and parsed.rows[-1].row_number == 4100
    assert parsed.rows[0].school_code == "2146000001"
    assert any(r.values.get("political_status") == "05" for r in parsed.rows)   # 中国民主同盟盟员
    assert any(r.values.get("staff_source") == "12" for r in parsed.rows)       # 录用非应届毕业生
    # 特教 rows lack two required columns: a note, not an error
    assert len(parsed.warnings) == 1 and "从事特教起始年月*" in parsed.warnings[0].message


def test_province_sample_cli():
    code, lines = run_cli(DATA / "province_basic_info.xlsx")
    assert code == 0 and lines[-1] == "# 共 4099 行数据；未发现问题"


def test_messy_sheet_normalises():
    parsed = parse_basic_sheet(DATA / "messy_basic_info.xlsx", school_type="21")
    assert parsed.ok, parsed.problems
    first, second, third = (r.values for r in parsed.rows)
    assert [r.row_number for r in parsed.rows] == [4, 5, 6]   # title row, blank row, header on row 3
    assert first["name"] == "林晓" and first["id_number"].endswith("X")
    assert first["birth_date"] == "1988-03-15" and first["work_start_month"] == "2010-09"
    assert first["political_status"] == "05" and first["ethnicity"] == "01"
    assert second["id_number"] == rid("44212519820101451") and second["ethnicity"] == "19"
    assert second["grassroots_programme"] == "1" and second["grassroots_start"] == "2003-09"
    assert third["employment_form"] == "2" and third["gender"] == "1"


# ------------------------------------------------------------------------------ file-level
def test_missing_file_and_empty_file(tmp_path):
    assert run_cli(tmp_path / "nope.xlsx")[0] == 1
    (tmp_path / "empty.xlsx").write_bytes(b"")
    code, lines = run_cli(tmp_path / "empty.xlsx")
    assert code == 1 and "空" in lines[1]


def test_empty_sheet_and_header_only():
    [p] = parse_basic_sheet(xlsx([[]]), school_type="21").problems
    assert "空" in p.message
    [p] = parse_basic_sheet(xlsx([template_headers("21")]), school_type="21").problems
    assert "没有数据行" in p.message


def test_no_header():
    [p] = parse_basic_sheet(xlsx([["a", "b"], [1, 2]]), school_type="21").problems
    assert "找不到表头" in p.message


def test_unknown_and_doubled_columns():
    headers = template_headers("21") + ["身高", "姓名"]
    parsed = parse_basic_sheet(xlsx([headers, good_row(headers)]), school_type="21")
    messages = [p.message for p in parsed.problems]
    assert parsed.problems and all(p.row == 0 for p in parsed.problems)
    assert any("【身高】（AI列）" in m for m in messages)
    assert any("【姓名】列出现了两次" in m for m in messages)


def test_province_sheet_needs_a_school_column_or_a_school():
    headers = template_headers("21")
    [p] = parse_basic_sheet(xlsx([headers, good_row(headers)])).problems
    assert p.column == "学校标识码*" and "找不到【学校标识码*】列" in p.message
    assert parse_basic_sheet(xlsx([headers, good_row(headers)]), school_code="2146000001").rows[0].school_code \
        == "2146000001"


def test_province_sheet_school_codes():
    headers = ["学校标识码*"] + template_headers("21")
    rows = [headers,
            ["2146000001"] + good_row(headers[1:]),
            [2146000001.0] + good_row(headers[1:], **{"身份证件号*": rid("46010019900101301"), "性别*": "男",
                                                      "出生日期*": "1990-01-01"}),
            ["214600001"] + good_row(headers[1:], **{"身份证件号*": rid("46010019900101302"), "性别*": "女",
                                                     "出生日期*": "1990-01-01"}),
            ["9946000001"] + good_row(headers[1:], **{"身份证件号*": rid("46010019900101303"), "性别*": "男",
                                                      "出生日期*": "1990-01-01"})]
    parsed = parse_basic_sheet(xlsx(rows))
    assert [(p.row, p.column) for p in parsed.problems] == [(4, "学校标识码*"), (5, "学校标识码*")]
    assert parsed.rows[1].school_code == "2146000001"
    assert "10 位数字" in parsed.problems[0].message and "学校类型" in parsed.problems[1].message


def test_a_school_cannot_import_another_schools_rows():
    headers = ["学校标识码*"] + template_headers("21")
    rows = [headers, ["2146000001"] + good_row(headers[1:]),
            ["2146000002"] + good_row(headers[1:], **{"身份证件号*": rid("46010019900101301"), "性别*": "男",
                                                      "出生日期*": "1990-01-01"})]
    parsed = parse_basic_sheet(xlsx(rows), school_code="2146000001")
    [p] = parsed.problems
    assert (p.row, p.column, p.key) == (3, "学校标识码*", "school_code") and "不是本校" in p.message


def test_id_number_stored_as_a_number():
    headers = template_headers("21")
    parsed = parse_basic_sheet(xlsx([headers, good_row(headers, **{"身份证件号*": 460100198803152022})]),
                               school_type="21")
    [p] = parsed.problems
    assert (p.row, p.column) == (2, "身份证件号*") and "文本" in p.message


def test_blank_rows_are_skipped_and_numbering_kept():
    headers = template_headers("21")
    parsed = parse_basic_sheet(xlsx([headers, [], ["  "], good_row(headers, **{"姓名*": ""})]), school_type="21")
    assert [(p.row, p.column) for p in parsed.problems] == [(4, "姓名*")]


def test_bytes_and_file_objects(tmp_path):
    data = (DATA / "school_2146000001_basic_info.xlsx").read_bytes()
    assert parse_basic_sheet(data, school_type="21").ok
    assert parse_basic_sheet(io.BytesIO(data), school_type="21").ok
    assert parse_basic_sheet(str(DATA / "school_2146000001_basic_info.xlsx"), school_type="21").ok


def test_openpyxl_fallback_reads_the_same_cells():
    data = (DATA / "school_3446000001_basic_info.xlsx").read_bytes()
    assert _read_openpyxl(data) == _read_calamine(data)


def _with_formulas(results: dict[str, str] | None) -> bytes:
    """The school sample with its 出生日期* column replaced by formulas (what a program that fills the template
    writes): without cached results, or with the results Excel or WPS saves when it opens the file."""
    import re
    import zipfile
    book = openpyxl.load_workbook(DATA / "school_2146000001_basic_info.xlsx")
    ws = book.worksheets[0]
    col = next(c.column_letter for c in ws[1] if c.value == "出生日期*")
    for r in range(2, 6):
        ws[f"{col}{r}"] = f'=TEXT(DATE(1980,1,{r}),"yyyy-mm-dd")'
    ws["ZZ2"] = '=IF(1=2,"x","")'           # a text result that is empty: Excel saves it as t="str"
    raw = io.BytesIO()
    book.save(raw)
    src, out = zipfile.ZipFile(raw), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="ZZ2"><f>', b'<c r="ZZ2" t="str"><f>')
                for r, value in (results or {}).items():
                    data = re.sub(rf'(<c r="{col}{r}")(><f>[^<]*</f>)<v></v>'.encode(),
                                  rf'\1 t="str"\2<v>{value}</v>'.encode(), data)
            dst.writestr(item, data)
    return out.getvalue()


def test_formulas_saved_without_results_are_refused_by_cell():
    parsed = parse_basic_sheet(_with_formulas(None), school_type="21")
    [p] = parsed.problems
    assert p.row == 0 and "有 4 个公式单元格没有保存计算结果" in p.message
    assert "第2行 " in p.message and "第5行 " in p.message and "在 Excel 或 WPS 中打开并保存后再导入" in p.message
    # the same file once opened and saved in Excel carries the results: it reads as typed values
    typed = parse_basic_sheet(DATA / "school_2146000001_basic_info.xlsx", school_type="21")
    births = [r.values["birth_date"] for r in typed.rows[:4]]
    saved = parse_basic_sheet(_with_formulas(dict(zip(range(2, 6), births))), school_type="21")
    assert saved.ok, saved.problems[:3]
    assert [r.values["birth_date"] for r in saved.rows[:4]] == births


def test_problems_carry_field_keys():
    parsed = parse_basic_sheet(BAD / "teachers_with_errors.xlsx", school_type="21")
    assert [p.key for p in parsed.problems] == [
        "id_number", "birth_date", "gender", "id_number", "name", "ethnicity", "work_start_month",
        "joined_school_month", "employment_form", "grassroots_end"]


# ------------------------------------------------------------------------------ database side
def test_find_province_duplicates_and_bulk_rows(any_db_app):
    from models import Org, Teacher, db

    province = Org(code="460000", name="海南省", kind="province", path="/460000/", depth=0)
    school = Org(code="2146000001", name="海口市第一小学", kind="school", school_type="21",
                 path="/460000/2146000001/", depth=1, parent=province)
    db.session.add_all([province, school])
    db.session.flush()
    parsed = parse_basic_sheet(DATA / "province_basic_info.xlsx")
    first = parsed.rows[0].values
    db.session.add(Teacher(org_id=school.id, name=first["name"], id_number=first["id_number"], basic={}))
    db.session.commit()

    numbers = [r.values["id_number"] for r in parsed.rows]
    found = find_province_duplicates(db.session, numbers, chunk=100)
    assert found == {first["id_number"]: (first["name"], "海口市第一小学")}
    [p] = province_duplicate_problems(parsed, found)
    assert p.row == 2 and p.column == "身份证件号*" and "已在 海口市第一小学 登记" in p.message

    by_code = {"2146000001": school}
    assert len(unknown_schools(parsed, by_code)) == 4099 - sum(r.school_code == "2146000001" for r in parsed.rows)
    school_sheet = parse_basic_sheet(DATA / "school_2146000001_basic_info.xlsx", school_code="2146000001")
    rows = bulk_teacher_rows(school_sheet, by_code)
    assert rows[0]["org_id"] == school.id and rows[0]["gender"] in ("1", "2")
    assert rows[0]["id_type"] == "1" and rows[0]["basic"]["name"] == rows[0]["name"]
    assert rows[0]["birth_date"] == rows[0]["basic"]["birth_date"]
    assert bulk_teacher_rows(parse_basic_sheet(DATA / "school_2146000001_basic_info.xlsx", school_type="21"),
                             {}, school=school.id)[0]["org_id"] == school.id
    with pytest.raises(ValueError):
        bulk_teacher_rows(parse_basic_sheet(BAD / "teachers_with_errors.xlsx", school_type="21"), by_code)

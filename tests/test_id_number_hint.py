"""The 身份证件号 hint, declared once (records/indicators.py): the web forms give web advice, the
spreadsheet template adds the Excel advice (keep the column as text) in its 填写说明 sheet."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from records.indicators import field_by_key
from tests.journey_helpers import login, new_teacher


def test_web_form_hint_is_for_the_web_and_the_template_keeps_the_excel_advice(province):
    declared = field_by_key("id_number")
    assert "文本格式" not in declared.help and "文本格式" in declared.sheet_help
    teacher = new_teacher("2146000001", "提示", seq=44)
    client = province.test_client()
    login(client, "2146000001_info")
    form = client.get(f"/teachers/{teacher.teacher_id}/edit").get_data(as_text=True)
    assert declared.help in form and "文本格式" not in form and "Excel" not in form

    book = load_workbook(io.BytesIO(client.get("/templates/basic/21.xlsx").data))
    notes = [[c.value for c in row] for row in book["填写说明"].iter_rows()]
    id_row = next(row for row in notes if row[0] and str(row[0]).startswith("【身份证件号"))
    assert declared.help in " ".join(map(str, id_row)) and "文本格式" in " ".join(map(str, id_row))

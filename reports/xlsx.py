"""The report spreadsheets: one layout for a unit's report and for the province's compilation.

Columns: 单位, 单位代码, the DOMAIN.md figures, 状态, 报送时间, 报送人, 备注. A unit's report is one
row; the province report has one row per reporting unit and a 合计 row.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .figures import FIGURE_COLUMNS

HEAD = ["单位", "单位代码"] + [label for _, label in FIGURE_COLUMNS] + ["状态", "报送时间", "报送人", "备注"]


def _when(value) -> str:
    from workflows.timers import CHINA
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else ""


def _row(name, code, figures, status, submitted_at, submitted_by, remark):
    values = [name, code]
    for key, _label in FIGURE_COLUMNS:
        value = (figures or {}).get(key, 0)
        values.append(f"{value * 100:.1f}%" if key == "completion_rate" else value)
    return values + [status, _when(submitted_at), submitted_by or "", remark or ""]


def _book(title: str, subtitle: str, rows: list[list], total: list | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "月报"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([subtitle])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEAD))
    ws.append(HEAD)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        ws.append(row)
    if total is not None:
        ws.append(total)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for i, head in enumerate(HEAD, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 28 if i == 1 else max(10, min(20, len(head) * 2 + 2))
    ws.freeze_panes = "C4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def unit_report_xlsx(report, figures: dict, submitted_by: str | None, generated_at) -> bytes:
    from .opening import period_label
    from views.deadlines import deadline_text  # the end of the 25th reads "2026-12-25 当日", as on the pages
    org = report.org
    row = _row(org.name, org.code, figures, report.status_label, report.submitted_at, submitted_by, report.remark)
    return _book(f"{org.name}{period_label(report.period)}教师信息采集进度月报",
                 f"统计时间：{_when(generated_at)}（北京时间）；报送截止：{deadline_text(report.due_at)}", [row])


def province_report_xlsx(report, units: list[dict], total: dict, submitted_by: str | None, generated_at) -> bytes:
    """units: [{"name", "code", "figures", "status", "submitted_at", "submitted_by", "remark"}]."""
    from .opening import period_label
    rows = [_row(u["name"], u["code"], u["figures"], u["status"], u["submitted_at"], u["submitted_by"], u["remark"])
            for u in units]
    total_row = _row("合计", "", total, report.status_label, report.submitted_at, submitted_by, report.remark)
    return _book(f"{report.org.name}{period_label(report.period)}教师信息采集进度月报（汇总）",
                 f"统计时间：{_when(generated_at)}（北京时间）；共 {len(units)} 个报送单位，"
                 f"已报送 {sum(1 for u in units if u['submitted_at'])} 个", rows, total_row)

"""Monthly progress reports: who reports, the figures, opening a month, submitting, xlsx, e-mail.

    reporting_units() -> [Org]          county/district bureaus, city bureaus, province-run schools
    open_period(now) -> [line]          open the month's reports that are missing (idempotent)
    unit_figures(units, period, now) -> {org_id: figures}
    submit_report(user, report, remark), submit_year_end(user, report, text)
    reports_visible_to(user, period), report_in_scope(user, id), unit_report_xlsx(...), province_report_xlsx(...)

Modules: units (who reports, their scope, the level above), figures (the DOMAIN.md monthly
columns computed from the data), opening (the month's instances), service (submission and what
follows), xlsx (the spreadsheets).
"""
from .figures import FIGURE_COLUMNS, unit_figures
from .opening import open_period, period_of
from .service import (
    ReportRefused,
    compiled_rows,
    report_in_scope,
    reports_visible_to,
    submit_report,
    submit_year_end,
)
from .units import level_above, reporting_units
from .xlsx import province_report_xlsx, unit_report_xlsx

__all__ = [
    "FIGURE_COLUMNS", "ReportRefused", "compiled_rows", "level_above", "open_period", "period_of",
    "province_report_xlsx", "report_in_scope", "reporting_units", "reports_visible_to", "submit_report",
    "submit_year_end", "unit_figures", "unit_report_xlsx",
]

"""Fill the basic-information form the way a person does: pick display names in the selects, type months."""
from __future__ import annotations

CHOICES = {
    "nationality": "中国", "ethnicity": "汉族", "political_status": "群众", "marital_status": "已婚",
    "health": "健康或良好", "staff_source": "录用应届毕业生", "staff_category": "专任教师", "on_payroll": "是",
    "contract": "聘用合同", "normal_major_graduate": "是", "special_ed_trained": "否",
    "special_ed_certificate": "否", "it_ability": "熟练", "free_normal_student": "否",
    "grassroots_programme": "否", "special_grade_teacher": "否", "backbone_teacher": "否",
    "mental_health_teacher": "否", "personnel_status": "在本单位任职",
}
TYPED = {"work_start_month": "2010-09", "joined_school_month": "2012-09"}


def fill_basic_form(page, overrides: dict | None = None) -> None:
    for key, label in {**CHOICES, **(overrides or {})}.items():
        page.select_option(f"select#{key}", label=label)
    for key, value in TYPED.items():
        page.fill(f"input#{key}", value)


STUDY = {"education": "大学本科毕业", "normal_major": "是", "degree_level": "学士", "degree": "文学学士学位",
         "degree_country": "中国", "study_mode": "全脱产"}
STUDY_TYPED = {"education_institution": "海南师范大学", "major": "汉语言文学", "enrol_month": "2006-09",
               "graduate_month": "2010-07", "degree_institution": "海南师范大学"}


def add_study_row(page) -> None:
    """The required 学习经历 set: one row, added from the record page."""
    page.click("text=添加学习经历")
    for key, label in STUDY.items():
        page.select_option(f"select#{key}", label=label)
    for key, value in STUDY_TYPED.items():
        page.fill(f"#{key}", value)
    page.click("button:has-text('保存')")

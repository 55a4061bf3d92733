"""Who reviews whom: the one place the reviewing-authority rule is written.

The tree is uneven (counties under the province, schools straight under 儋州/三沙,
city-run and province-run schools), so the rule walks up instead of counting levels.
"""
from __future__ import annotations

from models import Org


def managing_school(org: Org) -> Org:
    """The legal-entity school that manages an org's teachers: a teaching point's central school."""
    if org.kind == "teaching_point":
        if org.parent is None or org.parent.kind != "school":
            raise ValueError(f"教学点 {org.name} 没有所属中心校")
        return org.parent
    return org


def reviewing_authority(org: Org) -> Org:
    """The unit whose information administrator gives the final review of this school's teachers.

    The nearest education bureau above the school; a school directly under the province
    (province-run, 省属) reviews its own teachers.
    """
    school = managing_school(org)
    if school.kind != "school":
        raise ValueError(f"{school.name} 不是学校，没有审核单位")
    parent = school.parent
    if parent is None:
        raise ValueError(f"学校 {school.name} 没有上级单位")
    if parent.kind == "province":
        return school
    node = parent
    while node is not None and not node.is_bureau:
        node = node.parent
    if node is None:
        raise ValueError(f"学校 {school.name} 之上没有教育行政部门")
    return node


def is_province_run(org: Org) -> bool:
    return org.kind == "school" and org.parent is not None and org.parent.kind == "province"

"""Import the org tree (unit codes) from the province's CSV or xlsx.

Columns: code,name,kind,parent,school_type,legal_entity,division (the layout of
hainan_orgs.csv). Parents may come after children in the file; the whole file is
checked first and written in one transaction, or not at all.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from models import Org, db, write_intent
from models.orgs import ORG_KINDS

COLUMNS = ("code", "name", "kind", "parent", "school_type", "legal_entity", "division")
HEADER_ALIASES = {
    "代码": "code", "单位代码": "code", "名称": "name", "单位名称": "name", "类型": "kind",
    "上级": "parent", "上级代码": "parent", "学校类型": "school_type", "是否法人": "legal_entity",
    "行政区划": "division",
}
TRUE_WORDS = {"是", "1", "true", "yes", "y", "Y", "TRUE", "True"}


class OrgImportError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class OrgImportResult:
    created: int
    updated: int


def read_rows(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        except Exception as exc:  # calamine raises its own error types for non-xlsx bytes
            raise OrgImportError([f"文件无法作为 xlsx 读取：{exc}"]) from exc
        table = [[("" if v is None else str(v)).strip() for v in row] for row in sheet]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not table:
        raise OrgImportError(["文件是空的"])
    header = [HEADER_ALIASES.get(h, h) for h in table[0]]
    missing = [c for c in ("code", "name", "kind", "parent") if c not in header]
    if missing:
        raise OrgImportError([f"找不到【{c}】列（需要的列：{','.join(COLUMNS)}）" for c in missing])
    rows = []
    for line_no, raw in enumerate(table[1:], start=2):
        if not any(raw):
            continue
        row = dict(zip(header, raw + [""] * (len(header) - len(raw))))
        row["_line"] = line_no
        rows.append(row)
    return rows


def validate_rows(rows: list[dict], existing_codes: set[str]) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    codes_in_file = {r["code"] for r in rows}
    for r in rows:
        line, code = r["_line"], r["code"]
        if not code:
            problems.append(f"第{line}行【code】：单位代码不能为空")
            continue
        if code in seen:
            problems.append(f"第{line}行【code】：单位代码 {code} 与第{seen[code]}行重复")
        seen[code] = line
        if not r["name"]:
            problems.append(f"第{line}行【name】：单位名称不能为空")
        if r["kind"] not in ORG_KINDS:
            problems.append(f"第{line}行【kind】：“{r['kind']}”不是允许的类型（允许：{'/'.join(ORG_KINDS)}）")
        parent = r["parent"]
        if r["kind"] == "province":
            if parent:
                problems.append(f"第{line}行【parent】：省级单位不应有上级")
        elif not parent:
            problems.append(f"第{line}行【parent】：上级单位代码不能为空")
        elif parent not in codes_in_file and parent not in existing_codes:
            problems.append(f"第{line}行【parent】：上级单位 {parent} 不存在")
        if r["kind"] in ("school", "teaching_point") and not r.get("school_type"):
            problems.append(f"第{line}行【school_type】：学校和教学点必须填写学校类型")
    return problems


def import_orgs_file(path: Path) -> OrgImportResult:
    rows = read_rows(path)
    with write_intent():
        session = db.session
        existing = {o.code: o for o in session.scalars(select(Org))}
        problems = validate_rows(rows, set(existing))
        if problems:
            raise OrgImportError(problems)
        by_code = {r["code"]: r for r in rows}
        created = updated = 0
        # Parents before children, whatever the file order.
        ordered: list[dict] = []
        placed: set[str] = set(existing)
        pending = list(rows)
        while pending:
            progress = [r for r in pending if r["kind"] == "province" or r["parent"] in placed or r["parent"] not in by_code]
            if not progress:
                raise OrgImportError([f"第{r['_line']}行【parent】：上级关系成环" for r in pending])
            for r in progress:
                ordered.append(r)
                placed.add(r["code"])
            pending = [r for r in pending if r not in progress]
        for r in ordered:
            org = existing.get(r["code"])
            parent = existing.get(r["parent"]) if r["parent"] else None
            if org is None:
                org = Org(code=r["code"])
                session.add(org)
                existing[r["code"]] = org
                created += 1
            else:
                updated += 1
            org.name = r["name"]
            org.kind = r["kind"]
            org.parent = parent
            org.parent_id = parent.id if parent else None
            org.school_type = r.get("school_type") or None
            org.legal_entity = r.get("legal_entity", "是") in TRUE_WORDS if r["kind"] != "teaching_point" else False
            org.division = r.get("division") or None
            org.path = (parent.path if parent else "/") + r["code"] + "/"
            org.depth = (parent.depth + 1) if parent else 0
            session.flush()
        session.commit()
    return OrgImportResult(created=created, updated=updated)

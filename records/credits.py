"""Training credits (学时学分): a yearly hours requirement per school type, and every teacher's hours.

Where hours come from (`credit_entries`, one row per training, deduplicated per source):
- reviewed 国内培训 rows: every row of the set in an effective record counts for its 培训年度
  (synced for the teacher when a version is written, records/items.snapshot_for_version, and again
  by the facts refresh, records/facts.py);
- the continuing-education platform's export (xlsx or CSV), imported by an information
  administrator for teachers of their subtree: all or nothing, every problem listed by row and column;
  a row already imported (same 记录编号, or same year + project + hours) is skipped, never doubled;
- entered by hand by the teacher's school (its information administrator answers for it, and deletes a
  mistyped row to enter it again: `remove_manual`);
- pushed through the API by a unit's token with the 学时推送 right (records/exchange.py).

The requirement: hours per year for teachers of a school type, set by the province's information
administrator; "*" is every type without its own figure (72 hours unless set: the national rule is
360 hours in five years). A teacher is behind when the year's hours are below the requirement of
their school's type. Progress pages count effective records (the teachers statistics count).

The autumn reminder: bpmn/training_credits.bpmn, one instance per province, started when the
requirements are first saved (or `flask --app app credits schedule`): each year on 15 September
(Beijing) its timer calls remind_credits_behind(year), which tells every teacher still behind and
their school's information administrators, once per teacher and year; then it waits for the next year.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select

import audit
from models import Org, RecordItem, Teacher, User, db, utcnow, write_intent
from models.mobility import CreditEntry, CreditRequirement, TeacherFact
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER

PROCESS = "training_credits"
DEFAULT_HOURS = 72.0
ANY_TYPE = "*"
MAX_HOURS = 2000
YEAR_CAP = 1000         # hours one teacher can have in a year from all sources: more is a repeated push or import
RECORD_ID_MAX = 64
SCHOOL_TYPE_LABELS = {"11": "幼儿园", "21": "小学", "31": "普通初中", "34": "普通高中", "36": "中等职业学校",
                      "41": "普通高校", "51": "特殊教育学校"}
# Platform export columns: our key → accepted headers (spaces, "*" and full-width forms ignored).
COLUMNS = {
    "id_number": ("身份证件号", "身份证号码", "身份证号", "证件号码", "证件号"),
    "name": ("姓名", "教师姓名"),
    "year": ("年度", "培训年度", "学年"),
    "project": ("项目名称", "培训项目名称", "培训项目", "课程名称"),
    "hours": ("学时", "获得学时", "学时数", "培训学时"),
    "credits": ("学分", "获得学分"),
    "record_id": ("记录编号", "学时记录编号", "编号", "证书编号"),
}
REQUIRED_COLUMNS = ("id_number", "name", "year", "project", "hours")
LABELS = {"id_number": "身份证件号", "name": "姓名", "year": "年度", "project": "项目名称", "hours": "学时",
          "credits": "学分", "record_id": "记录编号"}


@dataclass
class Outcome:
    ok: bool
    message: str
    problems: list = field(default_factory=list)      # ["第3行【学时】…", …] or {field: message}
    created: int = 0
    skipped: int = 0


def this_year() -> int:
    from workflows import engine_now
    from workflows.timers import CHINA
    return engine_now().astimezone(CHINA).year


# ----------------------------------------------------------------------------- requirements

def requirements() -> dict[str, float]:
    found = {r.school_type: r.hours for r in db.session.scalars(select(CreditRequirement))}
    found.setdefault(ANY_TYPE, DEFAULT_HOURS)
    return found


def requirement_for(school_type: str | None, table: dict | None = None) -> float:
    table = table if table is not None else requirements()
    return table.get(school_type or "", table[ANY_TYPE])


def may_configure(user) -> bool:
    return user.role == ROLE_INFO_ADMIN and user.org.kind == "province"


def save_requirements(actor, values: dict[str, str]) -> Outcome:
    """values: school type (or "*") → hours text; an empty text removes a type's own figure."""
    if not may_configure(actor):
        return Outcome(False, "年度学时要求由省级信息管理员设置")
    problems, clean = {}, {}
    for key, text in values.items():
        if key != ANY_TYPE and key not in SCHOOL_TYPE_LABELS:
            continue
        text = (text or "").strip()
        if not text:
            if key == ANY_TYPE:
                problems[key] = "【其他学校类型】请填写每年应完成的学时"
            clean[key] = None
            continue
        try:
            hours = float(text)
        except ValueError:
            hours = -1
        if not 0 < hours <= MAX_HOURS:
            label = SCHOOL_TYPE_LABELS.get(key, "其他学校类型")
            problems[key] = f"【{label}】“{text[:20]}”不是有效的学时数，应为 1 至 {MAX_HOURS} 之间的数字"
        else:
            clean[key] = hours
    if problems:
        return Outcome(False, "学时要求未保存，请按提示修改", problems)
    with write_intent():
        before = requirements()
        for key, hours in clean.items():
            row = db.session.get(CreditRequirement, key)
            if hours is None:
                if row is not None:
                    db.session.delete(row)
                continue
            if row is None:
                row = CreditRequirement(school_type=key, hours=hours)
                db.session.add(row)
            row.hours, row.updated_by_id, row.updated_at = hours, actor.id, utcnow()
        db.session.flush()
        audit.record("credit_requirements_saved", object_type="org", object_id=actor.org.code, user=actor,
                     before=before, after={k: v for k, v in clean.items()})
        started = ensure_reminder_flow(actor.org, actor)
        db.session.commit()
    return Outcome(True, "已保存年度学时要求" + ("，并已安排每年秋季提醒学时未达标的教师" if started else ""))


def ensure_reminder_flow(province: Org, user=None) -> bool:
    """Start the province's yearly reminder flow if it is not running. Flushes; True when started."""
    import workflows
    from models import ProcessInstance
    running = db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_key == PROCESS,
                                                                 ProcessInstance.subject_org_id == province.id,
                                                                 ProcessInstance.status == "running"))
    if running:
        return False
    year = this_year()
    workflows.start_instance(PROCESS, subject_org_id=province.id, user=user, data={"year": year, "last_year": year + 50})
    return True


# ----------------------------------------------------------------------------- the ledger

def sync_training(teacher_ids: list[int], effective_ids: set[int], now, items=None) -> None:
    """Training entries of these teachers = the 国内培训 rows of the effective ones (facts refresh).
    `items`: [(item id, teacher id, values)] of those rows when the caller has just read them."""
    CE, RI = CreditEntry.__table__, RecordItem.__table__
    for i in range(0, len(teacher_ids), 2000):
        db.session.execute(delete(CE).where(CE.c.teacher_id.in_(teacher_ids[i:i + 2000]), CE.c.source == "training"))
    if items is None:
        ids = sorted(effective_ids)
        items = [row for i in range(0, len(ids), 2000) for row in db.session.execute(
            select(RI.c.id, RI.c.teacher_id, RI.c["values"])
            .where(RI.c.teacher_id.in_(ids[i:i + 2000]), RI.c.set_key == "training"))]
    rows = []
    for item_id, tid, values in items:
        if tid not in effective_ids:
            continue
        values = values or {}
        year, hours = _int(values.get("year")), _number(values.get("hours"))
        if year is None or hours is None:
            continue
        rows.append({"teacher_id": tid, "year": year, "hours": hours, "credits": _number(values.get("credits")),
                     "source": "training", "project": str(values.get("name") or "国内培训")[:200],
                     "external_id": f"item:{item_id}", "batch": None, "entered_by_id": None, "created_at": now})
    for i in range(0, len(rows), 2000):
        db.session.execute(insert(CE), rows[i:i + 2000])


def _int(value) -> int | None:
    try:
        return int(str(value).strip().split(".")[0])
    except (TypeError, ValueError):
        return None


def _number(value) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN


def entries_of(teacher_id: int, year: int | None = None) -> list[CreditEntry]:
    q = select(CreditEntry).where(CreditEntry.teacher_id == teacher_id)
    if year is not None:
        q = q.where(CreditEntry.year == year)
    return list(db.session.scalars(q.order_by(CreditEntry.year.desc(), CreditEntry.id)))


def hours_of(teacher_id: int, year: int) -> float:
    return float(db.session.scalar(select(func.coalesce(func.sum(CreditEntry.hours), 0))
                                   .where(CreditEntry.teacher_id == teacher_id, CreditEntry.year == year)) or 0)


# ----------------------------------------------------------------------------- checking one entry

def _check(values: dict, current_year: int) -> tuple[dict, dict]:
    """(clean values, problems by field) of one entry: year, project, hours, credits."""
    problems, clean = {}, {}
    year_text = str(values.get("year") or "").strip()
    # 2026 or 2026.0 (a number cell); 2026.5 is no year
    year = int(year_text.split(".")[0]) if re.fullmatch(r"\d{4}(\.0+)?", year_text) else None
    if year is None or not 2000 <= year <= current_year:
        problems["year"] = f"【年度】“{str(values.get('year') or '')[:10]}”应为 2000 至 {current_year} 之间的年份"
    clean["year"] = year
    project = " ".join(str(values.get("project") or "").split())
    if not project:
        problems["project"] = "【项目名称】不能为空"
    elif len(project) > 200:
        problems["project"] = f"【项目名称】不能超过 200 字（现为 {len(project)} 字）"
    clean["project"] = project
    hours = _number(values.get("hours"))
    if hours is None or not 0 < hours <= 500:
        problems["hours"] = f"【学时】“{str(values.get('hours') or '')[:10]}”应为大于 0、不超过 500 的数字"
    clean["hours"] = hours
    credits = values.get("credits")
    if credits not in (None, ""):
        number = _number(credits)
        if number is None or not 0 <= number <= 100:
            problems["credits"] = f"【学分】“{str(credits)[:10]}”应为 0 至 100 之间的数字"
        clean["credits"] = number
    else:
        clean["credits"] = None
    return clean, problems


def manual_refusal(actor, teacher: Teacher) -> str | None:
    if actor.role != ROLE_INFO_ADMIN or actor.org_id != teacher.org_id:
        return "学时由教师所在学校的信息管理员录入"
    return None


def add_manual(actor, teacher: Teacher, values: dict) -> Outcome:
    refusal = manual_refusal(actor, teacher)
    if refusal:
        return Outcome(False, refusal)
    clean, problems = _check(values, this_year())
    if problems:
        return Outcome(False, "学时未保存，请按提示修改", problems)
    with write_intent():
        # A second click of 保存, or the same training typed twice: the platform import's rule (same year,
        # project and hours is the same row) holds for hand entries too.
        same = db.session.scalar(select(CreditEntry.id).where(
            CreditEntry.teacher_id == teacher.id, CreditEntry.year == clean["year"],
            CreditEntry.project == clean["project"], CreditEntry.hours == clean["hours"]).limit(1))
        if same is not None:
            return Outcome(False, "学时未保存：已有同一年度、同一项目、同样学时的一条记录，不再重复记入",
                           {"project": f"【项目名称】{clean['year']} 年度已有“{clean['project']}”"
                                       f"（{clean['hours']:g} 学时）的记录"})
        entry = CreditEntry(teacher_id=teacher.id, source="manual", external_id=f"manual:{uuid.uuid4().hex}",
                            entered_by_id=actor.id, **clean)
        db.session.add(entry)
        db.session.flush()
        audit.record("credit_entered", object_type="teacher", object_id=teacher.id, user=actor,
                     after={"entry": entry.id, **clean})
        db.session.commit()
    return Outcome(True, f"已为{teacher.name}录入 {clean['year']} 年度学时 {clean['hours']:g}", created=1)


def remove_manual(actor, teacher: Teacher, entry_id: int) -> Outcome:
    """Delete one row of `teacher` entered by hand, imported from the platform or pushed through the API (a
    mistake is corrected by deleting and entering it again; a mistaken push has no other way back). Rows of
    the reviewed record's 国内培训 are corrected in the record, through a change request."""
    refusal = manual_refusal(actor, teacher)
    if refusal:
        return Outcome(False, refusal)
    with write_intent():
        entry = db.session.get(CreditEntry, entry_id)
        if entry is None or entry.teacher_id != teacher.id:
            return Outcome(False, "找不到这条学时记录，可能已被删除，请刷新页面")
        if entry.source == "training":
            return Outcome(False, "这条学时来自档案中审核通过的国内培训，请通过信息变更更正档案")
        before = {"entry": entry.id, "year": entry.year, "project": entry.project, "hours": entry.hours,
                  "credits": entry.credits}
        db.session.delete(entry)
        audit.record("credit_removed", object_type="teacher", object_id=teacher.id, user=actor, before=before)
        db.session.commit()
    return Outcome(True, f"已删除{teacher.name} {before['year']} 年度的学时“{before['project']}”（{before['hours']:g} 学时）")


# ----------------------------------------------------------------------------- platform import

def _read_rows(data: bytes, filename: str) -> list[list]:
    from .importer import SheetError, read_first_sheet
    name = (filename or "").lower()
    if name.endswith(".csv") or not data[:4] == b"PK\x03\x04":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SheetError("CSV 文件的编码无法识别：请另存为 UTF-8 编码的 CSV 或 Excel 工作簿")
        if name.endswith(".csv") or "," in text.splitlines()[0] if text.strip() else False:
            return [row for row in csv.reader(io.StringIO(text))]
    return read_first_sheet(data)


def _header(cells: list) -> dict[str, int]:
    def norm(text):
        return "".join(str(text or "").replace("*", "").replace("＊", "").split()).replace("（", "(").replace("）", ")")
    index = {}
    names = {norm(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
    for c, cell in enumerate(cells):
        key = names.get(norm(cell))
        if key and key not in index:
            index[key] = c
    return index


def parse_platform(data: bytes, filename: str) -> tuple[list[tuple[int, dict]], list[str]]:
    """The rows of a platform export: [(row number, {key: text})], and file-level problems."""
    from .importer import SheetError
    try:
        rows = _read_rows(data, filename)
    except SheetError as exc:
        return [], [str(exc)]
    header_at = next((r for r, cells in enumerate(rows[:10]) if len(_header(cells)) >= 3), None)
    if header_at is None:
        return [], ["找不到表头：第一行应为 身份证件号、姓名、年度、项目名称、学时（可加 学分、记录编号）"]
    index = _header(rows[header_at])
    missing = [LABELS[k] for k in REQUIRED_COLUMNS if k not in index]
    if missing:
        return [], [f"缺少列：{'、'.join(missing)}"]
    out = []
    for r in range(header_at + 1, len(rows)):
        cells = rows[r]
        values = {k: ("" if c >= len(cells) or cells[c] is None else str(cells[c]).strip()) for k, c in index.items()}
        if not any(values.values()):
            continue
        for key in ("year", "hours", "credits"):
            if values.get(key, "").endswith(".0"):
                values[key] = values[key][:-2]
        out.append((r + 1, values))
    return out, []


def import_platform(actor, data: bytes, filename: str) -> Outcome:
    """All or nothing: every row is checked (teacher in the actor's subtree, name, year, hours) first."""
    if actor.role != ROLE_INFO_ADMIN:
        return Outcome(False, "学时导入由信息管理员办理")
    rows, problems = parse_platform(data, filename)
    if problems:
        return Outcome(False, "文件无法导入", problems)
    if not rows:
        return Outcome(False, "文件中没有学时记录", ["文件中没有学时记录（表头下每行一条）"])
    clean_rows, lines = _prepare(actor, rows, "platform", "第{}行")
    if lines:
        return Outcome(False, f"文件有 {len(lines)} 处错误，未导入任何学时", lines)
    return _store(actor, clean_rows, "platform", (filename or "")[:200])


def push_records(principal, records: list) -> Outcome:
    """Training hours pushed through the API by a token allowed to (records/exchange.py): the same
    checks as the import, all or nothing; `record_id` is required and makes a repeated push harmless."""
    rows, lines = [], []
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            lines.append(f"第{i}条：应为一个对象")
            continue
        values = {k: "" if record.get(k) is None else str(record.get(k)).strip() for k in COLUMNS}
        if not values["record_id"]:
            lines.append(f"第{i}条：【记录编号】record_id 不能为空（同一编号只记一次）")
        elif len(values["record_id"]) > RECORD_ID_MAX:
            lines.append(f"第{i}条：【记录编号】record_id 不能超过 {RECORD_ID_MAX} 个字符（现为 {len(values['record_id'])}）")
        rows.append((i, values))
    clean_rows, problems = _prepare(principal, rows, "api", "第{}条")
    lines += problems
    if lines:
        return Outcome(False, f"有 {len(lines)} 处错误，未记入任何学时", sorted(lines, key=_row_order))
    return _store(principal, clean_rows, "api", f"令牌 {principal.token.prefix}…")


def _row_order(line: str) -> int:
    digits = line[1:line.find("条")]
    return int(digits) if digits.isdigit() else 0


def _prepare(actor, rows: list[tuple[int, dict]], source: str, where: str) -> tuple[list[dict], list[str]]:
    """(clean rows ready to store, problems "第N行：【列】…") for rows of {key: text}, within the actor's subtree."""
    from .access import teachers_in_scope_query
    from .idcard import resident_id_slip
    from .identity import normalised_id, same_person_numbers
    wanted = {form for _, v in rows for form in same_person_numbers(v.get("id_number", ""))}
    scope = teachers_in_scope_query(actor).subquery()
    found = {}
    for chunk in _chunks(sorted(wanted), 500):
        for t in db.session.execute(select(scope.c.id, scope.c.name, scope.c.id_number)
                                    .where(scope.c.id_number.in_(chunk))):
            found[t.id_number] = t
    year_now, lines, clean_rows = this_year(), [], []
    for number, values in rows:
        key = normalised_id(values.get("id_number", ""))
        teacher = next((found[f] for f in same_person_numbers(key) if f in found), None) if key else None
        row_problems = []
        slip = resident_id_slip(key) if teacher is None else None
        if slip:   # a mistyped number is told so, not that the teacher is elsewhere
            row_problems.append(f"【身份证件号】{slip}")
        elif teacher is None:
            row_problems.append(f"【身份证件号】{key or '（空）'} 不是本单位及下级单位的教师")
        elif values.get("name", "") != teacher.name:
            row_problems.append("【姓名】与该身份证件号登记的姓名不一致")
        clean, checked = _check(values, year_now)
        row_problems += list(checked.values())
        if row_problems:
            lines += [where.format(number) + "：" + p for p in row_problems]
            continue
        external = values.get("record_id") or hashlib.sha256(
            f"{clean['year']}|{clean['project']}|{clean['hours']:g}".encode()).hexdigest()[:32]
        clean_rows.append({"teacher_id": teacher.id, "external_id": f"{source}:{external}"[:120], **clean})
    return clean_rows, lines


def _over_year_cap(new: list[dict]) -> list[str]:
    """Teachers whose year would exceed YEAR_CAP hours with these new rows, in words."""
    CE, T = CreditEntry.__table__, Teacher.__table__
    adding: dict[tuple[int, int], float] = defaultdict(float)
    for r in new:
        adding[(r["teacher_id"], r["year"])] += r["hours"]
    if not adding or max(adding.values()) <= 0:
        return []
    teacher_ids = sorted({t for t, _ in adding})
    have: dict[tuple[int, int], float] = defaultdict(float)
    for chunk in _chunks(teacher_ids, 500):
        for tid, year, hours in db.session.execute(select(CE.c.teacher_id, CE.c.year, func.sum(CE.c.hours))
                                                   .where(CE.c.teacher_id.in_(chunk))
                                                   .group_by(CE.c.teacher_id, CE.c.year)):
            have[(tid, year)] = float(hours or 0)
    over = [(tid, year, have[(tid, year)] + hours) for (tid, year), hours in sorted(adding.items())
            if have[(tid, year)] + hours > YEAR_CAP]
    if not over:
        return []
    names = dict(db.session.execute(select(T.c.id, T.c.name).where(T.c.id.in_({tid for tid, _, _ in over}))).all())
    return [f"{names.get(tid, tid)} {year} 年度将累计 {total:g} 学时，超过每年 {YEAR_CAP} 学时的上限（是否重复推送或导入？）"
            for tid, year, total in over]


def _store(actor, clean_rows: list[dict], source: str, batch: str) -> Outcome:
    CE = CreditEntry.__table__
    with write_intent():
        seen = set()
        for chunk in _chunks(sorted({r["teacher_id"] for r in clean_rows}), 500):
            seen |= {(t, e) for t, e in db.session.execute(select(CE.c.teacher_id, CE.c.external_id).where(
                CE.c.teacher_id.in_(chunk), CE.c.source == source))}
        now, new = utcnow(), []
        for r in clean_rows:
            if (r["teacher_id"], r["external_id"]) in seen:
                continue
            seen.add((r["teacher_id"], r["external_id"]))
            new.append({**r, "source": source, "batch": batch, "entered_by_id": getattr(actor, "id", None),
                        "created_at": now})
        over = _over_year_cap(new)
        if over:
            db.session.rollback()
            return Outcome(False, "未记入任何学时：" + "；".join(over[:10]) + (f"；另有 {len(over) - 10} 名教师" if len(over) > 10
                                                                        else ""), over)
        if new:
            db.session.execute(insert(CE), new)
        audit.record(f"credits_{'pushed' if source == 'api' else 'imported'}", object_type="file" if source != "api"
                     else "api", object_id=batch[:60] or source, user=actor if isinstance(actor, User) else None,
                     org_id=getattr(actor, "org_id", None),
                     after={"rows": len(clean_rows), "created": len(new), "skipped": len(clean_rows) - len(new)})
        db.session.commit()
    skipped = len(clean_rows) - len(new)
    return Outcome(True, f"已导入 {len(new)} 条学时记录" + (f"，{skipped} 条此前已导入，已跳过" if skipped else ""),
                   created=len(new), skipped=skipped)


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# ----------------------------------------------------------------------------- progress

@dataclass
class TeacherProgress:
    teacher_id: int
    name: str
    id_number: str
    org_id: int
    required: float
    earned: float

    @property
    def behind(self) -> bool:
        return self.earned < self.required

    @property
    def rate(self) -> float:
        return min(1.0, self.earned / self.required) if self.required else 1.0


@dataclass
class UnitProgress:
    org: Org
    teachers: int = 0
    met: int = 0
    hours: float = 0.0

    @property
    def behind(self) -> int:
        return self.teachers - self.met

    @property
    def rate(self) -> float:
        return self.met / self.teachers if self.teachers else 0.0


def teachers_progress(unit: Org, year: int, *, fresh: bool = False) -> list[TeacherProgress]:
    """Every effective teacher of the unit's subtree with the year's hours, behind first
    (`fresh`: the facts were just refreshed in the caller's transaction)."""
    if not fresh:
        from .facts import refresh
        refresh()
    F, CE, T, O = TeacherFact.__table__, CreditEntry.__table__, Teacher.__table__, Org.__table__
    sums = (select(CE.c.teacher_id, func.sum(CE.c.hours).label("hours")).where(CE.c.year == year)
            .group_by(CE.c.teacher_id).subquery())
    table = requirements()
    rows = db.session.execute(
        select(F.c.teacher_id, T.c.name, T.c.id_number, F.c.org_id, F.c.school_type, func.coalesce(sums.c.hours, 0))
        .select_from(F.join(T, T.c.id == F.c.teacher_id).join(O, O.c.id == F.c.org_id)
                     .outerjoin(sums, sums.c.teacher_id == F.c.teacher_id))
        .where(O.c.path.like(unit.path + "%"))).all()
    out = [TeacherProgress(r[0], r[1], r[2], r[3], requirement_for(r[4], table), float(r[5] or 0)) for r in rows]
    out.sort(key=lambda p: (not p.behind, p.rate, p.name))
    return out


def units_progress(unit: Org, year: int) -> list[UnitProgress]:
    """The units directly below `unit`, each with its subtree's teachers meeting the requirement, worst first."""
    children = [o for o in db.session.scalars(select(Org).where(Org.parent_id == unit.id, Org.kind != "teaching_point")
                                              .order_by(Org.code))]
    by_path = [(o.path, UnitProgress(o)) for o in children]
    for p in teachers_progress(unit, year):
        org = db.session.get(Org, p.org_id)
        for path, agg in by_path:
            if org.path.startswith(path):
                agg.teachers += 1
                agg.met += 0 if p.behind else 1
                agg.hours += p.earned
                break
    out = [agg for _, agg in by_path if agg.teachers]
    out.sort(key=lambda a: (a.rate, -a.teachers))
    return out


# ----------------------------------------------------------------------------- the autumn reminder

def remind_behind(org_id: int, year: int) -> int:
    """Notify every effective teacher of the unit's subtree behind the year's requirement (once per
    teacher and year), and each school's information administrators with how many are behind.
    Runs inside the scheduler's transaction (the diagram's remind_credits_behind action)."""
    from notifications import notify, users_with_role
    from workflows import engine_now
    from .facts import _refresh
    now = engine_now()
    _refresh(now)
    unit = db.session.get(Org, org_id)
    behind = [p for p in teachers_progress(unit, year, fresh=True) if p.behind]
    by_school: dict[int, list[TeacherProgress]] = defaultdict(list)
    for p in behind:
        by_school[p.org_id].append(p)
    accounts = defaultdict(list)
    for chunk in _chunks([p.teacher_id for p in behind], 500):
        for account in db.session.scalars(select(User).where(User.teacher_id.in_(chunk), User.active.is_(True))):
            accounts[account.teacher_id].append(account)
    created = 0
    for school_id, people in by_school.items():
        required = people[0].required
        created += notify(key=f"credits:{year}:autumn:t{school_id}", kind="credits_behind", org_id=school_id,
                          link="/credits/me", now=now, users=[a for p in people for a in accounts[p.teacher_id]],
                          title=f"【学时提醒】{year} 年度培训学时尚未达到要求",
                          body=f"截至 {now.astimezone(_china()).strftime('%Y-%m-%d')}，您 {year} 年度的培训学时尚未达到"
                               f"要求（{required:g} 学时）。请在年底前完成培训，并在“我的学时”中查看进度。")
        created += notify(key=f"credits:{year}:autumn:s{school_id}", kind="credits_behind_school", org_id=school_id,
                          link=f"/credits?year={year}", now=now, users=users_with_role(school_id, ROLE_INFO_ADMIN),
                          title=f"【学时提醒】本校 {len(people)} 名教师 {year} 年度学时未达到要求",
                          body=f"本校有 {len(people)} 名教师 {year} 年度的培训学时尚未达到要求，已逐一提醒。"
                               "请在“学时学分”页面查看名单并督促完成。")
    return created


def _china():
    from workflows.timers import CHINA
    return CHINA


def teacher_role_progress(user, year: int) -> TeacherProgress | None:
    if user.role != ROLE_TEACHER or user.teacher_id is None:
        return None
    teacher = db.session.get(Teacher, user.teacher_id)
    return TeacherProgress(teacher.id, teacher.name, teacher.id_number, teacher.org_id,
                           requirement_for(teacher.org.school_type), hours_of(teacher.id, year))

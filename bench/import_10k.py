"""import_10k: a 10,000-row basic-information sheet imported by a school, product vs. bare libraries.

product: `records.service.import_basic_sheet` on a SQLite file (WAL, synchronous=NORMAL, as the
product configures it), commit included: read the xlsx, normalise and validate every row, check
duplicates in the file and across the province, insert the teachers and their accounts, start a
collection workflow per teacher (engine steps, state, human task rows, event log, record state),
audit, commit. The sheet is generated (valid, distinct ID numbers) with the product's own export
writer, outside the timing.

floor: the same work done by the bare libraries, measured in the same run: SpiffWorkflow alone
starting 10,000 instances of the same diagram (parse once, then per instance: new workflow, engine
steps to the first user task, serialise with Spiff's own serializer), plus a raw sqlite3 bulk
insert of the same 10,000 rows (executemany, one commit) into a table shaped like `teachers`.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from .registry import Result, measure

ROWS = 10_000
DIAGRAM = Path(__file__).resolve().parent.parent / "bpmn" / "teacher_collection.bpmn"
SCHOOL = "2146000001"


def make_id(birth: dt.date, seq: int, female: bool, area: str = "460105") -> str:
    s3 = (seq // 2) * 2 + (0 if female else 1)
    body = f"{area}{birth:%Y%m%d}{s3:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def generated_rows(count: int = ROWS) -> list[dict]:
    """Valid, distinct 中小学 basic-information records (stored values: codes, YYYY-MM …)."""
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "晓明丽华芳军伟敏静强磊洋艳勇杰娟涛超霞平"
    rows = []
    for i in range(count):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i % 12_000)
        female = i % 2 == 0
        work = dt.date(birth.year + 22, 9, 1)
        rows.append({
            "name": surnames[i % 20] + given[(i // 20) % 20] + given[(i // 400) % 20],
            "gender": "2" if female else "1", "nationality": "156", "id_type": "1",
            "id_number": make_id(birth, i % 500, female, area=("460105", "460106", "460107")[i // 500 % 3]),
            "birth_date": birth.isoformat(), "ethnicity": ("01", "19", "03")[i % 3], "political_status": "13",
            "marital_status": "20", "health": "1", "work_start_month": f"{work:%Y-%m}",
            "joined_school_month": f"{work.year + 2}-09", "staff_source": "11", "staff_category": "11",
            "on_payroll": "1", "contract": "1", "normal_major_graduate": "1", "special_ed_trained": "0",
            "special_ed_certificate": "0", "it_ability": "2", "free_normal_student": "0",
            "grassroots_programme": "0", "special_grade_teacher": "0", "backbone_teacher": "0",
            "mental_health_teacher": "0", "personnel_status": "100",
        })
    return rows


def generated_sheet(count: int = ROWS) -> tuple[bytes, list[dict]]:
    from records.sheets import build_workbook
    rows = generated_rows(count)
    return build_workbook("basic", "21", rows, what="基准测试"), rows


# ------------------------------------------------------------------------------ product
def _product_setup(tmp: Path):
    from app import create_app
    from models import Base, Org, User, db

    import workflows

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "TESTING": True})
    ctx = app.app_context()
    ctx.push()
    Base.metadata.create_all(db.engine)

    def org(code, name, kind, parent=None, school_type=None):
        o = Org(code=code, name=name, kind=kind, parent_id=parent.id if parent else None, school_type=school_type,
                path=(parent.path if parent else "/") + code + "/", depth=(parent.depth + 1) if parent else 0)
        db.session.add(o)
        db.session.flush()
        return o

    province = org("460000", "海南省", "province")
    city = org("460100", "海口市", "city", province)
    county = org("460105", "秀英区", "county", city)
    school = org(SCHOOL, "海口市秀英区东山中心小学", "school", county, "21")
    admin = User(username=f"{SCHOOL}_info", display_name="信息管理员", role="info_admin", org_id=school.id,
                 password_hash="x", must_change_password=False)
    db.session.add(admin)
    db.session.commit()
    workflows.run_in_transaction(workflows.deploy_bytes, DIAGRAM.read_bytes(), filename=DIAGRAM.name)

    def close():
        db.session.remove()
        db.engine.dispose()
        ctx.pop()

    return admin, close


def _product(tmp: Path, data: bytes) -> float:
    from sqlalchemy import func, select

    from models import HumanTask, Teacher, db
    from records import service

    admin, close = _product_setup(tmp)
    try:
        gc.collect()
        start = time.perf_counter()
        outcome = service.import_basic_sheet(admin, data, "import_10k.xlsx")
        elapsed = time.perf_counter() - start
        assert outcome.ok, outcome.problems[:3]
        assert db.session.scalar(select(func.count()).select_from(Teacher)) == ROWS
        assert db.session.scalar(select(func.count()).select_from(HumanTask)) == ROWS
        return elapsed
    finally:
        close()


# ------------------------------------------------------------------------------ floor
def _floor(tmp: Path, rows: list[dict]) -> float:
    from lxml import etree
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_xml(etree.fromstring(DIAGRAM.read_bytes()), filename=DIAGRAM.name)
    spec = parser.get_spec("teacher_collection")
    subprocess_specs = parser.get_subprocess_specs("teacher_collection")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    tmp.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(tmp / "floor.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE teachers (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, name TEXT NOT NULL, "
                 "gender TEXT, birth_date TEXT, id_type TEXT NOT NULL, id_number TEXT NOT NULL UNIQUE, "
                 "state TEXT NOT NULL, basic TEXT NOT NULL)")
    gc.collect()
    start = time.perf_counter()
    for _ in range(len(rows)):
        wf = BpmnWorkflow(spec, subprocess_specs)
        wf.do_engine_steps()
        serializer.serialize_json(wf)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO teachers (org_id, name, gender, birth_date, id_type, id_number, state, basic) "
                     "VALUES (1, ?, ?, ?, ?, ?, 'draft', ?)",
                     [(r["name"], r["gender"], r["birth_date"], r["id_type"], r["id_number"], json.dumps(r))
                      for r in rows])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


@measure("import_10k")
def import_10k() -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="bench_import_"))
    try:
        data, rows = generated_sheet()
        # The floor runs before and after the product and counts as the mean of the two, so that
        # load drifting during the run (other processes on the 2 cores) affects both alike.
        before = _floor(tmp / "before", rows)
        product = _product(tmp, data)
        after = _floor(tmp / "after", rows)
        floor = (before + after) / 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Result(product, floor, "s",
                  note=f"{ROWS} rows; product = import_basic_sheet (read, validate, duplicates, teachers + accounts, "
                       f"one collection workflow each, audit, commit) on SQLite; floor = bare SpiffWorkflow start + "
                       f"serialize ×{ROWS} + raw sqlite3 executemany of the rows (mean of a run before and one after the product)")

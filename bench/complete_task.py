"""complete_task: one school review (load + complete + save), product vs. bare SpiffWorkflow.

product: `workflows.run_in_transaction(workflows.complete_task, ...)` on a SQLite file (WAL,
synchronous=NORMAL, as the product configures it), commit included: read the task row and the
instance state, restore it against the cached spec, complete the task, run the engine, save the
state under the optimistic revision check, update the record state, swap the human task rows,
write the event log, commit.

floor: SpiffWorkflow alone, in memory, on the same diagram and the same instance state: deserialize
the full JSON with Spiff's own serializer (SPIFF_CONFIG), complete the ready review task, run the
engine steps, serialize again. Samples of the two are interleaved so drift affects both alike.
"""
from __future__ import annotations

import gc
import shutil
import tempfile
from pathlib import Path

from .registry import Result, measure, median_ms, timed

DIAGRAM = Path(__file__).resolve().parent.parent / "bpmn" / "teacher_collection.bpmn"
SAMPLES = 400
WARMUP = 40


def _floor_setup():
    from lxml import etree
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    # The diagram's timer expressions call the deadline functions the product offers to diagrams
    # (pure functions: working days, month ends); bare Spiff gets the same ones, plus no-op actions.
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from workflows.timers import SCRIPT_FUNCTIONS
    engine = PythonScriptEngine(environment=TaskDataEnvironment(
        {**SCRIPT_FUNCTIONS, "make_effective": lambda: None, "remind": lambda key: None, "escalate": lambda key: None}))

    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_xml(etree.fromstring(DIAGRAM.read_bytes()), filename=DIAGRAM.name)
    spec = parser.get_spec("teacher_collection")
    subprocess_specs = parser.get_subprocess_specs("teacher_collection")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    wf = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
    wf.do_engine_steps()
    fill = wf.get_tasks(state=TaskState.READY, manual=True)[0]
    fill.data.update({"decision": "submit"})
    fill.run()
    wf.do_engine_steps()
    state = serializer.serialize_json(wf)

    def one():
        restored = serializer.deserialize_json(state)
        restored.script_engine = engine
        task = restored.get_tasks(state=TaskState.READY, manual=True)[0]
        assert task.task_spec.bpmn_id == "school_review"
        task.data.update({"decision": "approve"})
        task.run()
        restored.do_engine_steps()
        serializer.serialize_json(restored)

    return one


def _product_setup(tmp: Path, count: int):
    from app import create_app
    from models import Base, HumanTask, Org, Teacher, User, db
    from sqlalchemy import select

    import workflows

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "TESTING": True})
    ctx = app.app_context()
    ctx.push()
    Base.metadata.create_all(db.engine)

    def org(code, name, kind, parent=None):
        o = Org(code=code, name=name, kind=kind, parent_id=parent.id if parent else None,
                path=(parent.path if parent else "/") + code + "/", depth=(parent.depth + 1) if parent else 0,
                school_type="21" if kind == "school" else None)
        db.session.add(o)
        db.session.flush()
        return o

    province = org("460000", "海南省教育厅", "province")
    city = org("460100", "海口市教育局", "city", province)
    district = org("460105", "秀英区教育局", "county", city)
    school = org("2146000001", "海口市第一小学", "school", district)
    admin = User(username="school_admin", display_name="张三", role="info_admin", org_id=school.id,
                 password_hash="x", must_change_password=False)
    db.session.add(admin)
    teachers = []
    for i in range(count):
        t = Teacher(org_id=school.id, name=f"教师{i}", gender="1", id_number=f"46010019900101{i:04d}", state="draft",
                    basic={"name": f"教师{i}", "id_number": f"46010019900101{i:04d}", "school": "海口市第一小学"})
        db.session.add(t)
        teachers.append(t)
    db.session.commit()
    workflows.deploy_shipped()
    workflows.run_in_transaction(workflows.start_instances, "teacher_collection",
                                 [{"subject_teacher_id": t.id} for t in teachers], user=admin)
    fills = db.session.scalars(select(HumanTask.id).where(HumanTask.task_key == "fill").order_by(HumanTask.id)).all()
    for task_id in fills:
        workflows.run_in_transaction(workflows.complete_task, task_id, admin, {"decision": "submit"})
    reviews = db.session.scalars(select(HumanTask.id).where(HumanTask.task_key == "school_review")
                                 .order_by(HumanTask.id)).all()
    assert len(reviews) == count
    db.session.commit()
    it = iter(reviews)

    def one():
        workflows.run_in_transaction(workflows.complete_task, next(it), admin, {"decision": "approve"})

    def close():
        db.session.remove()
        db.engine.dispose()
        ctx.pop()

    return one, close


@measure("complete_task")
def complete_task() -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="bench_complete_"))
    try:
        floor_one = _floor_setup()
        product_one, close = _product_setup(tmp, SAMPLES + WARMUP)
        try:
            for _ in range(WARMUP):
                floor_one()
                product_one()
            gc.collect()
            floor, product = [], []
            for _ in range(SAMPLES):
                floor.append(timed(floor_one))
                product.append(timed(product_one))
        finally:
            close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Result(median_ms(product), median_ms(floor), "ms",
                  note=f"median of {SAMPLES}; product = complete_task + commit on SQLite (WAL, synchronous=NORMAL)")

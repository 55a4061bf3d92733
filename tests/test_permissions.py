"""The permission matrix: every route of the Flask URL map × every role × own unit / a unit below / a
foreign unit, compared with the one declared policy (accounts.policy.SCOPES and ROUTES).

Nothing here says which role may do what: the expectation of each case comes from the declaration,
applied to facts read from the database (which unit holds the object, whose record it is, which
unit and role a task waits for). Each route that takes an id is tried with the ids of objects of
the user's own unit, of a unit below and of a foreign unit (and an item id of another teacher's
record).

- denied: 403 or 404, or (for a signed-out visitor) the login page, or a polite refusal (a redirect
  with an error message); in every case the application sends no INSERT, UPDATE or DELETE (watched
  at the SQL level; audit rows of sign-ins aside);
- allowed: neither 403, 404, 500 nor the login page;
- a role that sees ID numbers masked never receives a full ID number in any page.

The database is one SQLite file restored with the online backup API after every case that wrote,
so each case starts from the same world.
"""
from __future__ import annotations

import io
import sqlite3
import zipfile
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, select

import workflows
from accounts import policy
from accounts.policy import ANY, CANDIDATE, MANAGED, OWN_UNIT, PROVINCE, PUBLIC, ROUTES, SCOPES, SELF, SUBTREE
from models import (HumanTask, MonthlyReport, Notification, Org, PasswordSheet, RecordItem,
                    Teacher, User, db)
from models.changes import ChangeRequest
from records import service
from tests.conftest import make_app
from tests.journey_helpers import PASSWORD, complete_basic, new_teacher, open_task, org, setup_province, user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TRAINING = {"year": "2025", "training_type": "2", "name": "培训", "way": "1", "hours": "24"}
QUIET_ACTIONS = ("login", "login_failed", "logout", "login_locked")  # not writes of the data


# ------------------------------------------------------------------------------------------- the world

@dataclass
class World:
    db_path: str
    template: str
    principals: dict = field(default_factory=dict)   # name → user id (None: signed out)
    pools: dict = field(default_factory=dict)        # url argument → [ids]
    id_numbers: list = field(default_factory=list)


def _effective(school, name, seq):
    from records import review
    u = new_teacher(school, name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user(f"{school}_info"), open_task(t.id).id, "approve").ok
    county = t.org.parent.code
    assert review.decide(user(f"{county}_info"), open_task(t.id).id, "approve").ok
    u.must_change_password = False
    db.session.commit()
    return u, db.session.get(Teacher, t.id)


def _school_objects(school, base_seq):
    """One teacher in each state that some route acts on, in `school`."""
    from records import additions, changes, review
    out = {}
    d = new_teacher(school, "草稿", seq=base_seq)
    d.must_change_password = False
    complete_basic(d)  # adds a row of the 学习经历 set: an item id
    out["draft"] = d
    s = new_teacher(school, "待校审", seq=base_seq + 2)
    ts = db.session.get(Teacher, s.teacher_id)
    assert service.save_basic(s, ts, complete_basic(s), submit=True).ok
    r = new_teacher(school, "待区审", seq=base_seq + 4)
    tr = db.session.get(Teacher, r.teacher_id)
    assert service.save_basic(r, tr, complete_basic(r), submit=True).ok
    assert review.decide(user(f"{school}_info"), open_task(tr.id).id, "approve").ok
    e, te = _effective(school, "补充", base_seq + 6)
    assert additions.propose(e, te, "training", TRAINING).ok
    assert review.decide(user(f"{school}_info"), open_task(te.id).id, "return", "请补充").ok
    out["effective"] = e
    from records import credits
    assert credits.add_manual(user(f"{school}_info"), te, {"year": "2026", "project": "校本培训", "hours": "8"}).ok
    c, tc = _effective(school, "变更", base_seq + 8)
    assert changes.propose(user(f"{school}_info"), tc, {**tc.basic, "name": "更名"}, "更名", PNG).ok, "change"
    _, out["free"] = _effective(school, "在岗", base_seq + 10)
    _, out["mobile"] = _effective(school, "流动", base_seq + 12)
    db.session.commit()
    return out


def _mobility(a_teacher, b_teacher):
    """A transfer from 龙华区 into 秀英区's school, and a rotation from 龙华区's school to 秀英区's."""
    from records import rotation, transfers
    moving = db.session.scalars(select(Teacher).where(Teacher.org_id == b_teacher.org_id,
                                                      Teacher.name == "流动")).one()
    out = transfers.apply(user("2146000001_info"), moving.id_number, moving.name, "2026-09", "工作需要")
    assert out.ok, (out.message, out.problems)
    _, other = _effective("2146000004", "再流动", 80)   # a transfer inside 龙华区: foreign to 秀英区
    out = transfers.apply(user("2146000005_info"), other.id_number, other.name, "2026-09", "工作需要")
    assert out.ok, (out.message, out.problems)
    host = org("2146000002")
    import datetime as dt
    today = dt.date.today()
    start = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    out = rotation.apply(user("2146000004_info"), b_teacher, {
        "host_code": host.code, "rotation_type": "20", "moves_relationship": "0",
        "start_month": f"{start:%Y-%m}", "end_month": f"{start.year + 1}-{start.month:02d}"})
    assert out.ok, (out.message, out.problems)
    db.session.commit()


def _build_world(app, tmp_path) -> World:
    from accounts.unit_accounts import generate_unit_accounts
    from reports.opening import open_period
    setup_province(app)
    process_admin = User(username="460000_process", display_name="流程管理员", role="process_admin",
                         org_id=org("460000").id, must_change_password=False)
    process_admin.set_password(PASSWORD)
    db.session.add(process_admin)
    db.session.commit()
    a = _school_objects("2146000001", 10)   # 秀英区 (460105)
    b = _school_objects("2146000004", 40)   # 龙华区 (460106): foreign to 秀英区 and its schools
    a_free, b_free = a["free"], b["free"]
    # a one-time password sheet of each county's system administrator
    for school, county in (("2146000002", "460105"), ("2146000005", "460106")):
        db.session.query(User).filter_by(username=f"{school}_query").delete()
        db.session.commit()
        generate_unit_accounts(org(county), user(f"{county}_sys"))
    _mobility(a_free, b_free)
    import datetime as dt
    with app.app_context():
        open_period(dt.datetime(2026, 11, 3, 1, 0, tzinfo=dt.timezone.utc))  # reports, report tasks, notifications
    db.session.commit()

    world = World(db_path=str(tmp_path / "test.db"), template=str(tmp_path / "template.db"))
    world.principals = {"signed_out": None, "teacher_draft": a["draft"].id, "teacher_effective": a["effective"].id}
    for level, code in (("school", "2146000001"), ("county", "460105"), ("province", "460000")):
        for role in ("sys", "info", "query"):
            world.principals[f"{level}_{role}"] = user(f"{code}_{role}").id
    world.principals["province_process"] = process_admin.id
    from models.mobility import CreditEntry, Rotation, Transfer
    world.pools = {
        "teacher_id": list(db.session.scalars(select(Teacher.id).order_by(Teacher.id))),
        "task_id": list(db.session.scalars(select(HumanTask.id).order_by(HumanTask.id))),
        "change_id": list(db.session.scalars(select(ChangeRequest.id).where(ChangeRequest.kind == "change"))),
        "addition_id": list(db.session.scalars(select(ChangeRequest.id).where(ChangeRequest.kind == "addition"))),
        "item_id": list(db.session.scalars(select(RecordItem.id).order_by(RecordItem.id))),
        "entry_id": list(db.session.scalars(select(CreditEntry.id).order_by(CreditEntry.id))),
        "sheet_id": list(db.session.scalars(select(PasswordSheet.id))),
        "report_id": [r.id for r in db.session.scalars(select(MonthlyReport).join(Org, Org.id == MonthlyReport.org_id)
                                                        .where(Org.code.in_(("460105", "460106", "460000", "460100"))))],
        "notification_id": [n.id for n in db.session.scalars(select(Notification).join(
            User, User.id == Notification.recipient_user_id).where(User.username.in_(("460105_info", "460106_info"))))],
        "user_id": [user(n).id for n in ("2146000001_info", "2146000001_sys", "460105_info", "460105_sys",
                                         "2146000004_sys", "460106_info")] + [a["draft"].id],
        "transfer_id": list(db.session.scalars(select(Transfer.id))),
        "rotation_id": list(db.session.scalars(select(Rotation.id))),
        "org_id": [org(c).id for c in ("2146000001", "460105", "460106", "2146000004", "460000")],
    }
    world.id_numbers = list(db.session.scalars(select(Teacher.id_number)))
    db.session.remove()
    db.engine.dispose()
    _copy(world.db_path, world.template)
    return world


def _copy(src: str, dst: str) -> None:
    """SQLite's online backup API: a consistent copy, WAL included."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    with target:
        source.backup(target)
    source.close()
    target.close()


def restore(world: World) -> None:
    db.session.remove()
    db.engine.dispose()
    _copy(world.template, world.db_path)


class WriteWatch:
    """Every INSERT, UPDATE or DELETE the application sends to the database (SQL level), audit rows of
    sign-ins aside: a denied request must send none."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") and \
                    any(a in str(parameters) for a in QUIET_ACTIONS):
                return
            self.statements.append(statement.strip().split("\n")[0][:120])

    def take(self) -> list[str]:
        out, self.statements = self.statements, []
        return out


# ------------------------------------------------------------------------------ facts about objects

@dataclass
class Facts:
    unit: Org | None = None
    owner_user_id: int | None = None       # SELF: notification recipient, sheet creator
    teacher_id: int | None = None          # SELF: the record the object belongs to
    candidate: tuple | None = None         # CANDIDATE: (org id, role)
    other_unit: Org | None = None          # a transfer's or rotation's second school


def facts(arg: str, object_id: int) -> Facts:
    if arg == "teacher_id":
        t = db.session.get(Teacher, object_id)
        return Facts(unit=t.org, teacher_id=t.id)
    if arg == "task_id":
        task = db.session.get(HumanTask, object_id)
        unit = db.session.get(Org, task.candidate_org_id) if task.candidate_org_id else \
            db.session.get(Teacher, task.subject_teacher_id).org
        return Facts(unit=unit, teacher_id=task.subject_teacher_id,
                     candidate=(task.candidate_org_id, task.candidate_role))
    if arg == "change_id":
        change = db.session.get(ChangeRequest, object_id)
        t = db.session.get(Teacher, change.teacher_id)
        return Facts(unit=t.org, teacher_id=t.id)
    if arg == "sheet_id":
        sheet = db.session.get(PasswordSheet, object_id)
        return Facts(unit=db.session.get(Org, sheet.org_id), owner_user_id=sheet.created_by_id)
    if arg == "report_id":
        report = db.session.get(MonthlyReport, object_id)
        task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == report.instance_id)).first()
        return Facts(unit=report.org, candidate=(task.candidate_org_id, task.candidate_role) if task else None)
    if arg == "notification_id":
        n = db.session.get(Notification, object_id)
        return Facts(owner_user_id=n.recipient_user_id)
    if arg == "user_id":
        u = db.session.get(User, object_id)
        return Facts(unit=u.org, owner_user_id=u.id)
    if arg == "org_id":
        return Facts(unit=db.session.get(Org, object_id))
    if arg in ("transfer_id", "rotation_id"):
        from models.mobility import Rotation, Transfer
        row = db.session.get(Transfer if arg == "transfer_id" else Rotation, object_id)
        one, two = (row.from_org, row.to_org) if arg == "transfer_id" else (row.home_org, row.host_org)
        return Facts(unit=one, other_unit=two, teacher_id=row.teacher_id)
    raise AssertionError(f"no facts for {arg}")


def expected_allowed(principal: User | None, action: str, arg: str | None, obj: Facts | None) -> bool:
    """The declaration applied to the facts."""
    if action == "public":
        return True
    if principal is None:
        return False
    scope = SCOPES[action].get(principal.role)
    if scope is None:
        return False
    if scope == ANY:
        return True
    if scope == PROVINCE:
        return principal.org.kind == "province"
    if scope == SUBTREE:
        return any(u is not None and u.path.startswith(principal.org.path) for u in (obj.unit, obj.other_unit))
    if scope == OWN_UNIT:
        return obj.unit is not None and obj.unit.id == principal.org_id
    if scope == SELF:
        if obj.owner_user_id is not None:
            return obj.owner_user_id == principal.id
        return obj.teacher_id is not None and obj.teacher_id == principal.teacher_id
    if scope == CANDIDATE:
        if obj.candidate is None:
            return False
        if principal.role == "teacher":
            return obj.candidate[1] == "teacher" and obj.teacher_id == principal.teacher_id
        return obj.candidate == (principal.org_id, principal.role)
    if scope == MANAGED:
        target = db.session.get(User, obj.owner_user_id)
        return target.org_id == principal.org_id or (
            target.org.parent_id == principal.org_id and target.role == "sys_admin")
    raise AssertionError(scope)


def relation(principal: User | None, obj: Facts | None) -> str:
    if principal is None or obj is None:
        return "-"
    if obj.unit is None:  # an object of a person (a notification): one's own or someone else's
        return "own" if obj.owner_user_id == principal.id else "foreign"
    units = [u for u in (obj.unit, obj.other_unit) if u is not None]
    if any(u.id == principal.org_id for u in units):
        return "own"
    if any(u.path.startswith(principal.org.path) for u in units):
        return "below"
    return "foreign"


# ----------------------------------------------------------------------------------- the requests

def post_data(world: World, endpoint: str) -> dict:
    """Plausible form data, so that a hole in a check would show as a write."""
    from types import SimpleNamespace
    data = {"decision": "approve", "reason": "测试原因", "action": "submit", "remark": "备注", "summary": "总结",
            "name": "林晓", "gender": "女", "birth_month": "1988-03", "id_number": "460105198803150029",
            "email": "a@example.cn", "inbox_email": "a@example.cn", "date": "2026-01-01",
            "old_password": PASSWORD, "new_password": "Other12345", "confirm": "Other12345",
            "unit": "甲校", "start": "2010-09", **TRAINING, "release": "0"}
    data.update(complete_basic(SimpleNamespace(teacher_id=None)))
    if endpoint == "inbox.bulk_approve":
        data["task_id"] = [str(i) for i in world.pools["task_id"]]
    if endpoint == "notifications.read":
        data["id"] = [str(i) for i in world.pools["notification_id"]]
    if endpoint == "reports.unit_settings":
        data["action"] = "settings"
    return data


def _parts():
    from models.mobility import CreditEntry
    return {"item_id": (RecordItem, ("set_key",)), "entry_id": (CreditEntry, ())}


# URL arguments naming a part of the teacher's record the route's object argument names: (model, the part's
# attributes that are URL arguments too).
PARTS = _parts()


def cases_for(world: World, rule):
    """(values for the URL, the object argument, its id, the facts) for every object of every pool."""
    route = ROUTES[rule.endpoint]
    args = set(rule.arguments)
    # the export of the basic set carries ID numbers, so the masking check below has something to find
    set_key = "training" if rule.endpoint.startswith("changes.") else "basic" if rule.endpoint == "api.export_xlsx" else "work"
    fixed = {"set_key": set_key, "personal_number": "4620260000019",
             "view": "unit", "code": "en", "school_type": "21", "filename": "app.css", "process_key": "teacher_collection"}
    base = {a: fixed[a] for a in args if a in fixed}
    if route.obj is None:
        unresolved = [a for a in args if a not in fixed and not world.pools.get(a)]
        ids = {a: (world.pools.get(a) or [1])[0] for a in args if a not in fixed}
        yield {**base, **ids}, None, "unresolved" if unresolved else None
        return
    assert route.obj in args, f"{rule.endpoint}: object argument {route.obj} not in {rule.rule}"
    pool = world.pools.get("addition_id" if rule.endpoint == "changes.revise_addition" else route.obj)
    if not pool:  # no such object in this world (e.g. an import job's token): every role must get 404
        yield {**base, route.obj: 1 if route.obj.endswith("_id") else "no-such-object"}, None, "unresolved"
        return
    if rule.endpoint == "reports.from_task":
        pool = [t for t in pool if db.session.get(HumanTask, t).process_key in ("monthly_report", "province_report")]
    for object_id in pool:
        values = {**base, route.obj: object_id}
        part = next((a for a in PARTS if a in args), None)
        if part:
            model, extra = PARTS[part]
            for part_id in world.pools[part]:
                found = db.session.get(model, part_id)
                more = {part: part_id, **{a: getattr(found, a) for a in extra}}
                # another record's part under this record's URL: never found
                yield {**values, **more}, route.obj, object_id if found.teacher_id == object_id else "mismatch"
            continue
        yield values, route.obj, object_id


def world_has(world: World, endpoint: str, arg: str) -> bool:
    return bool(world.pools.get("addition_id" if endpoint == "changes.revise_addition" else arg))


def client_for(app, principal: User | None):
    from flask import g
    g.pop("_login_user", None)  # the tests' one app context outlives the sessions the restores end
    client = app.test_client()
    if principal is not None:
        with client.session_transaction() as s:
            s["_user_id"] = principal.get_id()
            s["_fresh"] = True
    return client


def flashed_error(client) -> bool:
    with client.session_transaction() as s:
        return any(cat == "error" for cat, _ in s.get("_flashes", []))


def denied(resp, client) -> bool:
    if resp.status_code in (401, 403, 404):
        return True
    if resp.status_code == 302:
        if "/login" in resp.headers.get("Location", ""):
            return True
        return flashed_error(client)
    return False


def is_login_redirect(resp) -> bool:
    return resp.status_code == 302 and "/login" in resp.headers.get("Location", "")


# ------------------------------------------------------------------------------------------ tests

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("matrix")
    app = make_app(f"sqlite:///{tmp / 'test.db'}")
    with app.app_context():
        w = _build_world(app, tmp)
        yield app, w
        db.session.remove()
        db.engine.dispose()


def test_every_route_is_declared(world):
    app, _ = world
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    assert not missing, ("these routes have no line in accounts.policy.ROUTES (declare the action they perform "
                         f"and the URL argument naming their object): {missing}")
    for endpoint in endpoints:
        assert ROUTES[endpoint].action in SCOPES, endpoint
    assert PUBLIC == {e for e in endpoints if ROUTES[e].action == "public"}


def _rules(app_for_rules):
    return sorted(app_for_rules.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def _rule_ids():
    from app import create_app
    app = create_app({"DATABASE_URL": "sqlite://"})
    return [(r.endpoint, r.rule) for r in _rules(app)]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def response_text(resp) -> str:
    """What a masked role could read in a response: pages, JSON and CSV as text, a workbook's XML parts."""
    if resp.mimetype.startswith("text/") or resp.mimetype == "application/json":
        return resp.get_data(as_text=True)
    if resp.mimetype == XLSX:
        with zipfile.ZipFile(io.BytesIO(resp.get_data())) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith(".xml"))
    return ""


@pytest.mark.parametrize("endpoint,path", _rule_ids())
def test_route_matches_the_declared_policy(world, endpoint, path):
    app, w = world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    route = ROUTES[endpoint]
    adapter = app.url_map.bind("localhost")
    methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
    problems, seen = [], set()
    dirty = False
    watch = WriteWatch()
    event.listen(db.engine, "before_cursor_execute", watch)
    for values, arg, object_id in list(cases_for(w, rule)):
        url = adapter.build(endpoint, values, method=methods[0])
        for method in methods:
            for name, principal_id in w.principals.items():
                if dirty:
                    restore(w)
                    dirty = False
                principal = db.session.get(User, principal_id) if principal_id else None
                unresolved = object_id == "unresolved"  # an id no object has: 404 is an answer too
                if object_id == "mismatch":
                    expect, obj = False, None
                else:
                    obj = facts(arg, object_id) if arg and not unresolved else None
                    if unresolved and route.obj:  # no object: the role part only (and 404 is an answer)
                        expect = principal is not None and principal.role in SCOPES[route.action]
                    else:
                        expect = expected_allowed(principal, route.action, arg, obj)
                seen.add((relation(principal, obj), expect))
                client = client_for(app, principal)
                if method == "GET":
                    resp = client.get(url)
                else:
                    resp = client.post(url, data=post_data(w, endpoint))
                case = f"{method} {url} as {name}"
                writes = watch.take()
                if expect:
                    if resp.status_code in (403, 500) or (resp.status_code == 404 and not unresolved) or (is_login_redirect(resp) and endpoint != "auth.logout"):
                        problems.append(f"{case}: declared allowed, got {resp.status_code} {resp.headers.get('Location', '')}")
                    dirty = dirty or bool(writes)
                else:
                    if not denied(resp, client):
                        problems.append(f"{case}: declared denied, got {resp.status_code}")
                    elif writes:
                        problems.append(f"{case}: denied ({resp.status_code}) but it wrote: {writes[:3]}")
                    dirty = dirty or bool(writes)
                if principal is not None and principal.role in policy.MASKED_ROLES and resp.status_code == 200:
                    body = response_text(resp)
                    leaked = [n for n in w.id_numbers if n in body]
                    if leaked:
                        problems.append(f"{case}: a masked role received full ID numbers {leaked[:2]}")
                resp.close()  # a streamed export left open would end in another request's context
                db.session.rollback()
    event.remove(db.engine, "before_cursor_execute", watch)
    if dirty:
        restore(w)
    assert not problems, "\n".join(problems[:40])
    if route.obj and world_has(w, rule.endpoint, route.obj):
        relations = {r for r, _ in seen}
        assert "foreign" in relations and (relations & {"own", "below"}), (endpoint, seen)

"""The audit trail: every write route leaves a row; the log is searchable per subtree, read-only, purgeable
only past 180 days."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from audit.search import ACTION_LABELS
from models import AuditEntry, Teacher, db
from records import service
from tests.conftest import DATA
from tests.journey_helpers import PASSWORD, complete_basic, login, new_teacher, open_task, user


def audit_count():
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def _submitted(name, seq):
    u = new_teacher("2146000001", name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    return u, t


# Each write route of the core blueprints with a request that succeeds. A new POST route without an
# entry here fails test_every_write_route_is_listed, so nothing that writes goes unaudited unnoticed.
def _cases():
    def decide(client):
        _, t = _submitted("审批", 30)
        login(client, "2146000001_info")
        task = open_task(t.id)
        return client.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "task_uuid": task.task_uuid})

    def claim(client):
        _, t = _submitted("领取", 32)
        login(client, "2146000001_info")
        return client.post(f"/tasks/{open_task(t.id).id}/claim", data={})

    def bulk(client):
        _, t = _submitted("批量", 34)
        login(client, "2146000001_info")
        return client.post("/inbox/bulk-approve", data={"task_id": [str(open_task(t.id).id)]})

    def edit(client):
        u = new_teacher("2146000001", "编辑", seq=36)
        login(client, "2146000001_info")
        return client.post(f"/teachers/{u.teacher_id}/edit", data={**complete_basic(u), "action": "save"})

    def imp(client):
        login(client, "2146000001_info")
        data = (DATA / "school_2146000001_basic_info.xlsx").read_bytes()
        return client.post("/import", data={"file": (io.BytesIO(data), "s.xlsx")}, content_type="multipart/form-data")

    def create_teacher(client):
        login(client, "2146000001_sys")
        return client.post("/accounts/teachers", data={"name": "林晓", "gender": "女", "birth_month": "1988-03",
                                                       "id_number": "460105198803150029"})

    def sheet(client):
        login(client, "2146000001_sys")
        data = (DATA / "school_2146000001_new_teacher_accounts.xlsx").read_bytes()
        return client.post("/accounts/teachers/sheet", data={"file": (io.BytesIO(data), "a.xlsx")},
                           content_type="multipart/form-data")

    def withdraw(client):
        u = new_teacher("2146000001", "撤销", seq=38)
        login(client, "2146000001_sys")
        return client.post(f"/accounts/teachers/{u.teacher_id}/withdraw", data={})

    def reset(client):
        login(client, "2146000001_sys")
        return client.post(f"/accounts/{user('2146000001_info').id}/reset", data={})

    def generate(client):
        db.session.query(type(user("460105_sys"))).filter_by(username="2146000001_query").delete()
        db.session.commit()
        login(client, "460105_sys")
        return client.post("/accounts/generate", data={})

    def download(client):
        generate(client)
        from models import PasswordSheet
        sheet_id = db.session.scalar(select(PasswordSheet.id))
        return client.post(f"/accounts/password-sheets/{sheet_id}")

    def password(client):
        login(client, "2146000001_info")
        return client.post("/password", data={"old_password": PASSWORD, "new_password": "Other12345",
                                              "confirm": "Other12345"})

    def logout(client):
        login(client, "2146000001_info")
        return client.post("/logout")

    def _effective(name, seq):
        from records import review as review_ops
        u, t = _submitted(name, seq)
        assert review_ops.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
        assert review_ops.decide(user("460105_info"), open_task(t.id).id, "approve").ok
        u.must_change_password = False
        db.session.commit()
        return u, db.session.get(Teacher, t.id)

    def propose_change(client):
        _, t = _effective("变更", 50)
        login(client, "2146000001_info")
        return client.post(f"/teachers/{t.id}/change", data={**t.basic, "health": "2", "action": "submit"})

    def revise_change(client):
        from records import changes, review as review_ops
        _, t = _effective("重报", 52)
        assert changes.propose(user("2146000001_info"), t, {"health": "2"}, "", None).ok
        assert review_ops.decide(user("460105_info"), open_task(t.id).id, "return", "不对").ok
        change = changes.open_change(t.id, "change")
        login(client, "2146000001_info")
        return client.post(f"/changes/{change.id}/revise", data={**t.basic, "health": "3", "action": "submit"})

    training = {"year": "2025", "training_type": "2", "name": "培训", "way": "1", "hours": "24"}

    def add(client):
        u, t = _effective("补充", 54)
        login(client, u.username, service.initial_teacher_password(u.username))
        return client.post(f"/teachers/{t.id}/additions/training", data=training)

    def revise_addition(client):
        from records import additions, review as review_ops
        u, t = _effective("补充重报", 56)
        assert additions.propose(u, t, "training", training).ok
        assert review_ops.decide(user("2146000001_info"), open_task(t.id).id, "return", "不对").ok
        change = additions.submissions(t.id)[0]
        login(client, u.username, service.initial_teacher_password(u.username))
        return client.post(f"/additions/{change.id}", data={**training, "action": "withdraw"})

    def departure(client):
        _, t = _effective("离岗", 58)
        login(client, "2146000001_info")
        return client.post(f"/teachers/{t.id}/departure", data={"reason": "retired", "date": "2026-12-31"})

    def login_route(client):
        return client.post("/login", data={"username": "2146000001_info", "password": PASSWORD})

    return {"changes.departure": departure, "changes.propose": propose_change, "changes.revise": revise_change, "changes.add": add,
            "changes.revise_addition": revise_addition,
            "inbox.decide": decide, "inbox.claim": claim, "inbox.bulk_approve": bulk, "records.edit": edit,
            "records.import_sheet": imp, "accounts.create_teacher": create_teacher,
            "accounts.create_teachers_from_sheet": sheet, "accounts.withdraw_teacher": withdraw,
            "accounts.reset": reset, "accounts.generate": generate, "accounts.download_sheet": download,
            "auth.change_password": password, "auth.logout": logout, "auth.login": login_route}


CASES = _cases()


def _set_row(client):
    u = new_teacher("2146000001", "信息集", seq=38)
    login(client, "2146000001_info")
    return client.post(f"/teachers/{u.teacher_id}/sets/work/new", data={"unit": "甲校", "start": "2010-09"})


def _set_row_delete(client):
    from records import items
    u = new_teacher("2146000001", "删行", seq=42)
    t = db.session.get(Teacher, u.teacher_id)
    item_id = items.save_item(u, t, "work", {"unit": "甲校", "start": "2010-09"}).item_id
    login(client, "2146000001_info")
    return client.post(f"/teachers/{u.teacher_id}/sets/work/{item_id}/delete")


CASES.update({"records.set_row": _set_row, "records.set_row_delete": _set_row_delete})
CORE_BLUEPRINTS = ("auth", "inbox", "records", "accounts", "audit", "home", "changes")


# Transfers and exchange/rotation (views/transfers.py).
def _transfer_apply(client):
    from tests.test_transfers import effective_teacher
    _, t = effective_teacher(seq=60)
    login(client, "2146000013_info")
    return client.post("/transfers/new", data={"id_number": t.id_number, "name": t.name, "join_month": "2026-09"})


def _rotation_apply(client):
    import datetime as _dt

    import workflows
    from tests.test_transfers import effective_teacher
    _, t = effective_teacher(seq=62)
    login(client, "2146000001_info")
    with workflows.frozen_clock(_dt.datetime(2026, 3, 10, 2, tzinfo=_dt.timezone.utc)):
        return client.post(f"/teachers/{t.id}/rotation", data={
            "host_code": "2146000004", "rotation_type": "20", "moves_relationship": "0", "start_month": "2026-04",
            "end_month": "2026-07"})


CASES.update({"transfers.new": _transfer_apply, "transfers.rotation_new": _rotation_apply})
CORE_BLUEPRINTS += ("transfers",)


# Statistics and progress (views/stats.py): 督促.
def _urge(client):
    login(client, "460105_info")
    from tests.journey_helpers import org
    return client.post(f"/progress/{org('2146000002').id}/urge", data={"note": "请加快"})


CASES.update({"stats.urge": _urge})
CORE_BLUEPRINTS += ("stats",)


# Training credits (views/credits.py).
def _credit_settings(client):
    login(client, "460000_info")
    return client.post("/credits/settings", data={"hours_*": "72", "hours_11": "48"})


def _credit_import(client):
    from tests.test_credits import HEADER, xlsx
    from tests.test_transfers import effective_teacher
    _, t = effective_teacher(seq=64)
    login(client, "2146000001_info")
    data = xlsx([HEADER, [t.id_number, t.name, 2026, "网络研修", 30, 2, "P-1"]])
    return client.post("/credits/import", data={"file": (io.BytesIO(data), "p.xlsx")}, content_type="multipart/form-data")


def _credit_entry(client):
    from tests.test_transfers import effective_teacher
    _, t = effective_teacher(seq=66)
    login(client, "2146000001_info")
    return client.post(f"/teachers/{t.id}/credits/new", data={"year": "2026", "project": "校本培训", "hours": "8"})


def _credit_remove(client):
    from models.mobility import CreditEntry
    from records import credits
    from tests.test_transfers import effective_teacher
    _, t = effective_teacher(seq=67)
    assert credits.add_manual(user("2146000001_info"), t, {"year": "2026", "project": "录错的培训", "hours": "80"}).ok
    entry = db.session.scalars(select(CreditEntry).where(CreditEntry.teacher_id == t.id)).one()
    login(client, "2146000001_info")
    return client.post(f"/teachers/{t.id}/credits/{entry.id}/delete", data={})


def _restart_collection(client):
    import workflows
    from models import ProcessInstance
    from workflows import admin
    u = new_teacher("2146000001", "重启", seq=69)
    instance = db.session.scalars(select(ProcessInstance).where(ProcessInstance.subject_teacher_id == u.teacher_id)).one()
    workflows.run_in_transaction(admin.terminate, instance.id, user("2146000001_info"), "重复发起")
    login(client, "2146000001_info")
    return client.post(f"/teachers/{u.teacher_id}/restart-collection")


CASES["records.restart_collection"] = _restart_collection


CASES.update({"credits.settings": _credit_settings, "credits.import_file": _credit_import,
              "credits.add_entry": _credit_entry, "credits.remove_entry": _credit_remove})
CORE_BLUEPRINTS += ("credits",)


# Data exchange (views/api.py): tokens, and the API's one write (pushing training hours).
def _token_create(client):
    login(client, "460105_info")
    return client.post("/exchange/tokens", data={"name": "国家平台"})


def _token_revoke(client):
    from records import exchange
    row, _ = exchange.create_token(user("460105_info"), "停用")
    login(client, "460105_info")
    return client.post(f"/exchange/tokens/{row.id}/revoke")


def _credit_push(client):
    from records import exchange
    from tests.test_transfers import effective_teacher
    _, t = effective_teacher(seq=68)
    _, token = exchange.create_token(user("460105_info"), "推送", True)
    return client.post("/api/v1/credits", headers={"Authorization": f"Bearer {token}"}, json={"records": [
        {"id_number": t.id_number, "name": t.name, "year": 2026, "project": "国培", "hours": 10, "record_id": "X1"}]})


CASES.update({"api.create_token": _token_create, "api.revoke_token": _token_revoke, "api.api_credits": _credit_push})
CORE_BLUEPRINTS += ("api",)


def test_every_write_route_is_listed(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.split(".")[0] in CORE_BLUEPRINTS}
    assert posts == set(CASES), f"write routes without an audit test: {posts - set(CASES)}"


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_each_write_route_leaves_an_audit_row(province, endpoint):
    client = province.test_client()
    before_ids = set(db.session.scalars(select(AuditEntry.id)))
    resp = CASES[endpoint](client)
    assert resp.status_code in (200, 302), resp.get_data(as_text=True)[:500]
    new = db.session.scalars(select(AuditEntry).where(AuditEntry.id.notin_(before_ids) if before_ids else True)).all()
    if endpoint != "auth.login":
        # the case's own login is not the write under test
        new = [e for e in new if e.action != "login"]
    assert new, f"{endpoint} wrote no audit row"
    assert all(e.ip for e in new)
    # the log page names each action in words, never by its code
    assert not [e.action for e in new if e.action not in ACTION_LABELS], "actions without a label in ACTION_LABELS"


def test_search_is_limited_to_the_subtree(province):
    _, t = _submitted("范围", 40)
    county = province.test_client()
    login(county, "460105_info")
    page = county.get("/audit/").get_data(as_text=True)
    assert "创建教师账号" in page
    # before/after read as written: Chinese as Chinese, not \\u escapes
    assert "海南师范大学" in page and "\\u" not in page
    # the object by kind and name, values by label and code name (not "teacher 25", not political_status: 13)
    assert f"教师记录 {t.name}" in page and "teacher " not in page
    assert "【学习经历】；条目号：1；获得学历：大学本科毕业" in page and "degree_level" not in page
    from audit.presentation import describe
    assert describe({"political_status": "13", "reason": "更正"}, "2146000001") == "政治面貌：群众；原因：更正"
    assert describe({"unknown_key": {"a": "二"}}) == 'unknown_key：{"a": "二"}'   # never dropped
    assert describe({"step": "学校审核", "decision": "approve", "reason": ""}) == "环节：学校审核；决定：通过；原因：（空）"
    assert describe({"reason": "retired", "date": "2026-11-30"}) == "原因：退休；日期：2026-11-30"
    assert describe({"id_numbers": list("abcdefg")}) == "身份证号：a、b、c、d、e 等 7 个"
    from audit.presentation import NOT_A_RECORD
    assert describe({"name": "国家平台"}, NOT_A_RECORD) == "名称：国家平台"          # a token's name, not 姓名
    assert describe({"moves_relationship": "否", "start": "2026-09"}) == "调动人事关系：否；开始：2026-09"
    assert describe({"from": "2146000001", "to": "9"}, units={"2146000001": "东山中心小学"}) == \
        "调出学校：东山中心小学（2146000001）；调入学校：9"
    other = province.test_client()
    login(other, "460106_info")
    page = other.get("/audit/?action=teacher_account_created").get_data(as_text=True)
    assert "共 0 条" in page
    teacher = province.test_client()
    login(teacher, "2146000001_query")
    assert teacher.get("/audit/").status_code == 403


def test_failed_logins_of_unknown_names_reach_the_province(province):
    client = province.test_client()
    client.post("/login", data={"username": "nobody", "password": "x"})
    province_admin = province.test_client()
    login(province_admin, "460000_sys")
    assert "nobody" in province_admin.get("/audit/?action=login_failed").get_data(as_text=True)


def test_no_route_edits_or_deletes_the_log(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_purge_keeps_at_least_180_days(province):
    from audit.search import purge_older_than
    old = AuditEntry(action="login", created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=200))
    recent = AuditEntry(action="login", created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=100))
    db.session.add_all([old, recent])
    db.session.commit()
    with pytest.raises(ValueError):
        purge_older_than(30)
    assert purge_older_than(180) >= 1
    assert db.session.get(AuditEntry, recent.id) is not None and db.session.get(AuditEntry, old.id) is None
    runner = province.test_cli_runner()
    assert runner.invoke(args=["audit", "purge", "--older-than-days", "10"]).exit_code == 1
    assert "已删除" in runner.invoke(args=["audit", "purge"]).output


def test_a_masked_role_cannot_confirm_an_id_number_through_the_operator_filter(province):
    """A system administrator sees ID numbers masked; filtering the log by a teacher's login name (her ID
    number) used to answer 共 3 条 for the right number and 共 0 条 for a wrong one — a way to recover it."""
    u, _ = _submitted("审计筛选", 72)
    teacher = province.test_client()
    login(teacher, u.username, "Js" + u.username[-6:])        # her first login is audited
    admin = province.test_client()
    landed = login(admin, "2146000001_sys").get_data(as_text=True)
    assert "退出" in landed, landed[-1500:]
    page = admin.get(f"/audit/?user={u.username}").get_data(as_text=True)
    assert "不能按身份证号" in page and "共 0 条" in page
    # unit accounts are still found by name, and an information administrator (unmasked) may filter by it
    assert "共 0 条" not in admin.get("/audit/?user=2146000001_sys").get_data(as_text=True)
    info = province.test_client()
    login(info, "2146000001_info")
    assert "共 0 条" not in info.get(f"/audit/?user={u.username}").get_data(as_text=True)

"""The 负责人与接收邮箱 page through the real app: a manager is linked to an account of the unit when
added or edited (only the unit's own active accounts are offered and accepted), every change is
audited, and the linked account is told in the app when the unit's monthly report is overdue."""
from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry, Notification, UnitManager, db
from scheduler.tick import run_tick
from tests.journey_helpers import login, org, user
from tests.test_scheduler import at


def managers(org_id):
    db.session.rollback()
    return db.session.scalars(select(UnitManager).where(UnitManager.org_id == org_id, UnitManager.active.is_(True))
                              .order_by(UnitManager.id)).all()


def audit_rows(action):
    db.session.rollback()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_a_manager_linked_on_the_page_is_told_in_the_app(province):
    bureau, head = org("460105"), user("460105_query")
    url = f"/units/{bureau.id}/deadlines"
    client = province.test_client()
    login(client, "460105_sys")

    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{head.id}"' in page and "秀英区教育局信息查询员（460105_query）" in page
    assert "2146000001_info" not in page            # a school's accounts are not the bureau's
    assert client.get(f"/units/{org('460106').id}/deadlines").status_code == 404   # another county's page

    # an account of another unit (a school below, in scope but not the bureau's) is refused; the form stays filled
    school_account = user("2146000001_info")
    refused = client.post(url, data={"action": "add_manager", "name": "王局长", "email": "wang@example.org",
                                     "user_id": str(school_account.id)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "不是秀英区教育局的有效账号" in text
    assert 'value="王局长"' in text and 'value="wang@example.org"' in text
    assert client.post(url, data={"action": "add_manager", "name": "王局长", "user_id": "x1"}).status_code == 400
    # neither an e-mail nor an account: nobody could be told, so refused saying so
    nowhere = client.post(url, data={"action": "add_manager", "name": "张三", "email": " "})
    assert nowhere.status_code == 400 and "提醒将无法送达" in nowhere.get_data(as_text=True)
    assert managers(bureau.id) == [] and audit_rows("manager_add") == []

    added = client.post(url, data={"action": "add_manager", "name": "王局长", "email": "wang@example.org",
                                   "user_id": str(head.id)}, follow_redirects=True).get_data(as_text=True)
    assert "已添加负责人" in added and "秀英区教育局信息查询员（460105_query）" in added
    [manager] = managers(bureau.id)
    assert manager.user_id == head.id
    [row] = audit_rows("manager_add")
    assert row.after["account"] == "460105_query" and row.ip

    # the same account for a second manager is refused, naming the first
    again = client.post(url, data={"action": "add_manager", "name": "李副局长", "user_id": str(head.id)})
    assert again.status_code == 400 and "已关联负责人“王局长”" in again.get_data(as_text=True)

    # edit: the form opens with the manager's values; unlinking and relinking are audited with before/after
    form = client.get(f"{url}?edit={manager.id}").get_data(as_text=True)
    assert "修改负责人：王局长" in form and f'<option value="{head.id}" selected' in form
    client.post(url, data={"action": "edit_manager", "manager_id": str(manager.id), "name": "王局长",
                           "email": "wang@example.org", "user_id": ""})
    assert managers(bureau.id)[0].user_id is None
    client.post(url, data={"action": "edit_manager", "manager_id": str(manager.id), "name": "王局长",
                           "email": "wang@example.org", "user_id": str(head.id)})
    assert managers(bureau.id)[0].user_id == head.id
    changes = audit_rows("manager_changed")
    assert [(c.before["account"], c.after["account"]) for c in changes] == [("460105_query", None),
                                                                            (None, "460105_query")]
    # another unit's manager cannot be edited from this page
    other = client.post(f"/units/{org('2146000001').id}/deadlines", data={
        "action": "edit_manager", "manager_id": str(manager.id), "name": "x", "user_id": ""})
    assert other.status_code == 404

    # the report not in by the 25th escalates: the linked account sees it in its notification centre
    run_tick(at("2026-12-01T09:00"))
    run_tick(at("2026-12-26T09:00"))
    db.session.rollback()
    told = db.session.scalars(select(Notification).where(Notification.recipient_user_id == head.id)).all()
    assert [n.recipient_manager_id for n in told] == [manager.id]
    reader = province.test_client()
    login(reader, "460105_query")
    centre = reader.get("/notifications").get_data(as_text=True)
    assert "【已逾期】" in centre and "秀英区教育局" in centre
    assert "期限是 2026-12-25 当日" in centre and "2026-12-26 00:00" not in centre

"""A teacher's collection flow terminated by the process administrator: she is told why and whom to
contact instead of being stuck, and her school's information administrator starts a new flow."""
from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEntry, HumanTask, Notification, ProcessInstance, Teacher, db
from tests.journey_helpers import PASSWORD, login, new_teacher, user
from tests.test_process_pages import province  # noqa: F401 -- fixture


def collection_instances(teacher_id):
    db.session.expire_all()
    return db.session.scalars(select(ProcessInstance).where(ProcessInstance.subject_teacher_id == teacher_id,
                                                            ProcessInstance.process_key == "teacher_collection")
                              .order_by(ProcessInstance.id)).all()


def test_a_terminated_collection_is_explained_and_restarted_by_the_school(province):
    u = new_teacher("2146000001", "终止", seq=70)
    u.set_password(PASSWORD)
    u.must_change_password = False
    db.session.commit()
    [first] = collection_instances(u.teacher_id)
    process_admin = province.test_client()
    login(process_admin, "460000_process")
    assert process_admin.post(f"/process/instances/{first.id}/terminate", data={"reason": "重复发起"}).status_code == 302
    # she and her school's information administrators are told, each once
    told = db.session.scalars(select(Notification).where(Notification.kind == "collection_stopped")).all()
    assert {n.recipient_user_id for n in told} == {u.id, user("2146000001_info").id}
    assert any("重新发起采集" in n.body and "重复发起" in n.body for n in told)

    teacher = province.test_client()
    login(teacher, u.username, PASSWORD)
    page = teacher.get(f"/teachers/{u.teacher_id}").get_data(as_text=True)
    assert "被流程管理员终止（原因：重复发起）" in page and "请联系本校信息管理员（" in page
    assert "采集流程已终止" in page.split('id="record-state"')[1][:40]     # not 未报送 / 待学校审核
    assert "restart-collection" not in page
    # the form is refused with the same words instead of a save that can never be submitted
    refused = teacher.get(f"/teachers/{u.teacher_id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "被流程管理员终止" in refused
    # she cannot restart it herself, nor can the county
    assert teacher.post(f"/teachers/{u.teacher_id}/restart-collection").status_code == 403
    county = province.test_client()
    login(county, "460105_info")
    county.post(f"/teachers/{u.teacher_id}/restart-collection")
    assert len(collection_instances(u.teacher_id)) == 1
    seen = county.get(f"/teachers/{u.teacher_id}").get_data(as_text=True)     # told what happened, not "你的…"
    assert "由海口市秀英区东山中心小学的信息管理员重新发起采集" in seen and "你的信息采集流程" not in seen

    school = province.test_client()
    login(school, "2146000001_info")
    page = school.get(f"/teachers/{u.teacher_id}").get_data(as_text=True)
    assert "restart-collection" in page
    done = school.post(f"/teachers/{u.teacher_id}/restart-collection", follow_redirects=True).get_data(as_text=True)
    assert "已重新发起信息采集" in done and 'id="collection-stopped"' not in done
    first, second = collection_instances(u.teacher_id)
    assert second.status == "running" and db.session.get(Teacher, u.teacher_id).state == "draft"
    fill = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == second.id)).one()
    assert fill.task_key == "fill"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "collection_restarted")) == 1
    # a second click starts nothing more
    again = school.post(f"/teachers/{u.teacher_id}/restart-collection", follow_redirects=True).get_data(as_text=True)
    assert "无需重新发起" in again and len(collection_instances(u.teacher_id)) == 2
    # and the teacher fills in again
    assert teacher.get(f"/teachers/{u.teacher_id}/edit").status_code == 200


def test_the_instances_list_finds_a_teachers_flow_by_name_id_or_school(province):
    """Names repeat across a province: the list says each teacher's school and searches by name, ID number
    or school, so the process administrator terminates the right teacher's flow."""
    a = new_teacher("2146000001", "同名", seq=72)
    b = new_teacher("2146000002", "同名", seq=74)
    new_teacher("2146000001", "别人", seq=76)
    client = province.test_client()
    login(client, "460000_process")
    both = client.get("/process/teacher_collection/instances?status=&q=同名").get_data(as_text=True)
    assert "共 2 个" in both and "同名（海口市秀英区东山中心小学）" in both
    one = client.get(f"/process/teacher_collection/instances?status=&q={b.username}").get_data(as_text=True)
    assert "共 1 个" in one and "同名（" in one
    school = client.get("/process/teacher_collection/instances?status=&q=2146000001").get_data(as_text=True)
    assert "共 2 个" in school and "别人" in school
    wild = client.get("/process/teacher_collection/instances?status=&q=%25").get_data(as_text=True)
    assert "共 0 个" in wild   # % is a character to find, not a wildcard
    assert a.teacher_id != b.teacher_id

"""The review task page through the real Flask app: after a return and the filler's correction the
second review marks what changed since the return; the decision box is one compact form without
inline script; the process editor loads the Chinese labels of bpmn-js when the page is Chinese."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from models import Teacher, WorkflowEvent, db
from records import review, service
from records.code_tables import POLITICAL_STATUS
from records.lifecycle import RETURN_SNAPSHOT
from tests.journey_helpers import PASSWORD, complete_basic, login, new_teacher, open_task, user

ROOT = Path(__file__).resolve().parents[1]


def _submitted(name="复审测试", seq=30):
    teacher_user = new_teacher("2146000001", name, seq=seq)
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    assert service.save_basic(teacher_user, teacher, complete_basic(teacher_user), submit=True).ok
    return teacher_user, teacher.id


def _kv_pairs(html: str) -> dict[str, str]:
    """The basic-information card as label → the text of its value cell."""
    card = html[html.index('id="basic"'):]
    card = card[:card.index("</dl>")]
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", card, re.S)
    return {label.strip(): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip() for label, value in pairs}


def test_second_review_marks_what_changed_since_the_return(province):
    teacher_user, teacher_id = _submitted()
    client = province.test_client()
    login(client, "2146000001_info")

    first = client.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert 'id="since-return"' not in first and "已修改" not in first   # a first review has nothing to compare

    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", "进本校年月有误").ok
    # the return kept the basic information as it stood, on the flow's event log
    kept = db.session.scalars(select(WorkflowEvent).where(WorkflowEvent.action == RETURN_SNAPSHOT)).one()
    assert kept.detail["basic"]["joined_school_month"] == "2012-09" and kept.detail["basic"]["name"] == "复审测试"

    # the teacher corrects two items and submits again
    values = complete_basic(teacher_user) | {"joined_school_month": "2013-09", "political_status": "01"}
    assert service.save_basic(teacher_user, db.session.get(Teacher, teacher_id), values, submit=True).ok

    page = client.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "退回后修改了 2 项" in page
    summary = page[page.index('id="since-return"'):]
    assert "进本校年月" in summary[:summary.index("</p>")] and "政治面貌" in summary[:summary.index("</p>")]
    rows = _kv_pairs(page)
    assert rows["进本校年月"] == "2013-09 已修改 退回时：2012-09"
    assert rows["政治面貌"] == (f"{POLITICAL_STATUS.name_of('01')} 已修改 "
                               f"退回时：{POLITICAL_STATUS.name_of('13')}")
    assert "已修改" not in rows["姓名"] and "已修改" not in rows["参加工作年月"]
    assert sum("已修改" in v for v in rows.values()) == 2
    assert page.count('class="badge changed"') == 2

    # the reviewing authority, after the school approves, sees the same marks (same flow, same return)
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "approve").ok
    county = province.test_client()
    login(county, "460105_info")
    again = county.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "退回后修改了 2 项" in again and _kv_pairs(again)["进本校年月"].startswith("2013-09 已修改")

    # in English the marks are translated too
    county.get("/lang/en")
    english = county.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "Changed since the return (2): " in english and "when returned: " in english and "：" not in english[
        english.index('id="since-return"'):english.index("</p>", english.index('id="since-return"'))]
    # the radios are the decision to take (Approve / Return), not the states of the history (Approved)
    assert re.search(r'id="choice-approve"[^>]*>\s*Approve</label>', english), english[english.index('id="decision"'):][:800]
    assert re.search(r'id="choice-return"[^>]*>\s*Return</label>', english)


def test_resubmitted_unchanged_says_so(province):
    teacher_user, teacher_id = _submitted("未改测试", seq=32)
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", "请核对学历").ok
    assert service.save_basic(teacher_user, db.session.get(Teacher, teacher_id), complete_basic(teacher_user),
                              submit=True).ok
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "退回后基本信息没有修改" in page and 'class="badge changed"' not in page


def test_decision_box_is_one_compact_form_without_inline_script(province):
    _, teacher_id = _submitted("结论测试", seq=34)
    client = province.test_client()
    login(client, "2146000001_info")
    task = open_task(teacher_id)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    box = page[page.index('id="decision"'):]
    box = box[:box.index("</section>")]
    # the radios carry the decision (通过 chosen by default), so Enter submits what is chosen; one button
    # names it; the reason box chooses 退回 when used (app.js data-choose)
    assert re.search(r'<input type="radio" name="decision" value="approve" id="choice-approve"\s+checked>', box)
    assert re.search(r'<input type="radio" name="decision" value="return" id="choice-return"\s+>', box)
    assert 'data-choose="choice-return"' in box and 'rows="1"' in box
    buttons = re.findall(r"<button[^>]*>", box)
    assert buttons == ['<button type="submit" class="primary decide">'], buttons   # no name: it adds no decision
    # the CSP forbids inline script: none on the page, no on* handlers
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) and not re.search(r"\son[a-z]+=", page)
    css = (ROOT / "views" / "static" / "app.css").read_text()
    assert ".decision-form:has(#choice-return:checked) .reason textarea" in css
    assert "data-choose" in (ROOT / "views" / "static" / "app.js").read_text()

    # 退回 without a reason: refused beside the box, which reopens with 退回 chosen and the text kept
    refused = client.post(f"/tasks/{task.id}/decide", data={"decision": "return", "reason": " ",
                                                             "task_uuid": task.task_uuid})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert re.search(r'id="choice-return"\s+checked>', html) and 'role="alert"' in html
    # a page's decision without the page's task (a missing task_uuid) is refused like a stale page
    stale = client.post(f"/tasks/{task.id}/decide", data={"decision": "approve"}, follow_redirects=True)
    assert "页面已过期" in stale.get_data(as_text=True) and open_task(teacher_id).id == task.id
    done = client.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "task_uuid": task.task_uuid},
                       follow_redirects=True)
    assert "已通过" in done.get_data(as_text=True)
    assert db.session.get(Teacher, teacher_id).state == "school_approved"


def test_process_editor_loads_chinese_bpmn_labels_only_in_chinese(province):
    from models import Org, User
    province_org = db.session.scalars(select(Org).where(Org.code == "460000")).one()
    admin = User(username="460000_process", display_name="流程管理员", role="process_admin",
                 org_id=province_org.id, must_change_password=False)
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.commit()
    client = province.test_client()
    login(client, "460000_process")
    page = client.get("/process/teacher_collection/edit").get_data(as_text=True)
    assert '<html lang="zh-CN"' in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    names = [s.rsplit("/", 1)[-1].split("?")[0] for s in scripts]
    assert names.index("bpmn_zh.js") < names.index("process_editor.js")   # the table is there before the editor
    client.get("/lang/en")
    assert '<html lang="en"' in client.get("/process/teacher_collection/edit").get_data(as_text=True)

    # the table: the properties panel's groups and fields, the palette and the context pad, all in Chinese
    table = (ROOT / "views" / "static" / "bpmn_zh.js").read_text()
    for english in ("General", "Documentation", "Timer", "Name", "ID", "Element documentation", "Type", "Value",
                    "Create task", "Create start event", "Append task", "Change element", "Delete",
                    "Activate hand tool", "User task", "User Task", "Timer Boundary Event (Non Interrupting)"):
        found = re.search(r"^\s*'" + re.escape(english) + r"': '([^']+)'", table, re.M)
        assert found and re.search(r"[\u4e00-\u9fff]", found.group(1)), english


def test_a_return_reason_keeps_its_lines_and_stays_text(province):
    teacher_user, teacher_id = _submitted("换行测试", seq=36)
    reason = "第一行：进本校年月有误\n第二行：<b>请核对</b>"
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", reason).ok
    reviewer = province.test_client()
    login(reviewer, "2146000001_info")
    record = reviewer.get(f"/teachers/{teacher_id}").get_data(as_text=True)
    assert "第一行：进本校年月有误<br>第二行：&lt;b&gt;请核对&lt;/b&gt;" in record       # the reason banner
    assert "<b>请核对</b>" not in record
    # the review history of the next round shows the same lines
    assert service.save_basic(teacher_user, db.session.get(Teacher, teacher_id), complete_basic(teacher_user),
                              submit=True).ok
    page = reviewer.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "第一行：进本校年月有误<br>第二行：&lt;b&gt;请核对&lt;/b&gt;" in page


def test_the_teacher_is_told_of_a_return_in_the_notification_centre(province):
    from models import Notification
    teacher_user, teacher_id = _submitted("通知测试", seq=38)
    reason = "请核对参加工作年月"
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", reason).ok
    told = db.session.scalars(select(Notification).where(Notification.kind == "record_returned")).all()
    assert [(n.recipient_user_id, n.link) for n in told] == [(teacher_user.id, "/me")]
    assert told[0].title.startswith("学校审核退回") and reason in told[0].body and "海口市秀英区东山中心小学" in told[0].body

    # the teacher sees it under 通知 (unread badge) and it leads to her record
    teacher_user.must_change_password = False
    teacher_user.set_password(PASSWORD)
    db.session.commit()
    client = province.test_client()
    home = login(client, teacher_user.username).get_data(as_text=True)
    assert 'aria-label="未读通知">1<' in home
    listing = client.get("/notifications").get_data(as_text=True)
    assert "学校审核退回" in listing and reason in listing

    # approvals tell no one; a second round's return is a new notification
    assert service.save_basic(teacher_user, db.session.get(Teacher, teacher_id), complete_basic(teacher_user),
                              submit=True).ok
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "approve").ok
    assert review.decide(user("460105_info"), open_task(teacher_id).id, "return", "学历信息与档案不符\n请核对<学位>").ok
    told = db.session.scalars(select(Notification).where(Notification.kind == "record_returned")
                              .order_by(Notification.id)).all()
    assert len(told) == 2 and told[1].title.startswith("主管部门审核退回") and "学历信息与档案不符" in told[1].body
    # the list keeps the reason's lines, as text
    assert "学历信息与档案不符<br>请核对&lt;学位&gt;" in client.get("/notifications").get_data(as_text=True)


def test_set_rows_changed_since_the_return_are_marked(province):
    from records import items
    from tests.journey_helpers import STUDY_ROW
    teacher_user, teacher_id = _submitted("信息集测试", seq=40)
    (first,) = items.items_of(teacher_id, "study")
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", "请补充学习经历").ok
    teacher = db.session.get(Teacher, teacher_id)
    # the teacher changes the graduation month of the kept row and adds a second row (a master's degree)
    assert items.save_item(teacher_user, teacher, "study", dict(STUDY_ROW, graduate_month="2010-06"), first.id).ok
    second = dict(STUDY_ROW, education="14", enrol_month="2011-09", graduate_month="2014-07", degree_level="3",
                  degree="305")
    outcome = items.save_item(teacher_user, teacher, "study", second)
    assert outcome.ok, outcome
    assert service.save_basic(teacher_user, teacher, complete_basic(teacher_user), submit=True).ok

    client = province.test_client()
    login(client, "2146000001_info")
    page = client.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    banner = page[page.index('id="since-return"'):]
    banner = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", banner[:banner.index("</p>")]))
    assert "退回后基本信息没有修改" in banner and "信息集：学习经历 新增 1 条、修改 1 条" in banner, banner
    assert 'class="since-return has-changes"' in page and 'href="#set-study"' in page
    card = page[page.index('id="set-study"'):]
    card = card[:card.index("</details>")]
    marked = re.findall(r'<tr class="changed">.*?</tr>', card, re.S)
    assert len(marked) == 2 and sum("新增" in r for r in marked) == 1 and sum("已修改" in r for r in marked) == 1
    assert card.count("<tr") - card.count("<tr class=\"changed\">") == 1   # the header row only
    # the edited row shows the old value of the one cell that changed, and only there
    edited = next(r for r in marked if "已修改" in r)
    assert edited.count('class="was"') == 1 and re.search(r"2010-06\s*<br><span class=\"was\">退回时：<del>2010-07</del>", edited)

    # a row deleted after a second return is counted as deleted
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", "第二条学历有误").ok
    added = next(i for i in items.items_of(teacher_id, "study") if i.id != first.id)
    assert items.delete_item(teacher_user, db.session.get(Teacher, teacher_id), "study", added.id).ok
    assert service.save_basic(teacher_user, db.session.get(Teacher, teacher_id), complete_basic(teacher_user),
                              submit=True).ok
    page = client.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "学习经历</a> 删除 1 条" in page and '<tr class="changed">' not in page
    # the deleted row is still on the card, struck through
    card = page[page.index('id="set-study"'):]
    card = card[:card.index("</details>")]
    (gone,) = re.findall(r'<tr class="removed">.*?</tr>', card, re.S)
    assert "已删除" in gone and "<del>2011-09</del>" in gone

    # deleting a row and entering it again with the same content is no change
    assert review.decide(user("2146000001_info"), open_task(teacher_id).id, "return", "请再核对").ok
    (row,) = items.items_of(teacher_id, "study")
    same = dict(row.values)
    assert items.delete_item(teacher_user, db.session.get(Teacher, teacher_id), "study", row.id).ok
    assert items.save_item(teacher_user, db.session.get(Teacher, teacher_id), "study", same).ok
    assert service.save_basic(teacher_user, db.session.get(Teacher, teacher_id), complete_basic(teacher_user),
                              submit=True).ok
    page = client.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "退回后基本信息没有修改" in page and "信息集：" not in page and 'class="since-return has-changes"' not in page
    assert '<tr class="changed">' not in page and '<tr class="removed">' not in page


def test_a_handled_task_says_who_handled_it_and_only_to_its_record_viewers(province):
    _, teacher_id = _submitted("已办测试", seq=46)
    task = open_task(teacher_id)
    task_id, task_uuid = task.id, task.task_uuid
    reviewer = user("2146000001_info").display_name
    client = province.test_client()
    login(client, "2146000001_info")
    client.post(f"/tasks/{task_id}/decide", data={"decision": "return", "reason": "第一行\n第二行",
                                                  "task_uuid": task_uuid})
    again = client.get(f"/tasks/{task_id}")          # a reload or the Back button after deciding
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and 'id="handled"' in page and 'id="decision"' not in page
    assert f"该任务已由 {reviewer} 于" in page
    assert "第一行<br>第二行" in page and f'href="/teachers/{teacher_id}"' in page
    # another school's user learns nothing: the same 404 as for a task that never existed
    other = province.test_client()
    login(other, "2146000002_info")
    assert other.get(f"/tasks/{task_id}").status_code == 404
    assert other.get("/tasks/999999").status_code == 404
    # the county above sees it (its scope holds the record)
    county = province.test_client()
    login(county, "460105_info")
    assert 'id="handled"' in county.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_a_remark_typed_when_approving_is_kept_and_shown(province):
    """The box is for a return's reason, but a reviewer who types in it and then approves does not lose the
    text: the history on the next task page, the record page and the handled page all show it."""
    _, teacher_id = _submitted("通过意见测试", seq=47)
    task = open_task(teacher_id)
    task_id = task.id
    client = province.test_client()
    login(client, "2146000001_info")
    resp = client.post(f"/tasks/{task_id}/decide", data={"decision": "approve", "reason": "请下次附上\n教师资格证",
                                                         "task_uuid": task.task_uuid})
    assert resp.status_code == 302
    assert "通过，意见：请下次附上<br>教师资格证" in client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "通过，意见：请下次附上<br>教师资格证" in client.get(f"/teachers/{teacher_id}").get_data(as_text=True)
    county = province.test_client()
    login(county, "460105_info")
    page = county.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "学校审核 · 通过，意见：请下次附上<br>教师资格证" in re.sub(r"\s+", " ", page)
    county.get("/lang/en")
    english = county.get(f"/tasks/{open_task(teacher_id).id}").get_data(as_text=True)
    assert "Approved, remark: 请下次附上<br>教师资格证" in english

"""Training credits (学时学分): the yearly requirement per school type, hours from reviewed 国内培训 rows,
the platform import (xlsx and CSV, all or nothing, never twice), hand entry by the school, progress for
teachers and units, and the autumn reminder fired by the diagram's timer through the scheduler."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import func, select

import workflows
from models import AuditEntry, Notification, ProcessInstance, Teacher, User, db
from models.mobility import CreditEntry
from records import additions, credits, facts, review
from scheduler.tick import run_tick
from tests.journey_helpers import login, open_task, org, user
from tests.test_stats import effective

CHINA = dt.timezone(dt.timedelta(hours=8))
TRAINING = {"year": "2026", "training_type": "2", "name": "省培计划", "way": "1", "hours": "40"}


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHINA)


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["身份证件号", "姓名", "年度", "项目名称", "学时", "学分", "记录编号"]


def test_requirements_per_school_type(province):
    assert credits.requirement_for("21") == 72
    refused = credits.save_requirements(user("460105_info"), {"*": "60"})
    assert not refused.ok and "省级" in refused.message
    bad = credits.save_requirements(user("460000_info"), {"*": "", "11": "abc"})
    assert set(bad.problems) == {"*", "11"}
    with workflows.frozen_clock(at("2026-03-01T09:00")):
        ok = credits.save_requirements(user("460000_info"), {"*": "72", "11": "48", "36": "90"})
    assert ok.ok and "秋季" in ok.message
    assert credits.requirement_for("11") == 48 and credits.requirement_for("21") == 72
    assert credits.requirement_for("36") == 90
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)
                             .where(ProcessInstance.process_key == "training_credits")) == 1
    # saving again does not start a second reminder flow
    assert credits.save_requirements(user("460000_info"), {"*": "72", "11": ""}).ok
    assert credits.requirement_for("11") == 72
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)
                             .where(ProcessInstance.process_key == "training_credits")) == 1


def test_reviewed_training_rows_add_hours(province):
    t = effective("2146000001", "460105", "培训甲", 10)
    u = db.session.scalars(select(User).where(User.teacher_id == t.id)).one()
    assert additions.propose(u, t, "training", TRAINING).ok
    facts.refresh()
    assert credits.hours_of(t.id, 2026) == 0                         # not reviewed yet
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
    assert credits.hours_of(t.id, 2026) == 40                        # at once, not at the next facts refresh
    facts.refresh()
    assert credits.hours_of(t.id, 2026) == 40                        # and the refresh does not count it twice
    entry = db.session.scalars(select(CreditEntry).where(CreditEntry.teacher_id == t.id)).one()
    assert entry.source == "training" and entry.project == "省培计划"
    facts.rebuild()
    assert credits.hours_of(t.id, 2026) == 40


def test_platform_import_all_or_nothing_and_never_twice(province):
    a = effective("2146000001", "460105", "平台甲", 10)
    b = effective("2146000002", "460105", "平台乙", 12)
    other = effective("2146000004", "460106", "外区丙", 14)
    good = xlsx([HEADER, [a.id_number, a.name, 2026, "网络研修", 30, 2, "P-1"],
                 [b.id_number, b.name, "2026", "校本研修", "12.5", "", ""]])
    bad = xlsx([HEADER, [a.id_number, "别人", 2026, "网络研修", 30, 2, "P-1"],
                [other.id_number, other.name, 2026, "x", 10, "", ""],
                [b.id_number, b.name, 1999, "", -3, "", ""],
                [a.id_number[:17] + ("0" if a.id_number[17] != "0" else "1"), a.name, 2026, "网络研修", 8, "", ""]])
    out = credits.import_platform(user("460105_info"), bad, "bad.xlsx")
    assert not out.ok and "未导入任何学时" in out.message
    text = "\n".join(out.problems)
    assert "第2行：【姓名】" in text and "第3行：【身份证件号】" in text and "不是本单位及下级单位的教师" in text
    assert "第4行：【年度】" in text and "第4行：【项目名称】" in text and "第4行：【学时】" in text
    assert "第5行：【身份证件号】" in text and "校验位错误" in text   # a mistyped number, not "not ours"
    assert db.session.scalar(select(func.count()).select_from(CreditEntry)) == 0
    out = credits.import_platform(user("460105_info"), good, "platform.xlsx")
    assert out.ok and out.created == 2, out.problems
    again = credits.import_platform(user("460105_info"), good, "platform.xlsx")
    assert again.ok and again.created == 0 and again.skipped == 2 and "已跳过" in again.message
    assert credits.hours_of(a.id, 2026) == 30 and credits.hours_of(b.id, 2026) == 12.5
    # the same export as CSV in GB18030 (what Excel in a Chinese locale writes)
    csv_text = ",".join(HEADER) + "\n" + f"{a.id_number},{a.name},2026,线下集中培训,8,,C-9\n"
    out = credits.import_platform(user("2146000001_info"), csv_text.encode("gb18030"), "export.csv")
    assert out.ok and out.created == 1 and credits.hours_of(a.id, 2026) == 38
    # a school cannot import for another school
    out = credits.import_platform(user("2146000001_info"), good, "platform.xlsx")
    assert not out.ok and "第3行" in "\n".join(out.problems)
    missing = credits.import_platform(user("460105_info"), xlsx([["姓名", "年度", "学时"], ["x", 2026, 1]]), "m.xlsx")
    assert not missing.ok and "缺少列" in missing.problems[0]
    junk = credits.import_platform(user("460105_info"), b"\x00\x01garbage", "x.xlsx")
    assert not junk.ok and junk.problems
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "credits_imported")) == 3


def test_hand_entry_and_progress_pages(province):
    a = effective("2146000001", "460105", "进度甲", 10)
    effective("2146000001", "460105", "进度乙", 12)
    client = province.test_client()
    login(client, "2146000001_info")
    with workflows.frozen_clock(at("2026-06-01T09:00")):
        bad = client.post(f"/teachers/{a.id}/credits/new", data={"year": "2026", "project": "", "hours": "0"})
        assert bad.status_code == 400 and "【项目名称】" in bad.get_data(as_text=True)
        ok = client.post(f"/teachers/{a.id}/credits/new", data={"year": "2026", "project": "校本培训", "hours": "80"})
    assert ok.status_code == 302
    other = province.test_client()
    login(other, "460105_info")
    assert other.post(f"/teachers/{a.id}/credits/new", data={"year": "2026", "project": "x", "hours": "1"}).status_code == 403
    with workflows.frozen_clock(at("2026-06-01T09:00")):
        people = credits.teachers_progress(org("2146000001"), 2026)
        assert [p.name for p in people] == ["进度乙", "进度甲"] and people[0].behind and not people[1].behind
        units = credits.units_progress(org("460105"), 2026)
        assert units[0].org.code == "2146000001" and units[0].teachers == 2 and units[0].met == 1
        page = client.get("/credits?year=2026").get_data(as_text=True)
        assert "未达标" in page and "已达标" in page and a.id_number in page
        query = province.test_client()
        login(query, "460105_query")
        page = query.get("/credits?year=2026").get_data(as_text=True)
        assert "海口市秀英区东山中心小学" in page and "50.0%" in page
        page = query.get("/credits?year=2026&org=2146000001").get_data(as_text=True)
        assert "进度甲" in page and a.id_number not in page
        assert query.get("/credits?org=2146000004").status_code == 404
        teacher = province.test_client()
        login(teacher, a.id_number, "Js" + a.id_number[-6:])
        db.session.get(User, db.session.scalars(select(User.id).where(User.teacher_id == a.id)).one()).must_change_password = False
        db.session.commit()
        page = teacher.get("/credits/me?year=2026").get_data(as_text=True)
        assert 'id="earned">80<' in page and "校本培训" in page and "已达标" in page
        # the list is the chosen year's: another year shows none of 2026's rows
        page = teacher.get("/credits/me?year=2025").get_data(as_text=True)
        assert 'id="earned">0<' in page and "校本培训" not in page and "2025 年度还没有学时记录" in page


def test_autumn_reminder_from_the_diagram_timer(province):
    behind = effective("2146000001", "460105", "未达标", 10)
    done = effective("2146000001", "460105", "已达标", 12)
    with workflows.frozen_clock(at("2026-03-01T09:00")):
        assert credits.save_requirements(user("460000_info"), {"*": "72"}).ok
        assert credits.add_manual(user("2146000001_info"), done, {"year": "2026", "project": "x", "hours": "72"}).ok
    instance = db.session.scalars(select(ProcessInstance).where(ProcessInstance.process_key == "training_credits")).one()
    assert instance.next_due_at == at("2026-09-15T00:00")
    run_tick(at("2026-09-14T23:00"))
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind.like("credits_behind%"))) == 0
    lines = run_tick(at("2026-09-15T00:10")).lines
    assert any("秋季提醒日" in line for line in lines), lines
    notes = db.session.scalars(select(Notification).where(Notification.kind.like("credits_behind%"))).all()
    recipients = {n.recipient_user_id for n in notes}
    behind_user = db.session.scalars(select(User.id).where(User.teacher_id == behind.id)).one()
    done_user = db.session.scalars(select(User.id).where(User.teacher_id == done.id)).one()
    assert behind_user in recipients and done_user not in recipients
    assert user("2146000001_info").id in recipients
    school_note = next(n for n in notes if n.kind == "credits_behind_school")
    assert "1 名教师" in school_note.title
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.status == "running" and instance.next_due_at == at("2027-09-15T00:00")
    run_tick(at("2026-09-16T00:10"))
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind.like("credits_behind%"))) == len(notes)


def test_command_line(province):
    runner = province.test_cli_runner()
    first = runner.invoke(args=["credits", "schedule"])
    assert first.exit_code == 0 and "已安排" in first.output, first.output
    assert "已在运行" in runner.invoke(args=["credits", "schedule"]).output
    effective("2146000001", "460105", "命令行", 10)
    assert "1 名" in runner.invoke(args=["stats", "refresh"]).output
    assert "1 名" in runner.invoke(args=["stats", "rebuild"]).output


def test_a_mistyped_hand_entry_is_deleted_and_entered_again(province):
    """The school deletes its own hand-entered row (audited with what it held) and enters it again; a platform or
    API row may be deleted too (a mistaken push has no other way back), a row of the reviewed record not; no other
    unit can delete, and an entry id of another teacher is refused."""
    a = effective("2146000001", "460105", "更正甲", 10)
    b = effective("2146000001", "460105", "更正乙", 12)
    admin = user("2146000001_info")
    with workflows.frozen_clock(at("2026-06-01T09:00")):
        assert credits.add_manual(admin, a, {"year": "2026", "project": "校本培训", "hours": "800"}).ok is False
        assert credits.add_manual(admin, a, {"year": "2026", "project": "校本培训", "hours": "80"}).ok  # meant 8
        assert credits.import_platform(admin, xlsx([HEADER, [a.id_number, a.name, 2026, "网络研修", 30, "", "P-7"]]),
                                       "p.xlsx").ok
    manual = db.session.scalars(select(CreditEntry).where(CreditEntry.teacher_id == a.id,
                                                          CreditEntry.source == "manual")).one()
    platform = db.session.scalars(select(CreditEntry).where(CreditEntry.teacher_id == a.id,
                                                            CreditEntry.source != "manual")).one()
    manual_id, platform_id = manual.id, platform.id

    client = province.test_client()
    login(client, "2146000001_info")
    page = client.get(f"/teachers/{a.id}/credits?year=2026").get_data(as_text=True)
    assert f'/teachers/{a.id}/credits/{manual_id}/delete' in page          # the hand entry has its button
    assert f'/credits/{platform_id}/delete' in page and "再次推送或导入同一条时会重新记入" in page
    # the county above sees the rows but deletes nothing (the school answers for its entries)
    county = province.test_client()
    login(county, "460105_info")
    assert "/delete" not in county.get(f"/teachers/{a.id}/credits?year=2026").get_data(as_text=True)
    assert county.post(f"/teachers/{a.id}/credits/{manual_id}/delete").status_code == 403
    # another school cannot even see the teacher
    other = province.test_client()
    login(other, "2146000002_info")
    assert other.post(f"/teachers/{a.id}/credits/{manual_id}/delete").status_code == 404
    # an entry of another teacher through this teacher's address: refused, nothing deleted
    refused = client.post(f"/teachers/{b.id}/credits/{manual_id}/delete", follow_redirects=True)
    assert "找不到这条学时记录" in refused.get_data(as_text=True)
    assert credits.hours_of(a.id, 2026) == 110

    done = client.post(f"/teachers/{a.id}/credits/{manual_id}/delete", follow_redirects=True)
    assert "已删除更正甲 2026 年度的学时“校本培训”（80 学时）" in done.get_data(as_text=True)
    assert credits.hours_of(a.id, 2026) == 30 and db.session.get(CreditEntry, manual_id) is None
    row = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "credit_removed")).one()
    assert row.before["hours"] == 80 and row.before["project"] == "校本培训" and row.user_id == admin.id
    again = client.post(f"/teachers/{a.id}/credits/{manual_id}/delete", follow_redirects=True)  # a second click
    assert "找不到这条学时记录" in again.get_data(as_text=True)
    with workflows.frozen_clock(at("2026-06-01T09:00")):
        assert client.post(f"/teachers/{a.id}/credits/new",
                           data={"year": "2026", "project": "校本培训", "hours": "8"}).status_code == 302
    assert credits.hours_of(a.id, 2026) == 38


def test_a_hand_entry_saved_twice_counts_once_and_a_long_name_is_refused_not_cut(province):
    a = effective("2146000001", "460105", "双击甲", 10)
    client = province.test_client()
    login(client, "2146000001_info")
    form = {"year": "2026", "project": "双击测试", "hours": "6"}
    with workflows.frozen_clock(at("2026-06-01T09:00")):
        assert client.post(f"/teachers/{a.id}/credits/new", data=form).status_code == 302
        again = client.post(f"/teachers/{a.id}/credits/new", data=form)
        assert again.status_code == 400 and "已有同一年度、同一项目、同样学时的一条记录" in again.get_data(as_text=True)
        assert credits.hours_of(a.id, 2026) == 6
        # the same project with other hours is another training session: it counts
        assert client.post(f"/teachers/{a.id}/credits/new", data={**form, "hours": "4"}).status_code == 302
        long = client.post(f"/teachers/{a.id}/credits/new", data={**form, "project": "长" * 300})
        assert long.status_code == 400 and "不能超过 200 字（现为 300 字）" in long.get_data(as_text=True)
    assert credits.hours_of(a.id, 2026) == 10

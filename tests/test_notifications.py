"""Notifications: one per recipient and event (idempotency key), e-mail through a real local SMTP
server (aiosmtpd), the submitted report's xlsx attachment, the daily digest, the centre's pages."""
from __future__ import annotations

import email
import email.policy
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook
from sqlalchemy import func, select

import workflows
from models import MonthlyReport, Notification, NotificationContact, ReportSetting, UnitManager, db
from notifications import notify, send_outbox, unread_count
from notifications.mail import SmtpSettings
from reports import submit_report
from scheduler.tick import run_tick
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from tests.test_scheduler import at, review_instances


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(engine_app):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    engine_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none",
                             SMTP_SENDER="教师管理信息系统 <noreply@teachers.example.org>")
    yield inbox
    controller.stop()
    for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_SENDER"):
        engine_app.config.pop(key, None)


def rows(**filters):
    db.session.rollback()
    return list(db.session.scalars(select(Notification).filter_by(**filters).order_by(Notification.id)))


def test_one_notification_per_recipient_and_event(world):
    w = world
    manager = UnitManager(org_id=w.school.id, name="校长", email="head@example.org")
    db.session.add(manager)
    db.session.commit()
    for _ in range(3):
        workflows.run_in_transaction(notify, key="event:1", kind="test", title="提醒", org_id=w.school.id,
                                     users=[w.school_admin, w.school_admin2], managers=[manager],
                                     emails=["office@example.org"])
    assert len(rows()) == 4
    assert unread_count(w.school_admin) == 1
    assert {r.idempotency_key for r in rows()} == {"event:1|u%d" % w.school_admin.id, "event:1|u%d" % w.school_admin2.id,
                                                   "event:1|m%d" % manager.id, "event:1|eoffice@example.org"}


def test_email_arrives_once_at_the_smtp_server(world, smtp):
    w = world
    db.session.add(NotificationContact(user_id=w.school_admin.id, email="zhangsan@example.org"))
    db.session.commit()
    workflows.run_in_transaction(notify, key="event:2", kind="test", title="【即将到期】学校审核", body="请及时办理。",
                                 users=[w.school_admin], link="/tasks/1")
    lines = send_outbox(at("2026-12-20T09:00"))
    assert lines == ["邮件已发送：zhangsan@example.org《【即将到期】学校审核》"]
    assert len(smtp.messages) == 1
    to, msg = smtp.messages[0]
    assert to == ["zhangsan@example.org"] and msg["Subject"] == "【即将到期】学校审核"
    assert "请及时办理" in msg.get_payload(decode=True).decode() and msg["Message-ID"]
    [row] = rows()
    assert row.email_status == "sent" and row.emailed_at is not None and row.email_attempts == 1
    assert send_outbox(at("2026-12-20T09:05")) == [] and len(smtp.messages) == 1  # never twice


def test_submitted_report_reaches_the_level_above_as_xlsx(world, smtp):
    w = world
    workflows.deploy_shipped()
    db.session.add(ReportSetting(org_id=w.city.id, inbox_email="reports@haikou.example.org"))
    db.session.commit()
    run_tick(at("2026-12-01T09:00"))
    district = db.session.scalars(select(MonthlyReport).where(MonthlyReport.org_id == w.district.id)).one()
    with workflows.frozen_clock(at("2026-12-20T10:00")):
        submit_report(w.district_admin, district, "数据已核对")
    lines = run_tick(at("2026-12-20T10:01")).lines
    assert any("reports@haikou.example.org" in line and ".xlsx" in line for line in lines), lines
    [(to, msg)] = smtp.messages
    assert to == ["reports@haikou.example.org"] and "秀英区教育局2026年12月月报已报送" == msg["Subject"]
    [attachment] = [p for p in msg.walk() if p.get_filename()]
    assert attachment.get_filename().endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(attachment.get_payload(decode=True))).active
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["单位", "单位代码", "学校数", "已报送学校数"] and "完成率" in header
    values = dict(zip(header, [c.value for c in sheet[4]]))
    assert values["单位"] == "秀英区教育局" and values["应采集教师数"] == 1 and values["备注"] == "数据已核对"


def test_daily_digest_instead_of_single_mails(world, smtp):
    w = world
    workflows.deploy_shipped()
    db.session.add(NotificationContact(user_id=w.school_admin.id, email="zhangsan@example.org", daily_digest=True))
    db.session.commit()
    review_instances(w, 3, at("2026-12-01T10:00"))
    run_tick(at("2026-12-20T07:00"))  # reminders and escalations fire before the digest hour: held
    assert smtp.messages == []
    assert len(rows(recipient_user_id=w.school_admin.id, email_status="digest")) == 6
    lines = run_tick(at("2026-12-20T08:30")).lines
    assert any("每日摘要：zhangsan@example.org（6 条）" in line for line in lines), lines
    [(to, msg)] = smtp.messages
    assert to == ["zhangsan@example.org"] and "共 6 条" in msg["Subject"]
    assert run_tick(at("2026-12-20T18:00")).lines == [] and len(smtp.messages) == 1  # once a day
    assert len(rows(email_status="digested")) == 6


def test_unreachable_smtp_server_retries_then_gives_up(world, engine_app):
    w = world
    workflows.run_in_transaction(notify, key="event:3", kind="test", title="提醒", emails=["x@example.org"])
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    for attempt in range(3):
        lines = send_outbox(at("2026-12-20T09:00"), settings)
        assert lines and "无法连接邮件服务器" in lines[0]
    [row] = rows()
    assert row.email_status == "failed" and row.email_attempts == 3
    assert send_outbox(at("2026-12-20T09:00"), settings) == []


def test_notification_centre_pages(world, engine_app):
    w = world
    w.school_admin.set_password("Pass1234")
    db.session.commit()
    workflows.run_in_transaction(notify, key="event:4", kind="test", title="【已逾期】学校审核：李老师", body="请尽快办理",
                                 users=[w.school_admin], link="/inbox")
    client = engine_app.test_client()
    client.post("/login", data={"username": "school_admin", "password": "Pass1234"})
    page = client.get("/notifications").get_data(as_text=True)
    assert "【已逾期】学校审核：李老师" in page and 'class="badge"' in page
    notification_id = rows()[0].id
    response = client.get(f"/notifications/{notification_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert unread_count(w.school_admin) == 0
    assert client.get(f"/notifications/{notification_id + 999}").status_code == 404
    saved = client.post("/notifications/settings", data={"email": "zhangsan@example.org", "daily_digest": "1"},
                        follow_redirects=True)
    assert "已保存通知设置" in saved.get_data(as_text=True)
    db.session.rollback()
    contact = db.session.get(NotificationContact, w.school_admin.id)
    assert (contact.email, contact.daily_digest) == ("zhangsan@example.org", True)
    bad = client.post("/notifications/settings", data={"email": "not-an-address"}, follow_redirects=True)
    assert "不是有效的电子邮箱地址" in bad.get_data(as_text=True)
    long = client.post("/notifications/settings", data={"email": "a" * 300 + "@example.org"}, follow_redirects=True)
    assert "不能超过 200 个字符" in long.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(NotificationContact, w.school_admin.id).email == "zhangsan@example.org"
    # Someone else's notification is not reachable.
    other = engine_app.test_client()
    w.district_admin.set_password("Pass1234")
    db.session.commit()
    other.post("/login", data={"username": "district_admin", "password": "Pass1234"})
    assert other.get(f"/notifications/{notification_id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1

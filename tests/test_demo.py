"""`flask demo load` (what `make run` loads) on a fresh SQLite file through the real CLI: the Hainan tree,
accounts, ~4,000 teachers driven to every state, complete records wherever a reviewer will look, and
a second run that changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app import create_app
from models import HumanTask, Notification, RecordItem, Teacher, User, db


def test_demo_load_from_nothing_then_again(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        first = app.test_cli_runner().invoke(args=["demo", "load"])
        assert first.exit_code == 0, first.output
        assert "演示数据就绪" in first.output
        states = dict(db.session.execute(select(Teacher.state, func.count()).group_by(Teacher.state)).all())
        assert set(states) == {"draft", "returned", "submitted", "school_approved", "effective"}, states
        assert sum(states.values()) > 4000
        # a reviewer never meets a record without its required 学习经历
        incomplete = db.session.scalar(select(func.count()).select_from(Teacher).where(
            Teacher.state.in_(("submitted", "school_approved", "effective")),
            ~select(RecordItem.id).where(RecordItem.teacher_id == Teacher.id,
                                         RecordItem.set_key == "study").exists()))
        assert incomplete == 0
        # the returned teachers were told
        returned = states["returned"]
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind == "record_returned")) == returned
        # the demo accounts sign in with the documented password
        client = app.test_client()
        page = client.post("/login", data={"username": "2146000001_info", "password": "Demo@2026"},
                           follow_redirects=True).get_data(as_text=True)
        assert "待办" in page
        counts = (db.session.scalar(select(func.count()).select_from(User)),
                  db.session.scalar(select(func.count()).select_from(HumanTask)))

        again = app.test_cli_runner().invoke(args=["demo", "load"])
        assert again.exit_code == 0 and "教师数据已存在，跳过导入" in again.output, again.output
        assert (db.session.scalar(select(func.count()).select_from(User)),
                db.session.scalar(select(func.count()).select_from(HumanTask))) == counts
    db.engine.dispose()

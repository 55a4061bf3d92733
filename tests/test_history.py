"""Versions and responsibility: every effective version kept, a diff between two, who entered and reviewed each value."""
from __future__ import annotations

import pytest

from models import RecordVersion, Teacher, db
from records import history, review, service
from tests.journey_helpers import PASSWORD, complete_basic, new_teacher, open_task, setup_province, user


@pytest.fixture
def province(hainan):
    setup_province(hainan)
    return hainan


def test_versions_diff_and_responsibility(province):
    u = new_teacher("2146000001", "历史", seq=10)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    # a second version, as a change request will make it, with another value
    v1 = db.session.query(RecordVersion).filter_by(teacher_id=t.id).one()
    v2 = RecordVersion(teacher_id=t.id, number=2, basic={**v1.basic, "political_status": "01"},
                       filled_by_id=user("2146000001_info").id, reviewed_by_id=user("460105_info").id)
    db.session.add(v2)
    db.session.commit()
    kept = history.versions(t.id)
    assert [v.number for v in kept] == [1, 2]
    changes = history.diff(t, kept[0], kept[1])
    assert [(c.label, c.before, c.after) for c in changes] == [("政治面貌", "群众", "中共党员")]
    duties = {d.label: d for d in history.responsibilities(t, kept)}
    assert duties["政治面貌"].version == 2 and duties["政治面貌"].entered_by == user("2146000001_info").display_name
    assert duties["民族"].version == 1 and duties["民族"].entered_by == "历史"
    assert duties["民族"].reviewed_by == user("460105_info").display_name

    client = province.test_client()
    client.post("/login", data={"username": "460105_info", "password": PASSWORD})
    page = client.get(f"/teachers/{t.id}/history?a=1&b=2").get_data(as_text=True)
    assert "中共党员" in page and "群众" in page and "第 1 版 → 第 2 版" in page
    other = province.test_client()
    other.post("/login", data={"username": "460106_info", "password": PASSWORD})
    assert other.get(f"/teachers/{t.id}/history").status_code == 404

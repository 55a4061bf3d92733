"""Versions and responsibility: every effective version kept, a diff between two, who entered and reviewed each value."""
from __future__ import annotations


from models import RecordVersion, Teacher, db
from records import history, review, service
from tests.journey_helpers import PASSWORD, complete_basic, new_teacher, open_task, user


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


def test_masked_roles_see_neither_full_id_numbers_nor_birth_dates_in_versions(province):
    """Found by the query user's browser journey: 版本与责任 showed the full birth date (with it the
    masked middle of the ID number can be rebuilt), and a diff showed both in full."""
    from tests.journey_helpers import make_id
    u = new_teacher("2146000001", "掩码", seq=12)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    v1 = db.session.query(RecordVersion).filter_by(teacher_id=t.id).one()
    old_id, old_birth = v1.basic["id_number"], v1.basic["birth_date"]
    new_id = make_id("1988-04-16", 12, True)
    # a second version, as an approved change of the ID number and birth date makes it
    db.session.add(RecordVersion(teacher_id=t.id, number=2, basic={**v1.basic, "id_number": new_id,
                                                                   "birth_date": "1988-04-16"},
                                 filled_by_id=user("2146000001_info").id, reviewed_by_id=user("460105_info").id))
    db.session.commit()
    full = (old_id, new_id, old_birth, "1988-04-16", old_birth.replace("-", ""), "19880416")
    for login in ("460105_query", "460105_sys", "460000_query"):
        client = province.test_client()
        client.post("/login", data={"username": login, "password": PASSWORD})
        for url in (f"/teachers/{t.id}/history", f"/teachers/{t.id}/history?a=1&b=2"):
            page = client.get(url).get_data(as_text=True)
            assert "版本与责任" in page, (login, url)
            assert not [value for value in full if value in page], (login, url)
            assert new_id[:4] + "*" * 10 + new_id[-4:] in page and "1988-**-**" in page
        assert old_id[:4] + "*" * 10 + old_id[-4:] in page      # the diff, masked on both sides
    client = province.test_client()
    client.post("/login", data={"username": "460105_info", "password": PASSWORD})
    page = client.get(f"/teachers/{t.id}/history?a=1&b=2").get_data(as_text=True)
    assert all(value in page for value in (old_id, new_id, old_birth, "1988-04-16"))   # not masked for them

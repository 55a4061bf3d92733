"""One person, one number: the duplicate check at the authority's approval and the personal number."""
from __future__ import annotations

from hypothesis import given, strategies as st

from models import Teacher, db
from records import review, service
from records.identity import check_character
from tests.journey_helpers import complete_basic, new_teacher, open_task, org, user


def _to_authority(name, seq, school="2146000001"):
    u = new_teacher(school, name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user(f"{school}_info"), open_task(t.id).id, "approve").ok
    return t


def test_first_effect_gives_a_stable_personal_number(province):
    t1 = _to_authority("甲", 10)
    t2 = _to_authority("乙", 12)
    for t in (t1, t2):
        assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    n1, n2 = db.session.get(Teacher, t1.id).personal_number, db.session.get(Teacher, t2.id).personal_number
    assert n1 and n2 and n1 != n2
    assert len(n1) == 13 and n1.startswith("46") and n1[-1] == check_character(n1[:12])
    assert int(n2[6:12]) == int(n1[6:12]) + 1


def test_duplicate_found_at_approval_stops_it_and_names_the_other_school(province):
    t = _to_authority("丙", 14)
    # a legacy record of the same person under the old 15-digit number, at a 儋州 school
    legacy = Teacher(org_id=org("2146000074").id, name="丙", gender="2", birth_date=t.birth_date, id_type="1",
                     id_number=t.id_number[:6] + t.id_number[8:17], state="effective", basic={})
    db.session.add(legacy)
    db.session.commit()
    out = review.decide(user("460105_info"), open_task(t.id).id, "approve")
    assert not out.ok and "儋州市城西中心小学" in out.message and "查重" in out.message
    t = db.session.get(Teacher, t.id)
    assert t.state == "school_approved" and t.personal_number is None
    assert open_task(t.id).task_key == "authority_review"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_check_character_detects_any_single_digit_change(body):
    c = check_character(body)
    for i in range(12):
        changed = body[:i] + str((int(body[i]) + 1) % 10) + body[i + 1:]
        assert check_character(changed) != c

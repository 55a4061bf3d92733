"""Export then import gives identical records, through the database: a county exports the effective
records of its subtree (basic set and repeatable sets, national template per set and school type),
a fresh province database imports those files, and every teacher's values and rows are the same."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import RecordItem, Teacher, User, db
from records import items, review, service
from tests.conftest import make_app
from tests.journey_helpers import complete_basic, new_teacher, open_task, setup_province, user

exchange = pytest.importorskip("records.exchange")

SETS = ("study", "work", "training", "contact")


def _effective_teachers():
    made = []
    for i, (name, extra) in enumerate([("林晓", {}), ("王小二", {"former_name": "-王二", "remarks": "@备注 -1"}),
                                       ("符 海燕", {"on_payroll": "0", "employment_form": "1"})]):
        u = new_teacher("2146000001", name, seq=10 + 2 * i, birth=f"198{i}-0{i + 3}-15")
        t = db.session.get(Teacher, u.teacher_id)
        values = complete_basic(u) | extra
        assert items.save_item(u, t, "work", {"unit": "=海口市第一中学", "start": "2008-09", "end": "2012-08"}).ok
        assert items.save_item(u, t, "work", {"unit": "东山中心小学", "start": "2012-09"}).ok
        assert items.save_item(u, t, "training", {"year": "2024", "training_type": "2", "name": f"省培计划{i}",
                                                  "way": "1", "hours": "40"}).ok
        assert items.save_item(u, t, "contact", {"mobile": f"1380013800{i}", "email": f"t{i}@example.com"}).ok
        assert service.save_basic(u, t, values, submit=True).ok
        assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
        assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
        made.append(t.id)
    return made


def _snapshot(teacher_ids=None):
    out = {}
    q = select(Teacher) if teacher_ids is None else select(Teacher).where(Teacher.id.in_(teacher_ids))
    for t in db.session.scalars(q):
        rows = {k: [r.values for r in items.items_of(t.id, k)] for k in SETS}
        out[t.id_number] = {"basic": dict(t.basic), "name": t.name, "gender": t.gender, "birth_date": t.birth_date,
                            "sets": rows, "school": t.org.code}
    return out


def test_effective_records_round_trip_through_export_and_import(hainan, tmp_path):
    setup_province(hainan)
    ids = _effective_teachers()
    expected = _snapshot(ids)
    county = user("460105_info")
    files = {key: exchange.export_xlsx(county.org, key, "21", masked=False) for key in ("basic", *SETS)}

    # a fresh province database
    other = make_app(f"sqlite:///{tmp_path / 'other.db'}")
    with other.app_context():
        setup_province(other)
        importer = db.session.scalars(select(User).where(User.username == "460105_info")).one()
        out = service.import_basic_sheet(importer, files["basic"], "basic.xlsx")
        assert out.ok, [str(p) for p in out.problems][:5]
        for key in SETS:
            out = items.import_set_sheet(importer, files[key], f"{key}.xlsx", key, "21")
            assert out.ok, (key, [str(p) for p in out.problems][:5])
        got = _snapshot()
        db.session.remove()
    assert got == expected
    assert {v["basic"]["name"] for v in got.values()} == {"林晓", "王小二", "符海燕"}
    # a name cannot hold = ( ) any more; a hyphen may lead one, which Excel would read as a formula
    assert any(v["basic"].get("former_name") == "-王二" for v in got.values())
    assert any(r["unit"] == "=海口市第一中学" for v in got.values() for r in v["sets"]["work"])
    assert sorted(r["name"] for v in got.values() for r in v["sets"]["training"]) == ["省培计划0", "省培计划1", "省培计划2"]

"""Statistics, progress dashboard and search of a subtree: counts of effective records by unit and every
dimension (kept right as records change, move and leave, equal to a rebuild and to a plain GROUP BY, on
SQLite and PostgreSQL), ECharts data and xlsx; the dashboard with laggards first and 督促 once a day;
search by name, ID number, school, state and any indicator field; a county's query user never sees
another county's data, and ID numbers stay masked for masked roles in every output."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import AuditEntry, Notification, Org, Teacher, db
from models.mobility import TeacherFact, UnitCount, UnitUrge
from records import changes, facts, progress, review, search, service, statistics, transfers
from tests.journey_helpers import complete_basic, login, new_teacher, open_task, org, setup_province, user


@pytest.fixture
def any_province(any_db_app):
    setup_province(any_db_app)
    return any_db_app


def effective(school, county, name, seq, female=True, **basic):
    u = new_teacher(school, name, seq=seq, female=female)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, {**complete_basic(u), **basic}, submit=True).ok
    assert review.decide(user(f"{school}_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user(f"{county}_info"), open_task(t.id).id, "approve").ok
    return db.session.get(Teacher, t.id)


def world():
    """秀英区: three effective (two women, one man; one 黎族; one not on payroll) and one draft; 龙华区: one."""
    a = effective("2146000001", "460105", "甲老师", 10)
    b = effective("2146000001", "460105", "乙老师", 12, female=False, ethnicity="19")
    c = effective("2146000002", "460105", "丙老师", 14, on_payroll="0", employment_form="2")
    new_teacher("2146000003", "丁草稿", seq=16)
    d = effective("2146000004", "460106", "戊老师", 18)
    return a, b, c, d


def counts(org_code):
    return facts.unit_counts(org(org_code).id)


def plain_group_by(org_code, dim):
    """The floor: a bare GROUP BY over the facts of the unit's subtree."""
    unit = org(org_code)
    column = TeacherFact.__table__.c["birth_date" if dim == "birth" else dim]
    key = func.substr(column, 1, 7) if dim == "birth" else column
    rows = db.session.execute(select(key, func.count()).select_from(TeacherFact).join(Org, Org.id == TeacherFact.org_id)
                              .where(Org.path.like(unit.path + "%")).group_by(key)).all()
    return {k: n for k, n in rows}


def test_counts_follow_the_records_and_equal_a_rebuild(any_province):
    a, b, c, d = world()
    facts.refresh()
    county = counts("460105")
    assert county["total"][""] == 3
    assert county["gender"] == {"2": 2, "1": 1}
    assert county["ethnicity"] == {"01": 2, "19": 1}
    assert county["staff_type"] == {"payroll": 2, "dispatch": 1}
    assert county["education"] == {"bachelor": 3}
    assert counts("2146000001")["total"][""] == 2 and counts("460000")["total"][""] == 4
    assert counts("460106")["total"][""] == 1
    for dim in facts.DIMENSION_KEYS:
        assert plain_group_by("460105", dim) == county[dim], dim
    # a change request applied: the counts move with it (refreshing again changes nothing)
    assert changes.propose(user("2146000001_info"), a, {"ethnicity": "19"}, "", None).ok
    assert review.decide(user("460105_info"), open_task(a.id).id, "approve").ok
    facts.refresh()
    facts.refresh()
    assert counts("460105")["ethnicity"] == {"01": 1, "19": 2}
    # a transfer to another county moves the record between the units' counts
    assert transfers.apply(user("2146000004_info"), b.id_number, b.name, "2026-09", "").ok
    for username, key in (("460106_info", "transfer_in_review"), ("2146000001_info", "transfer_out_confirm"),
                          ("460105_info", "transfer_out_review")):
        assert review.decide(user(username), open_task(b.id).id, "approve").ok, key
    facts.refresh()
    assert counts("460105")["total"][""] == 2 and counts("460106")["total"][""] == 2
    assert counts("2146000004")["gender"] == {"2": 1, "1": 1} and counts("460000")["total"][""] == 4
    # a school moved to another county (an org import): the counts of both counties follow
    school, target = org("2146000002"), org("460106")
    for o in db.session.scalars(select(Org).where(Org.path.like(school.path + "%"))):
        o.path = target.path + o.path[len(school.parent.path):]
    school.parent_id = target.id
    db.session.commit()
    facts.refresh()
    assert counts("460105")["total"][""] == 1 and counts("460106")["total"][""] == 3
    before = {(r.org_id, r.dim, r.value): r.n for r in db.session.scalars(select(UnitCount))}
    assert facts.rebuild() == 4
    after = {(r.org_id, r.dim, r.value): r.n for r in db.session.scalars(select(UnitCount))}
    assert after == before


def test_statistics_page_charts_and_xlsx(province):
    world()
    client = province.test_client()
    login(client, "460105_query")
    page = client.get("/stats").get_data(as_text=True)
    assert 'id="stats-total">3<' in page and "echarts.min.js" in page and "stats-data" in page
    assert "海口市秀英区东山中心小学" in page and "另有 1 条记录尚未生效" in page
    assert "龙华" not in page
    stats = statistics.subtree_statistics(org("460105"))
    assert dict(stats.table("gender").rows) == {"男": 1, "女": 2}
    assert sum(n for _, n in stats.table("age").rows) == 3 and dict(stats.table("age").rows)["35-39"] == 3
    data = statistics.chart_data(stats)
    assert data["units"]["labels"][0].startswith("海口市秀英区") and len(data["tables"]) == len(facts.DIMENSIONS)
    resp = client.get("/stats/export.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[0] == "按单位" and "性别" in wb.sheetnames and "年龄段" in wb.sheetnames
    rows = {r[0]: r[1] for r in wb["性别"].iter_rows(min_row=2, values_only=True)}
    assert rows == {"男": 1, "女": 2, "合计": 3}
    by_unit = {r[0]: r[2] for r in wb["按单位"].iter_rows(min_row=3, values_only=True)}
    assert by_unit["海口市秀英区东山中心小学"] == 2 and by_unit["合计"] == 3
    total_row = [r for r in wb["按单位"].iter_rows(min_row=3, values_only=True) if r[0] == "合计"][0]
    assert total_row[3] + total_row[4] == 3                     # 男 + 女 filled in the 合计 line too
    # drill down into a school of the subtree; never into another county
    assert 'id="stats-total">2<' in client.get("/stats?org=2146000001").get_data(as_text=True)
    assert client.get("/stats?org=460106").status_code == 404
    assert client.get("/stats/export.xlsx?org=2146000004").status_code == 404
    teacher = province.test_client()
    login(teacher, "460000_process")
    assert teacher.get("/stats").status_code in (302, 403)


def test_progress_dashboard_laggards_first_and_urge_once_a_day(province):
    world()
    rows = progress.dashboard(org("460105"))
    by_code = {r.org.code: r for r in rows}
    assert by_code["2146000001"].expected == 2 and by_code["2146000001"].effective == 2
    assert by_code["2146000003"].expected == 1 and by_code["2146000003"].effective == 0
    assert rows[0].rate == 0.0 and rows[0].expected >= 1            # laggards first
    with_teachers = [r for r in rows if r.expected]
    assert [r.rate for r in with_teachers] == sorted(r.rate for r in with_teachers)
    assert all(r.expected == 0 for r in rows[len(with_teachers):])    # nobody to collect: last, not "worst"
    client = province.test_client()
    login(client, "460105_info")
    page = client.get("/progress").get_data(as_text=True)
    assert "海口市秀英区灵山中心小学" in page and "督促" in page
    target = org("2146000003")
    resp = client.post(f"/progress/{target.id}/urge", data={"note": "本周内完成"}, follow_redirects=True)
    assert "已督促" in resp.get_data(as_text=True)
    note = db.session.scalars(select(Notification).where(Notification.kind == "progress_urge")).one()
    assert note.recipient_user_id == user("2146000003_info").id and "本周内完成" in note.body
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "progress_urged")) == 1
    again = client.post(f"/progress/{target.id}/urge", data={}, follow_redirects=True).get_data(as_text=True)
    assert "今天已督促过" in again
    assert db.session.scalar(select(func.count()).select_from(UnitUrge)) == 1
    # not a unit of mine, not my own unit, not a query user
    assert client.post(f"/progress/{org('2146000004').id}/urge").status_code == 404
    with pytest.raises(progress.UrgeRefused):
        progress.urge(user("460105_info"), org("460105"))
    with pytest.raises(progress.UrgeRefused):
        progress.urge(user("460105_query"), org("2146000002"))
    assert client.get("/progress?org=460106").status_code == 404
    sheet = client.get("/progress/export.xlsx")
    assert sheet.status_code == 200
    lines = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert lines[-1][0] == "合计" and lines[-1][2] == sum(line[2] for line in lines[1:-1])   # 应采集 adds up


def test_search_by_every_kind_of_condition(province):
    a, b, c, d = world()
    info = user("460105_info")
    find = lambda **kw: search.search(info, search.Query(**kw))  # noqa: E731
    assert [t.name for t in find(name="甲").rows] == ["甲老师"]
    assert [t.name for t in find(id_number=b.id_number).rows] == ["乙老师"]
    assert {t.name for t in find(school="2146000001").rows} == {"甲老师", "乙老师"}
    assert [t.name for t in find(state="draft").rows] == ["丁草稿"]
    assert [t.name for t in find(field="basic.ethnicity", value="黎族").rows] == ["乙老师"]
    assert [t.name for t in find(field="basic.employment_form", value="劳务派遣").rows] == ["丙老师"]
    assert len(find(field="study.major", value="汉语").rows) == 3
    assert find(field="basic.ethnicity", value="火星族").problems
    assert find(field="nope.x", value="1").problems
    assert find(name="戊").total == 0                               # another county's teacher
    assert find(name="%").total == 0 and find(name="_").total == 0   # searched for literally, not wildcards
    assert find(school="%").total == 0
    query = user("460105_query")
    refused = search.search(query, search.Query(id_number=b.id_number))
    assert refused.problems and not refused.rows
    client = province.test_client()
    login(client, "460105_query")
    page = client.get("/search?name=老师").get_data(as_text=True)
    assert "甲老师" in page and a.id_number not in page and a.id_number[:4] + "*" in page
    assert "<td>在本单位任职</td>" in page and "<td>100</td>" not in page   # 人员状态 by name (was its code)
    assert "basic.id_number" not in page                            # no searching by the masked number
    page = client.get("/search?field=basic.birth_date&value=1988").get_data(as_text=True)
    assert "甲老师" not in page
    info_client = province.test_client()
    login(info_client, "460105_info")
    assert a.id_number in info_client.get(f"/search?id_number={a.id_number}").get_data(as_text=True)
    told = info_client.get("/search?value=黎族").get_data(as_text=True)   # a value without the item it is of
    assert "请先在“信息项”中选择" in told

"""The record page with its repeatable sets, through the real Flask app: a teacher sees the sets of
their school type, adds, changes and deletes rows while the record is editable, cannot post a
school-only set, and the completeness check on submit names the missing set."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import RecordItem, Teacher, db
from tests.journey_helpers import PASSWORD, STUDY_ROW, complete_basic, new_teacher


def teacher_login(app, school="2146000001", name="页面测试", seq=10):
    u = new_teacher(school, name, seq=seq)
    u.set_password(PASSWORD)
    u.must_change_password = False
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": u.username, "password": PASSWORD})
    return client, u


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_teacher_sees_the_sets_of_their_school_type(province):
    client, u = teacher_login(province)
    html = page(client, f"/teachers/{u.teacher_id}")
    for label in ("学习经历", "工作经历", "岗位聘任", "年度考核", "教育教学", "交流轮岗", "联系方式", "学时学分",
                  "教学科研成果及获奖", "指导学生获奖"):
        assert label in html, label
    assert "添加学习经历" in html and "添加工作经历" in html
    # school-only sets are shown, but not for the teacher to enter
    assert "添加年度考核" not in html and "由学校填写" in html
    kg_client, kg = teacher_login(province, "1146000001", "幼儿园页面", seq=30)
    kg_html = page(kg_client, f"/teachers/{kg.teacher_id}")
    assert "学习经历" in kg_html and "教育教学" not in kg_html and "交流轮岗" not in kg_html


def test_add_change_and_delete_a_row(province):
    client, u = teacher_login(province)
    form = page(client, f"/teachers/{u.teacher_id}/sets/study/new")
    assert "获得学历" in form and "学位层次" in form and "请选择" in form
    post = dict(STUDY_ROW)
    resp = client.post(f"/teachers/{u.teacher_id}/sets/study/new", data=post, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已添加一条【学习经历】" in html and "海南师范大学" in html and "文学学士学位" in html
    item = db.session.scalars(select(RecordItem)).one()
    assert item.entered_by_id == u.id and item.values["degree"] == "405"
    # change it
    edit = page(client, f"/teachers/{u.teacher_id}/sets/study/{item.id}/edit")
    assert 'value="汉语言文学"' in edit
    resp = client.post(f"/teachers/{u.teacher_id}/sets/study/{item.id}/edit", data={**post, "major": "数学"},
                       follow_redirects=True)
    assert "数学" in resp.get_data(as_text=True)
    # a wrong value is shown beside its field, with what is allowed; nothing saved
    resp = client.post(f"/teachers/{u.teacher_id}/sets/study/{item.id}/edit",
                       data={**post, "graduate_month": "2005-07"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "须晚于入学年月" in html and "2005-07" in html
    db.session.expire_all()
    assert db.session.get(RecordItem, item.id).values["graduate_month"] == "2010-07"
    # multi-valued field posted as a list
    resp = client.post(f"/teachers/{u.teacher_id}/sets/post/new",
                       data={"post_category": "1", "post_level": "110", "start": "2015-09",
                             "school_duty": ["03", "05"]}, follow_redirects=True)
    assert "副校长、校长助理" in resp.get_data(as_text=True)
    # delete
    resp = client.post(f"/teachers/{u.teacher_id}/sets/study/{item.id}/delete", follow_redirects=True)
    assert "已删除" in resp.get_data(as_text=True)
    assert db.session.get(RecordItem, item.id) is None


def test_school_only_set_posted_by_a_teacher_is_refused(province):
    client, u = teacher_login(province)
    resp = client.post(f"/teachers/{u.teacher_id}/sets/assessment/new", data={"year": "2025", "result": "1"},
                       follow_redirects=True)
    assert resp.status_code == 200 and "由学校填写" in resp.get_data(as_text=True)
    assert db.session.scalars(select(RecordItem)).all() == []


def test_other_records_and_unknown_sets_are_not_found(province):
    client, u = teacher_login(province)
    other = new_teacher("2146000001", "别人", seq=40)
    assert client.get(f"/teachers/{other.teacher_id}/sets/study/new").status_code == 404
    assert client.get(f"/teachers/{u.teacher_id}/sets/nothing/new").status_code == 404
    assert client.get(f"/teachers/{u.teacher_id}/sets/study/999999/edit").status_code == 404
    assert client.get(f"/teachers/{u.teacher_id}/sets/basic/new").status_code == 404


def test_submit_lists_the_missing_required_set(province):
    client, u = teacher_login(province)
    values = complete_basic(u)
    db.session.execute(RecordItem.__table__.delete())
    db.session.commit()
    resp = client.post(f"/teachers/{u.teacher_id}/edit", data={**values, "action": "submit"})
    html = resp.get_data(as_text=True)
    assert "【学习经历】是必填信息集，至少填写一条" in html
    assert re.search(r'href="/teachers/\d+#set-study"', html)
    assert db.session.get(Teacher, u.teacher_id).state == "draft"
    # what was typed is kept as a draft, and the page says so (the teacher goes to add the set, then submits)
    assert "已保存为草稿，但还不能报送" in html
    db.session.expire_all()
    assert db.session.get(Teacher, u.teacher_id).basic["work_start_month"] == values["work_start_month"]
    # a value given but wrong saves nothing, and the page says that too
    wrong = client.post(f"/teachers/{u.teacher_id}/edit",
                        data={**values, "work_start_month": "2099-13", "action": "submit"}).get_data(as_text=True)
    assert "本次未保存" in wrong
    db.session.expire_all()
    assert db.session.get(Teacher, u.teacher_id).basic["work_start_month"] == values["work_start_month"]
    client.post(f"/teachers/{u.teacher_id}/sets/study/new", data=STUDY_ROW)
    resp = client.post(f"/teachers/{u.teacher_id}/edit", data={**values, "action": "submit"}, follow_redirects=True)
    assert "已报送" in resp.get_data(as_text=True)
    # under review: no add buttons, and posting is refused
    html = page(client, f"/teachers/{u.teacher_id}")
    assert "添加工作经历" not in html
    resp = client.post(f"/teachers/{u.teacher_id}/sets/work/new", data={"unit": "x", "start": "2010-01"},
                       follow_redirects=True)
    assert "审核" in resp.get_data(as_text=True)
    assert db.session.scalars(select(RecordItem).where(RecordItem.set_key == "work")).all() == []


def test_school_admin_enters_school_only_sets(province):
    _, u = teacher_login(province)
    client = province.test_client()
    client.post("/login", data={"username": "2146000001_info", "password": PASSWORD})
    html = page(client, f"/teachers/{u.teacher_id}")
    assert "添加年度考核" in html
    resp = client.post(f"/teachers/{u.teacher_id}/sets/assessment/new", data={"year": "2025", "result": "1"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已添加一条【年度考核】" in html and "海口市秀英区东山中心小学" in html   # 考核单位 defaults to the school

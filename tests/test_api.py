"""Data exchange: JSON and national-template exports of a subtree's effective records (they round-trip),
per-unit API tokens under the same scope rules (a county's token never reads another county), masking
for query users in every output, the training-hours push, and the OpenAPI document naming every route."""
from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from models import AuditEntry, RecordVersion, RecordVersionItems, Teacher, db
from models.mobility import ApiToken, CreditEntry
from records import exchange
from records.importer import parse_basic_sheet
from tests.journey_helpers import login, user
from tests.test_stats import effective, world

ID_PATTERN = re.compile(r"\d{17}[\dX]")


def token_for(username, push=False):
    row, token = exchange.create_token(user(username), f"{username} 数据交换", push)
    assert row is not None, token
    return token


def get(client, url, token):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_tokens_read_their_subtree_only(province):
    a, b, c, d = world()
    client = province.test_client()
    county = token_for("460105_info")
    resp = get(client, "/api/v1/teachers", county)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] == 3 and not body["masked"]
    assert {t["name"] for t in body["teachers"]} == {"甲老师", "乙老师", "丙老师"}
    first = body["teachers"][0]
    assert first["basic"]["ethnicity"] and first["sets"]["study"] and first["personal_number"]
    assert get(client, f"/api/v1/teachers/{d.personal_number}", county).status_code == 404
    assert get(client, f"/api/v1/teachers/{a.personal_number}", county).get_json()["id_number"] == a.id_number
    assert get(client, "/api/v1/teachers?unit=460106", county).status_code == 404
    assert get(client, "/api/v1/teachers?unit=2146000001", county).get_json()["total"] == 2
    assert get(client, "/api/v1/teachers?per_page=500", county).status_code == 400
    assert get(client, "/api/v1/teachers?updated_since=yesterday", county).status_code == 400
    units = get(client, "/api/v1/units", county).get_json()["units"]
    assert {u["code"] for u in units} >= {"460105", "2146000001"} and "460106" not in {u["code"] for u in units}
    stats = get(client, "/api/v1/statistics", county).get_json()
    assert stats["total"] == 3 and stats["tables"]["gender"]["rows"]
    # no token, a wrong one, a revoked one
    assert client.get("/api/v1/teachers").status_code == 401
    assert get(client, "/api/v1/teachers", "tr_nope").status_code == 401
    row = db.session.scalars(select(ApiToken).where(ApiToken.prefix == county[:10])).one()
    assert exchange.revoke_token(user("460105_info"), row.id) is None
    assert get(client, "/api/v1/teachers", county).status_code == 401
    assert exchange.revoke_token(user("460106_info"), row.id) is not None   # not theirs


def test_query_tokens_and_exports_are_masked_everywhere(province):
    a, b, c, d = world()
    ids = [t.id_number for t in (a, b, c, d)]
    client = province.test_client()
    masked = token_for("460105_query")
    for url in ("/api/v1/teachers", f"/api/v1/teachers/{a.personal_number}", "/api/v1/credits", "/api/v1/statistics"):
        text = get(client, url, masked).get_data(as_text=True)
        assert not any(n in text for n in ids), url
    assert "4601**********" in get(client, "/api/v1/teachers", masked).get_data(as_text=True)
    refused, message = exchange.create_token(user("460105_query"), "推送", True)
    assert refused is None and "信息管理员" in message
    assert exchange.create_token(user("460105_sys"), "x")[0] is None
    session = province.test_client()
    login(session, "460105_query")
    body = session.get("/exchange/export.json").get_data(as_text=True)
    assert not any(n in body for n in ids) and json.loads(body)["masked"] is True
    sheet = session.get("/exchange/export/basic/21.xlsx")
    assert sheet.status_code == 200
    wb = load_workbook(io.BytesIO(sheet.data))
    cells = " ".join(str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c)
    assert not any(n in cells for n in ids) and "4601**********" in cells
    assert session.get("/exchange?org=460106").status_code == 404
    assert session.get("/exchange/export.json?org=460106").status_code == 404


def test_exports_round_trip(province):
    a, b, c, d = world()
    client = province.test_client()
    login(client, "460105_info")
    data = json.loads(client.get("/exchange/export.json").get_data(as_text=True))
    assert data["format"] == exchange.FORMAT and len(data["teachers"]) == 3
    for record in data["teachers"]:
        t = db.session.scalars(select(Teacher).where(Teacher.personal_number == record["personal_number"])).one()
        version = db.session.scalars(select(RecordVersion).where(RecordVersion.teacher_id == t.id)
                                     .order_by(RecordVersion.number.desc())).first()
        items = db.session.scalars(select(RecordVersionItems).where(RecordVersionItems.teacher_id == t.id,
                                                                    RecordVersionItems.number == version.number)).one()
        assert record["basic"] == version.basic and record["sets"] == items.items
        assert record["id_number"] == t.id_number and record["school"]["code"] == t.org.code
    # the national template (basic set, 中小学) reads back through the product's own importer
    resp = client.get("/exchange/export/basic/21.xlsx")
    assert resp.status_code == 200
    parsed = parse_basic_sheet(resp.data)
    assert not parsed.problems, parsed.problems[:3]
    assert len(parsed.rows) == 3
    for row in parsed.rows:
        t = db.session.scalars(select(Teacher).where(Teacher.id_number == row.values["id_number"])).one()
        assert row.school_code == t.org.code
        stored = {k: v for k, v in (t.basic or {}).items() if v not in (None, "")}
        assert {k: v for k, v in row.values.items() if k in stored} == stored
    # a repeatable set's sheet carries each row with the teacher's identity
    study = load_workbook(io.BytesIO(client.get("/exchange/export/study/21.xlsx").data)).worksheets[0]
    rows = list(study.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0].startswith("学校标识码")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "records_exported")) == 3


def test_training_hours_push(province):
    a, b, c, d = world()
    client = province.test_client()
    read_only = token_for("460105_info")
    push = token_for("460105_info", push=True)
    record = {"id_number": a.id_number, "name": a.name, "year": 2026, "project": "国培网络研修", "hours": 24,
              "record_id": "NP-001"}
    body = {"records": [record]}
    assert client.post("/api/v1/credits", json=body, headers={"Authorization": f"Bearer {read_only}"}).status_code == 403
    bad = client.post("/api/v1/credits", json={"records": [{**record, "hours": -1}, {**record, "id_number": d.id_number,
                                                                                        "name": d.name}]},
                      headers={"Authorization": f"Bearer {push}"})
    assert bad.status_code == 422
    problems = bad.get_json()["problems"]
    assert problems[0].startswith("第1条：【学时】") and "第2条" in problems[-1]
    assert db.session.scalar(select(func.count()).select_from(CreditEntry)) == 0
    ok = client.post("/api/v1/credits", json=body, headers={"Authorization": f"Bearer {push}"})
    assert ok.status_code == 200 and ok.get_json() == {"created": 1, "skipped": 0}
    again = client.post("/api/v1/credits", json=body, headers={"Authorization": f"Bearer {push}"})
    assert again.get_json() == {"created": 0, "skipped": 1}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "credits_pushed")) == 2
    progress = get(client, "/api/v1/credits?year=2026", read_only).get_json()
    assert {t["name"]: t["hours"] for t in progress["teachers"]}["甲老师"] == 24
    # sanity: 5,000 one-hour records for one teacher pass the yearly cap (refused whole, naming her); a year
    # that is no whole year and an endless record_id are refused
    flood = [{**record, "hours": 1, "record_id": f"F-{i}"} for i in range(5000)]
    refused = client.post("/api/v1/credits", json={"records": flood}, headers={"Authorization": f"Bearer {push}"})
    assert refused.status_code == 422 and "甲老师 2026 年度将累计 5024 学时" in refused.get_json()["error"]
    odd = client.post("/api/v1/credits", json={"records": [{**record, "year": 2026.5, "record_id": "Y"},
                                                           {**record, "record_id": "R" * 65}]},
                      headers={"Authorization": f"Bearer {push}"}).get_json()["problems"]
    assert any("第1条：【年度】" in p for p in odd) and any("第2条：【记录编号】" in p for p in odd)
    assert credits_total(a.id) == 24
    # a body nested too deep to parse, an unknown path and a body over the limit: JSON answers, never a 500 page
    deep = client.post("/api/v1/credits", data="[" * 100000 + "]" * 100000, content_type="application/json",
                       headers={"Authorization": f"Bearer {push}"})
    assert deep.status_code == 400 and "error" in deep.get_json()
    missing = get(client, "/api/v1/nothing-here", read_only)
    assert missing.status_code == 404 and "error" in missing.get_json()


def credits_total(teacher_id):
    from records import credits
    return credits.hours_of(teacher_id, 2026)


def test_openapi_document_names_every_route(province):
    client = province.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule)[len("/api/v1"):]
              for r in province.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert routes == set(doc["paths"])
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert op["summary"] and "200" in op["responses"], path


def test_a_query_user_revokes_only_the_tokens_it_made(province):
    """A read-only user must not stop the unit's hours push: the information administrator's tokens are not
    its to revoke (no button, and the route refuses); its own it may."""
    pushing, _ = exchange.create_token(user("460105_info"), "学时推送", True)
    own, _ = exchange.create_token(user("460105_query"), "查询")
    client = province.test_client()
    login(client, "460105_query")
    page = client.get("/exchange").get_data(as_text=True)
    assert f"/exchange/tokens/{pushing.id}/revoke" not in page and f"/exchange/tokens/{own.id}/revoke" in page
    refused = client.post(f"/exchange/tokens/{pushing.id}/revoke", follow_redirects=True).get_data(as_text=True)
    assert "只能停用自己创建的令牌" in refused
    db.session.expire_all()
    assert db.session.get(ApiToken, pushing.id).revoked_at is None
    assert client.post(f"/exchange/tokens/{own.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, own.id).revoked_at is not None
    again = client.post(f"/exchange/tokens/{own.id}/revoke", follow_redirects=True).get_data(as_text=True)
    assert "该令牌已停用" in again          # told, not a bare 404

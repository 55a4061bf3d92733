"""The process administration pages over HTTP: access, lists, viewer, editor API (validate, draft,
publish), uploads from other tools, CSRF on the JSON posts, and an audit row for every write."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

import workflows
from models import AuditEntry, Org, ProcessDefinition, ProcessDraft, ProcessInstance, User, db
from tests.conftest import DATA, make_app
from tests.journey_helpers import PASSWORD, new_teacher, setup_province, user
from tests.process_diagrams import review_diagram

SHIPPED = (DATA.parent.parent / "bpmn" / "teacher_collection.bpmn").read_bytes()


def add_process_admin(username="460000_process", org_code="460000"):
    org = db.session.scalars(select(Org).where(Org.code == org_code)).one()
    admin = User(username=username, display_name="流程管理员", role="process_admin", org_id=org.id,
                 must_change_password=False)
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.commit()
    return admin


@pytest.fixture
def province(hainan):
    setup_province(hainan)
    add_process_admin()
    return hainan


def login(client, username, password=PASSWORD):
    resp = client.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


@pytest.fixture
def admin_client(province):
    return login(province.test_client(), "460000_process")


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


_SEQ = iter(range(40, 400, 2))


def start_collection() -> ProcessInstance:
    """A new teacher account: creating it starts the teacher's collection flow."""
    teacher = new_teacher("2146000001", "王芳", seq=next(_SEQ))
    found = db.session.scalars(select(ProcessInstance).where(ProcessInstance.subject_teacher_id == teacher.teacher_id,
                                                             ProcessInstance.process_key == "teacher_collection")).one()
    return found


# ----------------------------------------------------------------------------- access

def test_only_the_province_process_administrator_gets_in(province):
    anonymous = province.test_client()
    assert anonymous.get("/process/").status_code == 302
    for username in ("2146000001_info", "460000_info", "460000_sys", "460105_info"):
        client = login(province.test_client(), username)
        assert client.get("/process/").status_code == 403, username
        assert client.post("/process/api/validate", json={"xml": "<x/>"}).status_code == 403
    add_process_admin("460100_process", "460100")  # a process administrator below the province
    assert login(province.test_client(), "460100_process").get("/process/").status_code == 403
    page = login(province.test_client(), "460000_process").get("/", follow_redirects=True).get_data(as_text=True)
    assert "流程管理" in page


# ----------------------------------------------------------------------------- lists, viewer, download

def test_list_versions_viewer_and_download(admin_client):
    instance = start_collection()
    page = admin_client.get("/process/").get_data(as_text=True)
    assert "teacher_collection" in page and "版本 1" in page
    running = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                .where(ProcessInstance.status == "running",
                                       ProcessInstance.process_key == "teacher_collection"))
    assert running >= 1 and f"版本 1：{running}" in page  # running instances per version
    versions = admin_client.get("/process/teacher_collection").get_data(as_text=True)
    assert 'data-version="1"' in versions and "当前" in versions
    definition = workflows.current_definition("teacher_collection")
    viewer = admin_client.get(f"/process/versions/{definition.id}").get_data(as_text=True)
    assert "bpmn-navigated-viewer.production.min.js" in viewer and f"/process/versions/{definition.id}/bpmn" in viewer
    download = admin_client.get(f"/process/versions/{definition.id}/bpmn")
    assert download.data == definition.bpmn_xml and "attachment" in download.headers["Content-Disposition"]
    assert admin_client.get("/process/versions/999999").status_code == 404
    assert admin_client.get("/process/nope").status_code == 404
    listed = admin_client.get("/process/teacher_collection/instances").get_data(as_text=True)
    assert f'value="{instance.id}"' in listed


def test_editor_page_opens_the_current_version(admin_client):
    definition = workflows.current_definition("teacher_collection")
    page = admin_client.get("/process/teacher_collection/edit").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in page and "bpmn-js-properties-panel.umd.js" in page
    assert f'data-source-url="/process/versions/{definition.id}/bpmn"' in page
    assert 'name="csrf-token"' in page and "process_editor.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert admin_client.get("/process/new/edit").status_code == 200


# ----------------------------------------------------------------------------- validate, draft, publish

def test_validate_api_lists_problems_with_element_name_and_line(admin_client):
    bad = (DATA / "bpmn_bad" / "unquoted_timer.bpmn").read_text()
    body = admin_client.post("/process/api/validate", json={"xml": bad}).get_json()
    assert body["ok"] is False
    [problem] = body["problems"]
    assert (problem["element_id"], problem["element_name"], problem["line"]) == ("wait_a_day", "Wait one day", 5)
    good = admin_client.post("/process/api/validate", json={"xml": SHIPPED.decode(), "process_key": "teacher_collection"})
    assert good.get_json() == {"ok": True, "problems": []}
    wrong_key = admin_client.post("/process/api/validate", json={"xml": SHIPPED.decode(), "process_key": "leave"})
    assert wrong_key.get_json()["ok"] is False


def test_save_draft_then_publish_makes_a_new_version(admin_client):
    renamed = SHIPPED.replace('name="学校审核"'.encode(), 'name="学校初审"'.encode()).decode()
    saved = admin_client.post("/process/api/drafts", json={"xml": renamed, "base_definition_id":
                                                          workflows.current_definition("teacher_collection").id})
    body = saved.get_json()
    assert body["ok"] and body["saved"] and body["draft_id"]
    draft = db.session.get(ProcessDraft, body["draft_id"])
    assert draft.process_key == "teacher_collection" and draft.accepted
    again = admin_client.post("/process/api/drafts", json={"xml": renamed + "\n", "draft_id": draft.id}).get_json()
    assert again["draft_id"] == draft.id
    assert "继续编辑" in admin_client.get("/process/teacher_collection").get_data(as_text=True)

    published = admin_client.post("/process/api/publish", json={"xml": renamed, "draft_id": draft.id,
                                                               "process_key": "teacher_collection"}).get_json()
    assert published["ok"] and published["created"] and published["version"] == 2
    assert workflows.current_definition("teacher_collection").version == 2
    db.session.expire_all()
    assert db.session.get(ProcessDraft, draft.id).published_definition_id == published["definition_id"]
    same = admin_client.post("/process/api/publish", json={"xml": renamed, "process_key": "teacher_collection"})
    assert same.get_json()["created"] is False and "相同" in same.get_json()["message"]
    # the editor's own export of the same diagram, spaced and indented otherwise: still the same version
    respaced = re.sub(r">\s+<", "><", renamed).replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")
    assert respaced != renamed
    same = admin_client.post("/process/api/publish", json={"xml": respaced, "process_key": "teacher_collection"})
    assert same.get_json()["created"] is False and same.get_json()["version"] == 2
    versions = admin_client.get("/process/teacher_collection").get_data(as_text=True)
    assert 'data-version="2"' in versions


def test_refused_publish_changes_nothing(admin_client):
    instance = start_collection()
    before = (count(ProcessDefinition), db.session.get(ProcessInstance, instance.id).state)
    for path in sorted((DATA / "bpmn_bad").glob("*.bpmn")):
        resp = admin_client.post("/process/api/publish", json={"xml": path.read_text(encoding="utf-8")})
        assert resp.status_code == 400 and resp.get_json()["problems"], path.name
    other_id = SHIPPED.replace(b'id="teacher_collection"', b'id="teacher_collection2"').decode()
    resp = admin_client.post("/process/api/publish", json={"xml": other_id, "process_key": "teacher_collection"})
    assert resp.status_code == 400 and "teacher_collection" in resp.get_json()["problems"][0]["message"]
    db.session.expire_all()
    assert (count(ProcessDefinition), db.session.get(ProcessInstance, instance.id).state) == before


def test_upload_from_other_tools_is_kept_as_a_draft_even_when_refused(admin_client):
    refused = (DATA / "bpmn_real" / "miwg_reference_C.1.1.bpmn").read_bytes()
    resp = admin_client.post("/process/upload", data={"file": (io.BytesIO(refused), "C.1.1.bpmn")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302 and "draft=" in resp.headers["Location"]
    page = admin_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Financial Accounting System" in page and "有 " in page
    draft = db.session.scalars(select(ProcessDraft).order_by(ProcessDraft.id.desc())).first()
    assert draft.source == "upload" and not draft.accepted and draft.process_key == "handle-invoice"
    assert admin_client.get(f"/process/drafts/{draft.id}/bpmn").data == refused
    # the same file again opens that draft instead of keeping another copy
    drafts = count(ProcessDraft)
    again = admin_client.post("/process/upload", data={"file": (io.BytesIO(refused), "C.1.1 (1).bpmn")},
                              content_type="multipart/form-data")
    assert f"draft={draft.id}" in again.headers["Location"] and count(ProcessDraft) == drafts
    assert "没有再保存一份" in admin_client.get(again.headers["Location"]).get_data(as_text=True)

    camunda = (DATA / "bpmn_real" / "miwg_reference_C.9.1.bpmn").read_bytes()
    resp = admin_client.post("/process/upload", data={"file": (io.BytesIO(camunda), "C.9.1.bpmn")},
                             content_type="multipart/form-data")
    draft = db.session.scalars(select(ProcessDraft).order_by(ProcessDraft.id.desc())).first()
    assert draft.accepted and b'"P7D"' in draft.bpmn_xml  # converted on import
    published = admin_client.post("/process/api/publish", json={"xml": draft.bpmn_xml.decode(), "draft_id": draft.id})
    assert published.get_json()["ok"] and published.get_json()["process_key"] == "requestDocument_en"
    # publishing it a second time (a second window, a double click) is answered in JSON the editor shows
    twice = admin_client.post("/process/api/publish", json={"xml": draft.bpmn_xml.decode(), "draft_id": draft.id})
    assert twice.status_code == 409 and "发布为版本 1" in twice.get_json()["message"]
    saved = admin_client.post("/process/api/drafts", json={"xml": draft.bpmn_xml.decode(), "draft_id": draft.id})
    assert saved.status_code == 409 and not saved.get_json()["ok"]
    other = admin_client.post("/process/api/drafts", json={"xml": SHIPPED.decode()}).get_json()["draft_id"]
    admin_client.post(f"/process/drafts/{other}/delete")
    gone = admin_client.post("/process/api/drafts", json={"xml": SHIPPED.decode(), "draft_id": other})
    assert gone.status_code == 409 and "已被删除" in gone.get_json()["message"]

    truncated = (DATA / "bpmn_bad" / "truncated.bpmn").read_bytes()
    resp = admin_client.post("/process/upload", data={"file": (io.BytesIO(truncated), "t.bpmn")},
                             content_type="multipart/form-data")
    assert resp.status_code == 302
    assert "XML" in admin_client.get(resp.headers["Location"]).get_data(as_text=True)

    big = b"<" + b"a" * (workflows.MAX_BYTES + 10)
    resp = admin_client.post("/process/upload", data={"file": (io.BytesIO(big), "big.bpmn")},
                             content_type="multipart/form-data", follow_redirects=True)
    assert "过大" in resp.get_data(as_text=True)


def test_csrf_token_required_on_json_posts(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        from orgs.importer import import_orgs_file
        import_orgs_file(DATA / "hainan_orgs.csv")
        workflows.deploy_shipped()
        db.session.commit()
        add_process_admin()
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page) or \
            re.search(r'value="([^"]+)"[^>]*name="csrf_token"', login_page)
        client.post("/login", data={"username": "460000_process", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        editor = client.get("/process/teacher_collection/edit").get_data(as_text=True)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', editor).group(1)
        xml = SHIPPED.decode()
        assert client.post("/process/api/validate", json={"xml": xml}).status_code == 400
        ok = client.post("/process/api/validate", json={"xml": xml}, headers={"X-CSRFToken": meta})
        assert ok.status_code == 200 and ok.get_json()["ok"]
    db.session.remove()
    db.engine.dispose()


# ----------------------------------------------------------------------------- audit

def _cases():
    def make_current(client):
        first = workflows.current_definition("teacher_collection")
        workflows.run_in_transaction(workflows.deploy_bytes, SHIPPED.replace(b'name="\xe5\xad\xa6', b'name="\xe6\x96\xb0'))
        return client.post(f"/process/versions/{first.id}/make-current")

    def draft(client):
        return client.post("/process/api/drafts", json={"xml": SHIPPED.decode()})

    def publish(client):
        return client.post("/process/api/publish", json={"xml": review_diagram().decode()})

    def upload(client):
        return client.post("/process/upload", data={"file": (io.BytesIO(review_diagram()), "leave.bpmn")},
                           content_type="multipart/form-data")

    def delete_draft(client):
        draft_id = client.post("/process/api/drafts", json={"xml": SHIPPED.decode()}).get_json()["draft_id"]
        return client.post(f"/process/drafts/{draft_id}/delete")

    def validate(client):
        return client.post("/process/api/validate", json={"xml": SHIPPED.decode()})

    def migrate(client):
        instance = start_collection()
        target = workflows.run_in_transaction(workflows.deploy_bytes, SHIPPED.replace(
            'name="学校审核"'.encode(), 'name="学校初审"'.encode()))[0]
        return client.post("/process/teacher_collection/migrate",
                           data={"instance_id": [str(instance.id)], "target": str(target.id), "action": "migrate"})

    def suspend(client):
        return client.post(f"/process/instances/{start_collection().id}/suspend", data={"reason": "核对"})

    def resume(client):
        instance = start_collection()
        client.post(f"/process/instances/{instance.id}/suspend", data={})
        return client.post(f"/process/instances/{instance.id}/resume")

    def terminate(client):
        return client.post(f"/process/instances/{start_collection().id}/terminate", data={"reason": "重复发起"})

    def retry(client):
        from tests.test_process_admin import errored_instance
        return client.post(f"/process/instances/{errored_instance()}/retry", data={"data": '{"days": 2}'})

    def save_lane(client):
        return client.post("/process/lanes", data={"lane": "学校审核", "role": "info_admin", "unit": "teacher_school"})

    def delete_lane(client):
        client.post("/process/lanes", data={"lane": "临时", "role": "info_admin", "unit": "teacher_school"})
        return client.post("/process/lanes/delete", data={"lane": "临时"})

    return {"process.make_current": make_current, "process.api_save_draft": draft, "process.api_publish": publish,
            "process.upload": upload, "process.delete_draft": delete_draft, "process.api_validate": validate,
            "process.migrate": migrate, "process.suspend": suspend, "process.resume": resume,
            "process.terminate": terminate, "process.retry": retry, "process.save_lane": save_lane,
            "process.delete_lane": delete_lane}


CASES = _cases()
READ_ONLY_POSTS = {"process.api_validate"}  # checks a diagram; writes nothing, so no audit row


def test_every_post_route_has_a_case(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.startswith("process.")}
    assert posts == set(CASES)


@pytest.mark.parametrize("endpoint", sorted(set(CASES) - READ_ONLY_POSTS))
def test_each_write_leaves_an_audit_row(admin_client, endpoint):
    before = set(db.session.scalars(select(AuditEntry.id)))
    resp = CASES[endpoint](admin_client)
    assert resp.status_code in (200, 302), resp.get_data(as_text=True)[:500]
    db.session.expire_all()
    new = db.session.scalars(select(AuditEntry).where(AuditEntry.id.notin_(before) if before else True)).all()
    assert any(e.action.startswith("process.") for e in new), [e.action for e in new]


def test_instance_events_show_corrected_data_as_typed(admin_client):
    """The event log shows what the administrator typed when retrying, Chinese as Chinese (not \\u escapes)."""
    from tests.test_process_admin import errored_instance
    instance_id = errored_instance()
    resp = admin_client.post(f"/process/instances/{instance_id}/retry", data={"data": '{"days": 2, "备注": "补填天数"}'})
    assert resp.status_code == 302
    page = admin_client.get(f"/process/instances/{instance_id}").get_data(as_text=True)
    events = page[page.index('id="events"'):]
    assert "补填天数" in events and "\\u" not in events

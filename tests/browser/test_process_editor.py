"""The process editor in Chromium: the province's process administrator opens the current collection
diagram, renames a task in the properties panel, saves a draft, publishes, sees the new version; a
school then creates a teacher account, which starts an instance on the new version, and its review
task carries the new name."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
PASSWORD = "Pass1234"



def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll `expression` with page.evaluate: the product's CSP forbids eval, which
    page.wait_for_function would need inside the page."""
    import time
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)

def _setup(app):
    from accounts.unit_accounts import create_unit_accounts
    from models import Org, User, db
    from orgs.importer import import_orgs_file
    import workflows
    from tests.conftest import DATA
    with app.app_context():
        import_orgs_file(DATA / "hainan_orgs.csv")
        workflows.deploy_shipped()
        db.session.commit()
        province = db.session.scalars(select(Org).where(Org.code == "460000")).one()
        create_unit_accounts(province, None, password=PASSWORD, must_change=False)
        admin = User(username="460000_process", display_name="海南省流程管理员", role="process_admin",
                     org_id=province.id, must_change_password=False)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()


def login(page, base, username):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
def test_rename_save_publish_and_start_on_the_new_version(live_server, page):
    app, base = live_server
    _setup(app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)  # bpmn-js config warnings too
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. the process administrator opens the editor on the current version
    login(page, base, "460000_process")
    page.click("nav >> text=流程管理")
    page.click("tr[data-process=teacher_collection] >> text=编辑")
    page.wait_for_selector("#editor[data-ready='1']")
    assert page.locator(".djs-element[data-element-id=school_review]").count() == 1

    # 2. rename the school review task in the properties panel
    page.click(".djs-element[data-element-id=school_review] .djs-hit")
    header = page.locator(".bio-properties-panel-group-header", has_text="常规")   # General, in Chinese
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    name = page.locator(".bio-properties-panel [name=name]")
    name.fill("学校初审")
    name.press("Tab")
    wait_until(page, """() => window.processModeler.get('elementRegistry').get('school_review')
                              .businessObject.name === '学校初审'""")
    page.screenshot(path=str(SHOTS / "process_editor_renamed.png"), full_page=True)

    # the 脚本与条件 box shows a gateway flow's condition and a script task's script
    select_js = "id => window.processModeler.get('selection').select(window.processModeler.get('elementRegistry').get(id))"
    page.evaluate(select_js, "flow_school_approve")
    assert page.is_visible("#expressions") and page.input_value("#expr-text") == 'decision == "approve"'
    page.evaluate(select_js, "make_effective")
    assert page.inner_text("#expr-title") == "脚本" and "make_effective()" in page.input_value("#expr-text")

    # 3. save a draft, validate, publish
    page.click("#btn-save")
    page.wait_for_selector("#status.success")
    assert "草稿已保存" in page.inner_text("#status")
    assert "draft=" in page.url and page.inner_text("#editor-basis") == "草稿 #" + page.url.split("draft=")[1]
    page.click("#btn-validate")
    wait_until(page, "document.querySelector('#status').textContent.includes('校验通过')")
    page.click("#btn-publish")
    page.wait_for_selector("#published-link")
    assert "版本 2" in page.inner_text("#status")
    # the draft is gone: the address and the heading name the published version, and a reload opens it
    assert "draft=" not in page.url and page.inner_text("#editor-basis") == "基于版本 2"
    assert page.get_attribute("#published-link", "href").endswith("/process/teacher_collection")
    page.screenshot(path=str(SHOTS / "process_editor_published.png"), full_page=True)
    page.reload()
    page.wait_for_selector("#editor[data-ready='1']")
    assert page.inner_text("#editor-basis") == "基于版本 2"
    assert page.evaluate("window.processModeler.get('elementRegistry').get('school_review').businessObject.name") == "学校初审"

    # 4. the new version is listed and current
    page.goto(base + "/process/teacher_collection")
    page.wait_for_selector("tr[data-version='2']")
    assert page.locator("tr[data-version='2'] .badge", has_text="当前").count() == 1
    assert page.locator("tr[data-version='1'] .badge", has_text="当前").count() == 0

    # the published diagram keeps the engine's extensions the editor does not show
    with app.app_context():
        import workflows
        v2 = workflows.current_definition("teacher_collection")
        assert v2.version == 2 and b"spiffworkflow:properties" in v2.bpmn_xml and "学校初审".encode() in v2.bpmn_xml

    # 5. a school creates a teacher account: the teacher's collection starts on version 2
    page.click("text=退出")
    login(page, base, "2146000001_sys")
    page.goto(base + "/accounts")
    page.fill("#name", "林晓")
    page.select_option("#gender", "女")
    page.fill("#birth_month", "1988-03")
    page.fill("#id_number", "460105198803150029")
    page.click("button:has-text('创建账号')")
    page.wait_for_selector(".flash.success")
    with app.app_context():
        from models import ProcessDefinition, ProcessInstance, Teacher, db
        teacher = db.session.scalars(select(Teacher).where(Teacher.id_number == "460105198803150029")).one()
        instance = db.session.scalars(select(ProcessInstance).where(
            ProcessInstance.subject_teacher_id == teacher.id)).one()
        assert db.session.get(ProcessDefinition, instance.definition_id).version == 2
        instance_id = instance.id

    # 6. the administrator sees it on version 2, drawn with its current task
    page.click("text=退出")
    login(page, base, "460000_process")
    page.goto(base + "/process/teacher_collection/instances")
    row = page.locator(f"#instances tr:has(a[href='/process/instances/{instance_id}'])")
    assert "版本 2" in row.inner_text()
    page.click(f"a[href='/process/instances/{instance_id}']")
    page.wait_for_selector("#canvas[data-ready='1']")
    assert page.locator(".djs-element.path-current[data-element-id=fill]").count() == 1
    page.screenshot(path=str(SHOTS / "process_instance.png"), full_page=True)
    assert not errors, errors


@pytest.mark.browser
def test_refused_upload_opens_with_problems_highlighted(live_server, page):
    from tests.conftest import DATA
    app, base = live_server
    _setup(app)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "460000_process")
    page.goto(base + "/process/")
    page.set_input_files("#file", str(DATA / "bpmn_real" / "miwg_bpmnio_C.6.0-export.bpmn"))
    page.click("button:has-text('上传并校验')")
    page.wait_for_selector("#editor[data-ready='1']")
    assert "个问题" in page.inner_text(".flash")
    problem = page.locator("li.problem.error[data-element-id=Event_0isfp1w]")
    assert "没有设置日期、时长或周期" in problem.inner_text() and "第 57 行" in problem.inner_text()
    assert page.locator(".djs-element.problem-error[data-element-id=Event_0isfp1w]").count() == 1
    problem.click()
    wait_until(page, """() => window.processModeler.get('selection').get()
                              .map(e => e.id).includes('Event_0isfp1w')""")
    # the timer box edits the value the properties panel lacks for an empty timer
    assert page.is_visible("#expressions") and "计时器" in page.inner_text("#expr-title")
    page.fill("#expr-text", '"PT24H"')
    page.press("#expr-text", "Tab")
    page.click("#btn-validate")
    wait_until(page, "document.querySelector('#status').textContent.includes('个问题')")
    assert page.locator("li.problem[data-element-id=Event_0isfp1w]").count() == 0  # that one is fixed
    assert page.locator("li.problem.error").count() > 0                           # the others remain
    page.screenshot(path=str(SHOTS / "process_editor_problems.png"), full_page=True)
    assert not errors, errors


SELECT = "id => window.processModeler.get('selection').select(window.processModeler.get('elementRegistry').get(id))"
HAN = re.compile(r"[\u4e00-\u9fff]")
PALETTE = "els => els.map(e => e.title || e.getAttribute('aria-label'))"   # bpmn-js 18 labels them with aria-label


def _open_every_group(page):
    """Open the panel's collapsed groups, so every field of the selected element is drawn."""
    closed = page.locator(".bio-properties-panel-group-header:not(.open)")
    for _ in range(30):
        if not closed.count():
            return
        closed.first.click()
    raise AssertionError("a panel group does not open")


@pytest.mark.browser
def test_editor_speaks_chinese_on_a_chinese_page(live_server, page):
    """The palette, the context pad, the change-element menu and the properties panel (groups, fields,
    hints, the element's type) in Chinese; not one label bpmn-js asked for is missing from bpmn_zh.js.
    The English page keeps bpmn-js's English."""
    app, base = live_server
    _setup(app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, base, "460000_process")
    page.goto(base + "/process/teacher_collection/edit")
    page.wait_for_selector("#editor[data-ready='1']")
    assert page.get_attribute("html", "lang") == "zh-CN"

    # the palette
    titles = page.eval_on_selector_all(".djs-palette .entry", PALETTE)
    assert titles and all(HAN.search(t) for t in titles), titles
    assert "创建任务" in titles and "抓手工具（拖动画布）" in titles

    # the panel for every kind of element of the diagram, every group open
    kinds = ("Participant_teacher_collection", "Lane_school", "start", "fill", "school_review", "school_decision",
             "flow_school_approve", "flow_school_decision", "school_review_remind", "school_review_overdue",
             "make_effective", "end")
    for element in kinds:
        page.evaluate(SELECT, element)
        page.wait_for_selector(".bio-properties-panel-header-type")
        _open_every_group(page)
        kind = page.inner_text(".bio-properties-panel-header-type")
        assert HAN.search(kind), (element, kind)
        labels = page.locator(".bio-properties-panel-group-header-title, .bio-properties-panel-label").all_inner_texts()
        assert labels and all(HAN.search(t) or t.strip() in ("", "ID") for t in labels), (element, labels)
    page.evaluate(SELECT, "school_review_overdue")
    _open_every_group(page)
    panel = page.inner_text("#properties")
    assert "计时器" in panel and "常规" in panel and "General" not in panel and "Timer" not in panel
    page.screenshot(path=str(SHOTS / "process_editor_zh_timer.png"))

    # the context pad of a task, and its change-element menu
    page.evaluate(SELECT, "fill")
    page.wait_for_selector(".djs-context-pad .entry")
    pad = page.eval_on_selector_all(".djs-context-pad .entry[title]", "els => els.map(e => e.title)")
    assert pad and all(HAN.search(t) for t in pad), pad
    page.screenshot(path=str(SHOTS / "process_editor_zh_context_pad.png"))
    page.click(".djs-context-pad .entry[data-action=replace]")
    page.wait_for_selector(".djs-popup .entry")
    menu = page.locator(".djs-popup .entry").all_inner_texts()
    assert menu and all(HAN.search(t) for t in menu if t.strip()), menu
    assert "脚本任务" in menu and "任务" in menu          # a user task offers the other kinds
    page.screenshot(path=str(SHOTS / "process_editor_zh_change_menu.png"))
    page.keyboard.press("Escape")

    missing = page.evaluate("Object.keys(window.BpmnZh.missing)")
    assert missing == [], missing

    # the English page: bpmn-js's own English
    page.goto(base + "/lang/en?next=/process/teacher_collection/edit")
    page.wait_for_selector("#editor[data-ready='1']")
    assert page.get_attribute("html", "lang") == "en"
    page.evaluate(SELECT, "school_review")
    page.wait_for_selector(".bio-properties-panel-header-type")
    assert page.text_content(".bio-properties-panel-header-type") == "User Task"   # shown upper-case by CSS
    assert page.locator(".bio-properties-panel-group-header", has_text="General").count() == 1
    assert "Create task" in page.eval_on_selector_all(".djs-palette .entry", PALETTE)
    page.screenshot(path=str(SHOTS / "process_editor_en.png"))
    assert not errors, errors

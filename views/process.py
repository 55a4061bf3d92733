"""Process administration (流程管理): every route of the module. Province process administrators only.

Pages: the processes and their versions, a viewer for any version, the editor (bpmn-js Modeler with
the properties panel: save a draft, validate, publish, download, upload files from other tools), the
instances of a version with bulk migration, one instance (highlighted diagram, event log, suspend /
resume / terminate / retry) and the lane → role table. The editor talks JSON to the `api_*` routes
(CSRF token in the X-CSRFToken header). Every write goes through a named operation in workflows/,
which writes the audit row; each handler loads, checks access (`_guard`, for the whole blueprint),
then acts.
"""
from __future__ import annotations

import json
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

import workflows
from accounts.policy import allowed
from models import LaneMapping, Org, ProcessDefinition, ProcessDraft, ProcessInstance, Teacher, db
from records import collection
from records.lifecycle import RETURN_SNAPSHOT
from workflows import admin, deploy, lanes, migration, validation

from . import china_time
from .helpers import form_ids, page_arg, safe_next

bp = Blueprint("process", __name__, url_prefix="/process")

NEW_PROCESS = "new"


def is_process_admin(user) -> bool:
    """A process administrator of the province (the only level that may change diagrams)."""
    return allowed(user, "process.admin") and user.org is not None and user.org.kind == "province"


@bp.before_request
def _guard():
    if not current_user.is_authenticated:
        from . import login_manager
        return login_manager.unauthorized()
    if not is_process_admin(current_user):
        abort(403)
    return None


# ----------------------------------------------------------------------------- loaders

def _definition(definition_id: int) -> ProcessDefinition:
    found = db.session.get(ProcessDefinition, definition_id)
    if found is None:
        abort(404)
    return found


def _open_draft(draft_id: int) -> ProcessDraft | None:
    found = db.session.get(ProcessDraft, draft_id)
    return None if found is None or found.published_definition_id is not None else found


def _draft(draft_id: int) -> ProcessDraft:
    found = _open_draft(draft_id)
    if found is None:
        abort(404)
    return found


def _gone_draft(draft_id: int):
    """The editor's answer about a draft no longer open (published or deleted, perhaps in another tab)."""
    found = db.session.get(ProcessDraft, draft_id)
    if found is not None and found.published_definition_id is not None:
        version = db.session.get(ProcessDefinition, found.published_definition_id)
        message = (f"这份草稿已于 {china_time(found.updated_at)} 发布为版本 {version.version}（可能在另一个窗口中），"
                   "没有再发布一次：请回到流程列表查看版本，或从当前版本重新打开编辑器")
    else:
        message = "这份草稿已被删除（可能在另一个窗口中）：请回到流程列表，或重新打开编辑器"
    return jsonify(ok=False, message=message, problems=[]), 409


def _process(process_key: str) -> ProcessDefinition:
    """The current version of a deployed process (404 when there is none)."""
    try:
        return workflows.current_definition(process_key)
    except workflows.DefinitionNotFound:
        abort(404)


def _instance(instance_id: int) -> ProcessInstance:
    found = db.session.get(ProcessInstance, instance_id)
    if found is None:
        abort(404)
    return found


def _problems_json(problems) -> list[dict]:
    return [dict(p, label=validation.SEVERITY_LABELS.get(p.get("severity"), "")) for p in problems]


def _bpmn_response(data: bytes, filename: str) -> Response:
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return Response(data, mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename={ascii_name}; "
                                                    f"filename*=UTF-8''{quote(filename)}",
                             "X-Content-Type-Options": "nosniff"})


# ----------------------------------------------------------------------------- processes and versions

@bp.route("/")
def index():
    return render_template("process/index.html", processes=deploy.processes(),
                           drafts=[d for d in deploy.open_drafts()], max_mb=validation.MAX_BYTES // 1024 // 1024)


@bp.route("/<process_key>")
def versions(process_key):
    current = _process(process_key)
    return render_template("process/versions.html", current=current, versions=deploy.versions(process_key),
                           drafts=deploy.open_drafts(process_key))


@bp.route("/versions/<int:definition_id>")
def view_version(definition_id):
    definition = _definition(definition_id)
    return render_template("process/viewer.html", definition=definition)


@bp.route("/versions/<int:definition_id>/bpmn")
def download_version(definition_id):
    definition = _definition(definition_id)
    return _bpmn_response(definition.bpmn_xml, f"{definition.process_key}_v{definition.version}.bpmn")


@bp.route("/versions/<int:definition_id>/make-current", methods=["POST"])
def make_current(definition_id):
    definition = _definition(definition_id)
    workflows.run_in_transaction(deploy.make_current, definition, current_user)
    flash(f"新发起的流程将使用版本 {definition.version}；运行中的实例保持各自的版本", "success")
    return redirect(url_for("process.versions", process_key=definition.process_key))


# ----------------------------------------------------------------------------- editor

@bp.route("/<process_key>/edit")
def editor(process_key):
    """The editor on the current version, or on a draft (?draft=) or an older version (?version=)."""
    draft = _draft(int(request.args["draft"])) if request.args.get("draft", "").isdigit() else None
    base = None
    if draft is not None:
        if process_key not in (NEW_PROCESS, draft.process_key):
            abort(404)
        base = db.session.get(ProcessDefinition, draft.base_definition_id) if draft.base_definition_id else None
    elif process_key != NEW_PROCESS:
        base = _process(process_key)
        if request.args.get("version", "").isdigit():
            base = _definition(int(request.args["version"]))
            if base.process_key != process_key:
                abort(404)
    if process_key == NEW_PROCESS and draft is not None and draft.process_key:
        process_key = draft.process_key
    if draft is not None:
        source_url = url_for("process.download_draft", draft_id=draft.id)
    elif base is not None:
        source_url = url_for("process.download_version", definition_id=base.id)
    else:
        source_url = url_for("static", filename="process_new.bpmn")
    return render_template("process/editor.html", process_key=None if process_key == NEW_PROCESS else process_key,
                           base=base, draft=draft, source_url=source_url,
                           problems=_problems_json(draft.problems) if draft is not None else [],
                           max_mb=validation.MAX_BYTES // 1024 // 1024)


@bp.route("/drafts/<int:draft_id>/bpmn")
def download_draft(draft_id):
    draft = _draft(draft_id)
    return _bpmn_response(draft.bpmn_xml, f"{draft.process_key or 'draft'}_draft{draft.id}.bpmn")


def _posted_xml() -> tuple[bytes, dict]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        abort(400)
    data = body["xml"].encode("utf-8")
    return data, body


def _key(body) -> str | None:
    key = body.get("process_key")
    return key if isinstance(key, str) and key and key != NEW_PROCESS else None


def _int(body, name) -> int | None:
    value = body.get(name)
    return value if isinstance(value, int) and value > 0 else None


@bp.route("/api/validate", methods=["POST"])
def api_validate():
    data, body = _posted_xml()
    result = validation.validate(data, expected_key=_key(body))
    return jsonify(ok=result.ok, problems=_problems_json(deploy.problems_as_dicts(result.problems)))


@bp.route("/api/drafts", methods=["POST"])
def api_save_draft():
    data, body = _posted_xml()
    draft_id = _int(body, "draft_id")
    if draft_id and _open_draft(draft_id) is None:   # the editor speaks JSON: an answer it can show, not a 404 page
        return _gone_draft(draft_id)
    try:
        draft, result = workflows.run_in_transaction(
            deploy.save_draft, data, current_user, draft_id=draft_id, base_definition_id=_int(body, "base_definition_id"))
    except workflows.DeployError as exc:
        return jsonify(ok=False, problems=_problems_json(deploy.problems_as_dicts(exc.problems))), 400
    return jsonify(ok=result.ok, draft_id=draft.id, saved=True,
                   problems=_problems_json(draft.problems),
                   message=f"草稿已保存（{'可以发布' if result.ok else '有 ' + str(len(result.errors)) + ' 个问题需要修改后才能发布'}）")


@bp.route("/api/publish", methods=["POST"])
def api_publish():
    data, body = _posted_xml()
    draft_id = _int(body, "draft_id")
    if draft_id and _open_draft(draft_id) is None:
        return _gone_draft(draft_id)
    key = _key(body)
    try:
        definition, created = workflows.run_in_transaction(deploy.publish, data, current_user, process_key=key,
                                                           draft_id=draft_id)
    except workflows.DeployError as exc:
        return jsonify(ok=False, problems=_problems_json(deploy.problems_as_dicts(exc.problems)),
                       message="未发布：请先修改下列问题（已部署的版本和运行中的实例都没有改变）"), 400
    message = (f"已发布为 {definition.name} 版本 {definition.version}，新发起的流程将使用它" if created else
               f"内容与已有的版本 {definition.version} 相同，没有生成新版本")
    return jsonify(ok=True, created=created, definition_id=definition.id, version=definition.version,
                   process_key=definition.process_key, message=message,
                   url=url_for("process.versions", process_key=definition.process_key),
                   editor_url=url_for("process.editor", process_key=definition.process_key))


@bp.route("/upload", methods=["POST"])
def upload():
    """A .bpmn file from another tool (or a saved one): kept as a draft, refused or not, then opened
    in the editor with its problems listed."""
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("请选择要上传的 .bpmn 文件", "warning")
        return redirect(safe_next(url_for("process.index")))
    data = file.stream.read(validation.MAX_BYTES + 1)
    if len(data) > validation.MAX_BYTES:
        flash(f"文件过大（上限 {validation.MAX_BYTES // 1024 // 1024} MB）：请检查是否选错了文件", "error")
        return redirect(safe_next(url_for("process.index")))
    target = request.form.get("process_key") or None
    base = _process(target) if target else None
    again = deploy.same_open_upload(data, current_user)
    if again is not None:
        flash(f"“{file.filename}”与你之前上传、尚未发布的草稿相同，已打开该草稿（没有再保存一份）", "warning")
        return redirect(url_for("process.editor", process_key=again.process_key or NEW_PROCESS, draft=again.id))
    try:
        draft, result = workflows.run_in_transaction(
            deploy.save_draft, data, current_user, source="upload", filename=file.filename,
            base_definition_id=base.id if base is not None else None)
    except workflows.DeployError as exc:
        for problem in exc.problems:
            flash(str(problem), "error")
        return redirect(safe_next(url_for("process.index")))
    if result.ok:
        flash(f"已上传“{file.filename}”并保存为草稿：校验通过，可以在编辑器中检查后发布", "success")
    else:
        flash(f"已上传“{file.filename}”并保存为草稿，但有 {len(result.errors)} 个问题，修改后才能发布", "warning")
    return redirect(url_for("process.editor", process_key=draft.process_key or NEW_PROCESS, draft=draft.id))


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
def delete_draft(draft_id):
    draft = _draft(draft_id)
    key = draft.process_key
    workflows.run_in_transaction(deploy.delete_draft, draft, current_user)
    flash("草稿已删除", "success")
    return redirect(url_for("process.versions", process_key=key) if key and _has_versions(key)
                    else url_for("process.index"))


def _has_versions(key: str) -> bool:
    return db.session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_key == key).limit(1)) \
        is not None


# ----------------------------------------------------------------------------- instances and migration

@bp.route("/<process_key>/instances")
def instances(process_key):
    current = _process(process_key)
    version = _definition(int(request.args["version"])) if request.args.get("version", "").isdigit() else None
    status = request.args.get("status", "running")
    status = status if status in admin.STATUS_LABELS or status == "" else "running"
    page = page_arg()
    q = request.args.get("q", "").strip()[:50]
    rows, total = admin.instances(process_key, definition_id=version.id if version else None, status=status or None,
                                  q=q, page=page)
    return render_template("process/instances.html", current=current, version=version, status=status, rows=rows, q=q,
                           total=total, page=page, pages=max(1, (total + 49) // 50),
                           versions=deploy.versions(process_key), labels=admin.STATUS_LABELS)


@bp.route("/<process_key>/migrate", methods=["POST"])
def migrate(process_key):
    _process(process_key)
    ids, _bad = form_ids("instance_id")
    target_id = request.form.get("target", "")
    target = _definition(int(target_id)) if target_id.isdigit() else None
    if target is None or target.process_key != process_key:
        flash("请选择要迁移到的版本", "warning")
        return redirect(url_for("process.instances", process_key=process_key))
    if not ids:
        flash("请先勾选要迁移的实例", "warning")
        return redirect(url_for("process.instances", process_key=process_key))
    if request.form.get("action") == "check":
        reports = migration.check_migration(ids, target)
        checked_only = True
    else:
        reports = workflows.run_in_transaction(migration.migrate_instances, ids, target, current_user)
        checked_only = False
    return render_template("process/migration.html", process_key=process_key, target=target, reports=reports,
                           checked_only=checked_only, ids=ids)


@bp.route("/instances/<int:instance_id>")
def instance(instance_id):
    found = _instance(instance_id)
    view = admin.instance_view(found.id)
    subject = (db.session.get(Teacher, view.subject_teacher_id) if view.subject_teacher_id else None)
    unit = db.session.get(Org, view.subject_org_id) if view.subject_org_id else None
    return render_template("process/instance.html", view=view, subject=subject, unit=unit,
                           definition=db.session.get(ProcessDefinition, view.definition_id),
                           event_labels=EVENT_LABELS)


EVENT_LABELS = {"started": "发起", "completed": "办理", "finished": "结束", "timer": "计时器触发",
                "timer_error": "运行出错", RETURN_SNAPSHOT: "退回时的基本信息（供再次审核比对）", **admin.ADMIN_EVENTS}


def _instance_action(instance_id, operation, *args, done: str):
    _instance(instance_id)
    try:
        workflows.run_in_transaction(operation, instance_id, current_user, *args)
    except workflows.WorkflowError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("process.instance", instance_id=instance_id))


@bp.route("/instances/<int:instance_id>/suspend", methods=["POST"])
def suspend(instance_id):
    return _instance_action(instance_id, admin.suspend, request.form.get("reason", ""),
                            done="已挂起：实例不再出现在待办中，计时器暂停")


@bp.route("/instances/<int:instance_id>/resume", methods=["POST"])
def resume(instance_id):
    return _instance_action(instance_id, admin.resume, done="已恢复：待办任务已重新分派，计时器继续")


@bp.route("/instances/<int:instance_id>/terminate", methods=["POST"])
def terminate(instance_id):
    return _instance_action(instance_id, collection.terminate_and_tell, request.form.get("reason", ""), done="已终止")


@bp.route("/instances/<int:instance_id>/retry", methods=["POST"])
def retry(instance_id):
    raw = request.form.get("data", "").strip()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError as exc:
        flash(f"数据不是有效的 JSON（第 {exc.lineno} 行）：请检查引号和逗号", "error")
        return redirect(url_for("process.instance", instance_id=instance_id))
    if not isinstance(data, dict):
        flash("数据应为 JSON 对象，例如 {\"decision\": \"approve\"}", "error")
        return redirect(url_for("process.instance", instance_id=instance_id))
    return _instance_action(instance_id, admin.retry, data, done="已重试：流程已继续运行")


# ----------------------------------------------------------------------------- lanes

@bp.route("/lanes")
def lane_table():
    rows = db.session.scalars(select(LaneMapping).order_by(LaneMapping.lane)).all()
    return render_template("process/lanes.html", declared=lanes.LANES.values(), rows=rows, units=lanes.UNITS,
                           roles=lanes.LANE_ROLES, unit_key=lanes._unit_key, used=_used_lanes())


def _used_lanes() -> dict[str, list[str]]:
    """Lane names used by the current versions (name -> process keys), to show unmapped ones."""
    from lxml import etree
    used: dict[str, list[str]] = {}
    for definition in db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.is_current.is_(True))):
        try:
            root = etree.fromstring(definition.bpmn_xml, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        for lane in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}lane"):
            name = " ".join((lane.get("name") or "").split())
            if name and definition.process_key not in used.setdefault(name, []):
                used[name].append(definition.process_key)
    return used


@bp.route("/lanes", methods=["POST"])
def save_lane():
    try:
        workflows.run_in_transaction(lanes.save_lane_mapping, request.form.get("lane", ""),
                                     request.form.get("role", ""), request.form.get("unit", ""),
                                     request.form.get("description", ""), current_user)
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        flash(f"泳道“{request.form.get('lane', '').strip()}”已保存", "success")
    return redirect(url_for("process.lane_table"))


@bp.route("/lanes/delete", methods=["POST"])
def delete_lane():
    name = request.form.get("lane", "")
    if workflows.run_in_transaction(lanes.delete_lane_mapping, name, current_user):
        flash(f"泳道“{name}”已删除；已分派的任务不受影响，新到达的任务将无法分派，直到重新添加", "success")
    return redirect(url_for("process.lane_table"))

"""Deploying diagram versions: check, serialise the spec, store it keyed by its bytes.

- Checking is validation.py (every problem at once; nothing here parses XML itself).
- `deploy_bytes(data)`: same bytes (sha256) → the existing version, unchanged; different bytes →
  a new version (+1) that becomes current. Re-deploying old bytes does NOT make them current again:
  `deploy_shipped()` runs at every start and must not undo a diagram edited in the browser.
  A diagram from another modeler is stored as converted (bare timer literals quoted), keyed by
  the converted bytes. A refused diagram changes nothing: no row is written before it is accepted.
- Restored specs are cached by content hash (store.SPECS): restored once per version per process.

Not here: running instances (instances.py), how a spec is serialised (store.py), drafts and the
editor (views/process.py), migrating instances between versions (migration.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select, update

import audit
from models import ProcessDefinition, ProcessDraft, db, utcnow

from . import store
from .errors import DefinitionNotFound, DeployError, Problem
from .validation import Validation, validate

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIR = ROOT / "bpmn"


# ----------------------------------------------------------------------------- deploying

def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _by_hash(session, content_hash: str) -> ProcessDefinition | None:
    return session.scalars(select(ProcessDefinition).where(ProcessDefinition.content_hash == content_hash)).first()


def deploy_bytes(data: bytes, user=None, *, filename: str = "diagram.bpmn",
                 expected_key: str | None = None) -> tuple[ProcessDefinition, bool]:
    """Deploy one diagram; returns (definition, created). Raises DeployError (every problem) when
    refused, before anything is written. Flushes, does not commit."""
    session = db.session()
    existing = _by_hash(session, _hash(data))
    if existing is not None and (expected_key is None or existing.process_key == expected_key):
        return existing, False
    result = validate(data, filename, expected_key=expected_key)
    if not result.ok:
        raise DeployError(result.problems)
    content_hash = _hash(result.xml)
    if result.xml is not data:
        existing = _by_hash(session, content_hash)
        if existing is not None:
            return existing, False
    current = session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_key == result.process_key,
                                                              ProcessDefinition.is_current.is_(True))).first()
    if current is not None and _canonical(bytes(current.bpmn_xml)) == _canonical(result.xml):
        return current, False   # the editor's export of the same diagram, only spaced or ordered otherwise
    last = session.scalar(select(func.max(ProcessDefinition.version))
                          .where(ProcessDefinition.process_key == result.process_key))
    session.execute(update(ProcessDefinition).where(ProcessDefinition.process_key == result.process_key,
                                                    ProcessDefinition.is_current.is_(True))
                    .values(is_current=False), execution_options={"synchronize_session": "fetch"})
    definition = ProcessDefinition(
        process_key=result.process_key, name=result.name, version=(last or 0) + 1, content_hash=content_hash,
        bpmn_xml=result.xml, spec_json=store.dump_spec(result.deployed.spec, result.deployed.subprocess_specs),
        is_current=True, created_by_id=getattr(user, "id", None),
    )
    session.add(definition)
    session.flush()
    store.SPECS.put(content_hash, result.deployed)
    return definition, True


def _canonical(data: bytes) -> bytes:
    """The diagram without what does not change it: whitespace between elements, attribute order,
    the XML declaration (C14N of the tree read without blank text)."""
    from lxml import etree
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.tostring(etree.fromstring(data, parser), method="c14n")
    except etree.LxmlError:
        return data


def shipped_files() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.bpmn"))


def deploy_shipped() -> list[tuple[ProcessDefinition, bool]]:
    """Deploy every bpmn/*.bpmn (new versions only where the bytes changed) and commit."""
    from .transactions import run_in_transaction

    def _deploy():
        return [deploy_bytes(path.read_bytes(), filename=path.name) for path in shipped_files()]

    return run_in_transaction(_deploy)


def current_definition(process_key: str) -> ProcessDefinition:
    found = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_key == process_key, ProcessDefinition.is_current.is_(True))).first()
    if found is None:
        raise DefinitionNotFound(process_key)
    return found


def deployed_spec(definition_id: int, content_hash: str | None = None) -> store.DeployedSpec:
    """The restored spec of a deployed version (restored once per process, then cached)."""
    session = db.session()
    if content_hash is None:
        content_hash = session.scalar(select(ProcessDefinition.content_hash)
                                      .where(ProcessDefinition.id == definition_id))

    def fetch():
        return session.scalar(select(ProcessDefinition.spec_json).where(ProcessDefinition.id == definition_id))

    return store.SPECS.get(content_hash, fetch)


# ----------------------------------------------------------------------------- drafts and publishing

def problems_as_dicts(problems) -> list[dict]:
    return [asdict(p) for p in problems]


def same_open_upload(data: bytes, user) -> ProcessDraft | None:
    """An unpublished draft this user uploaded with exactly these bytes: uploading the same file again
    opens it instead of leaving one more copy of a refused diagram in the list."""
    candidates = db.session.scalars(select(ProcessDraft).where(
        ProcessDraft.created_by_id == getattr(user, "id", None), ProcessDraft.source == "upload",
        ProcessDraft.published_definition_id.is_(None), func.length(ProcessDraft.bpmn_xml) == len(data))
        .order_by(ProcessDraft.id.desc()).limit(50))   # only drafts of the same size are read and compared
    return next((d for d in candidates if bytes(d.bpmn_xml) == data), None)


def save_draft(data: bytes, user, *, draft_id: int | None = None, source: str = "editor",
               filename: str | None = None, base_definition_id: int | None = None) -> tuple[ProcessDraft, Validation]:
    """Keep a diagram as a draft, whatever its problems (a refused upload too, to fix in the editor).
    An existing draft keeps its process id: a changed id is reported as a problem. Flushes, audited."""
    session = db.session()
    draft = session.get(ProcessDraft, draft_id) if draft_id else None
    if draft_id and (draft is None or draft.published_definition_id is not None):
        raise DeployError([Problem("该草稿不存在或已发布", element_id="-")])
    expected = draft.process_key if draft is not None and draft.process_key else None
    if expected is None and base_definition_id:
        base = session.get(ProcessDefinition, base_definition_id)
        expected = base.process_key if base is not None else None
    result = validate(data, filename or "diagram.bpmn", expected_key=expected)
    now = utcnow()
    new = draft is None
    if new:
        draft = ProcessDraft(source=source, filename=(filename or "")[:200] or None, created_by_id=getattr(user, "id", None),
                             created_at=now, base_definition_id=base_definition_id)
        session.add(draft)
    draft.process_key = expected or result.process_key
    draft.name = (result.name or draft.name or filename or "未命名流程")[:200]
    draft.bpmn_xml = result.xml if result.xml is not None else data
    draft.problems = problems_as_dicts(result.problems)
    draft.accepted = result.ok
    draft.updated_by_id, draft.updated_at = getattr(user, "id", None), now
    session.flush()
    audit.record("process.uploaded" if source == "upload" and new else "process.draft_saved",
                 object_type="process_draft", object_id=draft.id, user=user,
                 after={"process_key": draft.process_key, "filename": draft.filename, "accepted": draft.accepted,
                        "errors": len(result.errors)})
    return draft, result


def publish(data: bytes, user, *, process_key: str | None = None, draft_id: int | None = None,
            filename: str = "diagram.bpmn") -> tuple[ProcessDefinition, bool]:
    """Publish a diagram as a new version of `process_key` (None: a new process). Raises DeployError
    with every problem when refused; nothing is written then. Flushes, audited."""
    definition, created = deploy_bytes(data, user, filename=filename, expected_key=process_key)
    if draft_id:
        draft = db.session.get(ProcessDraft, draft_id)
        if draft is not None and draft.published_definition_id is None:
            draft.published_definition_id = definition.id
            draft.updated_by_id, draft.updated_at = getattr(user, "id", None), utcnow()
    audit.record("process.published", object_type="process_definition", object_id=definition.id, user=user,
                 after={"process_key": definition.process_key, "version": definition.version, "created": created,
                        "content_hash": definition.content_hash, "draft_id": draft_id})
    db.session.flush()
    return definition, created


def make_current(definition: ProcessDefinition, user) -> None:
    """Make an older version the one new instances start on again (running instances are untouched)."""
    session = db.session()
    previous = current_definition(definition.process_key)
    session.execute(update(ProcessDefinition).where(ProcessDefinition.process_key == definition.process_key,
                                                    ProcessDefinition.is_current.is_(True))
                    .values(is_current=False), execution_options={"synchronize_session": "fetch"})
    definition.is_current = True
    session.flush()
    audit.record("process.made_current", object_type="process_definition", object_id=definition.id, user=user,
                 before={"version": previous.version}, after={"version": definition.version})


# ----------------------------------------------------------------------------- listing (pages)

@dataclass
class VersionRow:
    id: int
    process_key: str
    name: str
    version: int
    is_current: bool
    created_at: object
    created_by: str | None
    counts: dict = field(default_factory=dict)       # instance status -> count

    @property
    def active(self) -> int:
        return self.counts.get("running", 0) + self.counts.get("suspended", 0)


@dataclass
class ProcessRow:
    process_key: str
    name: str
    current: VersionRow | None
    versions: list[VersionRow] = field(default_factory=list)
    drafts: int = 0


def versions(process_key: str | None = None) -> list[VersionRow]:
    """Deployed versions (newest first) with their instances counted by status."""
    from models import ProcessInstance, User
    PD, PI = ProcessDefinition.__table__, ProcessInstance.__table__
    query = (select(PD.c.id, PD.c.process_key, PD.c.name, PD.c.version, PD.c.is_current, PD.c.created_at,
                    User.display_name).select_from(PD.outerjoin(User, User.id == PD.c.created_by_id))
             .order_by(PD.c.process_key, PD.c.version.desc()))
    if process_key is not None:
        query = query.where(PD.c.process_key == process_key)
    rows = [VersionRow(*r) for r in db.session.execute(query).all()]
    counts = select(PI.c.definition_id, PI.c.status, func.count()).group_by(PI.c.definition_id, PI.c.status)
    if process_key is not None:
        counts = counts.where(PI.c.process_key == process_key)
    by_id = {r.id: r for r in rows}
    for definition_id, status, n in db.session.execute(counts).all():
        if definition_id in by_id:
            by_id[definition_id].counts[status] = n
    return rows


def processes() -> list[ProcessRow]:
    """Every deployed process: its current version, its versions, its open drafts."""
    out: dict[str, ProcessRow] = {}
    for row in versions():
        entry = out.setdefault(row.process_key, ProcessRow(row.process_key, row.name, None))
        entry.versions.append(row)
        if row.is_current:
            entry.current, entry.name = row, row.name
    for key, n in db.session.execute(select(ProcessDraft.process_key, func.count())
                                     .where(ProcessDraft.published_definition_id.is_(None))
                                     .group_by(ProcessDraft.process_key)).all():
        if key in out:
            out[key].drafts = n
    return sorted(out.values(), key=lambda p: p.process_key)


def open_drafts(process_key: str | None = None) -> list[ProcessDraft]:
    query = select(ProcessDraft).where(ProcessDraft.published_definition_id.is_(None)) \
        .order_by(ProcessDraft.updated_at.desc())
    if process_key is not None:
        query = query.where(ProcessDraft.process_key == process_key)
    return list(db.session.scalars(query))


def delete_draft(draft: ProcessDraft, user) -> None:
    audit.record("process.draft_deleted", object_type="process_draft", object_id=draft.id, user=user,
                 before={"process_key": draft.process_key, "name": draft.name})
    db.session.delete(draft)
    db.session.flush()

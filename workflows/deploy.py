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
from pathlib import Path

from sqlalchemy import func, select, update

from models import ProcessDefinition, db

from . import store
from .errors import DefinitionNotFound, DeployError
from .validation import check_bpmn, validate  # noqa: F401 -- check_bpmn is part of the facade

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

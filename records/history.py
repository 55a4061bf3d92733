"""Versions of a record and who answers for each value (谁填报谁负责，谁审核谁负责).

Every effective version is a RecordVersion snapshot. For each field of the latest version, the
responsible filler and reviewer are those of the oldest version in the unbroken run of versions
holding the same value: the version in which that value was entered and approved.

A record under its first collection has no version yet; when it is reviewed again after a return,
`since_return` compares it with the basic information kept at the return (records.lifecycle).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from models import RecordItem, RecordVersion, User, WorkflowEvent, db
from models.teachers import basic_with_identity

from .forms import identity_values
from .indicators import CODE, basic_fields, sets_for
from .lifecycle import RETURN_SNAPSHOT
from .presentation import masked_for, set_anchor


@dataclass
class Responsibility:
    label: str
    value: str
    entered_by: str
    reviewed_by: str
    reviewed_at: object
    version: int


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class SetRowsChanged:
    """One set's rows added, changed and deleted since a return."""

    label: str
    anchor: str
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass
class RowMark:
    """A set row since a return: "added", or "changed" with the old value of each changed field."""

    kind: str
    before: dict = field(default_factory=dict)   # field key → the value shown at the return


@dataclass
class SinceReturn:
    """What the filler changed since the record was last returned in this flow."""

    returned_at: object
    changed: dict[str, Change]   # basic items by field label, only those whose value differs
    rows: dict = field(default_factory=dict)      # set row id → RowMark
    removed: dict = field(default_factory=dict)   # set key → [[shown value per field]] of the rows deleted
    sets: list = field(default_factory=list)   # [SetRowsChanged], in the national order

    @property
    def count(self) -> int:
        return len(self.changed)

    @property
    def anything(self) -> bool:
        return bool(self.changed or self.sets)


def versions(teacher_id: int) -> list[RecordVersion]:
    return list(db.session.scalars(select(RecordVersion).where(RecordVersion.teacher_id == teacher_id)
                                   .order_by(RecordVersion.number)))


def _display(field, value) -> str:
    if value in (None, ""):
        return ""
    return field.code_table.name_of(value) if field.kind == CODE else str(value)


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def responsibilities(teacher, history: list[RecordVersion], viewer=None) -> list[Responsibility]:
    """`viewer`: values are shown as that user may see them (masked roles: ID number and birth date)."""
    if not history:
        return []
    names = _names([v.filled_by_id for v in history] + [v.reviewed_by_id for v in history])
    latest = history[-1]
    out = []
    for f in basic_fields(teacher.org.school_type):
        value = (latest.basic or {}).get(f.key)
        origin = latest
        for v in reversed(history[:-1]):
            if (v.basic or {}).get(f.key) != value:
                break
            origin = v
        out.append(Responsibility(f.label, masked_for(viewer, f.key, _display(f, value)),
                                  names.get(origin.filled_by_id, "—"),
                                  names.get(origin.reviewed_by_id, "—"), origin.created_at, origin.number))
    return out


def diff(teacher, older: RecordVersion, newer: RecordVersion, viewer=None) -> list[Change]:
    changes = []
    for f in basic_fields(teacher.org.school_type):
        a, b = (older.basic or {}).get(f.key), (newer.basic or {}).get(f.key)
        if a != b:
            changes.append(Change(f.label, masked_for(viewer, f.key, _display(f, a)),
                                  masked_for(viewer, f.key, _display(f, b))))
    return changes


def add_version(teacher, basic: dict, *, filled_by_id: int | None, reviewed_by_id: int | None, now) -> int:
    """Append the next effective version of `teacher` (basic values and, beside it, the set rows as they
    stand) inside the caller's transaction; returns its number. Every flow that changes an effective
    record ends here, so versions are numbered and snapshotted one way."""
    from sqlalchemy import func

    from .items import snapshot_for_version
    number = (db.session.scalar(select(func.max(RecordVersion.number))
                                .where(RecordVersion.teacher_id == teacher.id)) or 0) + 1
    db.session.add(RecordVersion(teacher_id=teacher.id, number=number, basic=basic, filled_by_id=filled_by_id,
                                 reviewed_by_id=reviewed_by_id, created_at=now))
    db.session.flush()
    snapshot_for_version(teacher.id, number, now=now)
    return number


def _blank(value) -> bool:
    return value in (None, "", [])


def _equal(a, b) -> bool:
    """The same value, counting an empty cell and a missing one as the same."""
    return a == b or (_blank(a) and _blank(b))


def since_return(teacher, instance_id: int, viewer=None) -> SinceReturn | None:
    """Compare the record with the basic information kept at the last return of instance
    `instance_id`; None when that flow never returned it (or returned it before this was kept)."""
    found = db.session.execute(
        select(WorkflowEvent.detail, WorkflowEvent.created_at)
        .where(WorkflowEvent.instance_id == instance_id, WorkflowEvent.action == RETURN_SNAPSHOT)
        .order_by(WorkflowEvent.id.desc()).limit(1)).first()
    if found is None:
        return None
    before = (found.detail or {}).get("basic") or {}
    now = basic_with_identity(teacher.basic, identity_values(teacher))
    changed = {}
    for f in basic_fields(teacher.org.school_type):
        a, b = before.get(f.key), now.get(f.key)
        if _equal(a, b):
            continue
        changed[f.label] = Change(f.label, masked_for(viewer, f.key, _display(f, a)),
                                  masked_for(viewer, f.key, _display(f, b)))
    result = SinceReturn(found.created_at, changed)
    kept = (found.detail or {}).get("items")
    if kept is not None:   # returns kept before set rows were kept compare the basic information only
        _compare_rows(teacher, kept, result)
    return result


def _same(a: dict, b: dict) -> bool:
    return all(_equal(a.get(k), b.get(k)) for k in set(a) | set(b))


def _compare_rows(teacher, kept: dict, result: SinceReturn) -> None:
    """Set rows added, changed or deleted since the return. A row keeps its id when edited; a row
    deleted and entered again with the same content is no change."""
    now = {i.id: i for i in db.session.scalars(select(RecordItem).where(RecordItem.teacher_id == teacher.id))}
    added = [item for item_id, item in now.items() if str(item_id) not in kept]
    removed = [(set_key, values or {}) for item_id, (set_key, values) in kept.items() if int(item_id) not in now]
    for item in list(added):
        twin = next((r for r in removed if r[0] == item.set_key and _same(r[1], item.values or {})), None)
        if twin is not None:
            added.remove(item)
            removed.remove(twin)
    infos = {info.key: info for info in sets_for(teacher.org.school_type)}
    counts: dict[str, dict] = {}

    def count(set_key, kind):
        counts.setdefault(set_key, {"added": 0, "changed": 0, "removed": 0})[kind] += 1

    for item in added:
        result.rows[item.id] = RowMark("added")
        count(item.set_key, "added")
    for item_id, item in now.items():
        before = kept.get(str(item_id))
        if before is None or _same(before[1] or {}, item.values or {}):
            continue
        info = infos.get(item.set_key)
        old, new = before[1] or {}, item.values or {}
        result.rows[item_id] = RowMark("changed", {f.key: f.shown(old.get(f.key)) or "" for f in (info.fields if info else ())
                                                   if not _equal(old.get(f.key), new.get(f.key))})
        count(item.set_key, "changed")
    for set_key, values in removed:
        info = infos.get(set_key)
        if info is not None:
            result.removed.setdefault(set_key, []).append([f.shown(values.get(f.key)) for f in info.fields])
        count(set_key, "removed")
    for key, info in infos.items():
        if key in counts:
            result.sets.append(SetRowsChanged(info.label, set_anchor(key), **counts[key]))

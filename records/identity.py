"""One person, one number: the province-wide duplicate check and the personal number (个人编号).

Personal number format (13 characters): `46` (Hainan's province code) + the 4-digit year the record
first took effect + a 6-digit sequence within that year + one check character computed like the
resident ID's (ISO 7064 MOD 11-2: weights 2^(n-i) mod 11, result 0–9 or X), e.g. `462026000001` + `9`.
It is given once, when the reviewing authority approves the first collection, and never changes:
a transfer moves the record (and its number) to another school; it never makes a second one.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from models import Org, Teacher, db
from workflows.errors import ActionError

PROVINCE_PREFIX = "46"


class DuplicateRecord(ActionError):
    """Another record in the province holds the same person's ID number: approval stops."""


def check_character(body: str) -> str:
    total = sum(int(d) * (2 ** (len(body) - i) % 11) for i, d in enumerate(body))
    return "10X98765432"[total % 11]


def normalised_id(number: str) -> str:
    return "".join(number.split()).upper()


def same_person_numbers(id_number: str) -> list[str]:
    """The forms under which the same resident ID may have been recorded: the number itself and, for
    an 18-digit number, the old 15-digit form (no century, no check character) of legacy records."""
    number = normalised_id(id_number)
    forms = [number]
    if len(number) == 18 and number[:17].isdigit():
        forms.append(number[:6] + number[8:17])
    return forms


def duplicate_of(teacher_id: int, id_number: str, conn=None):
    """(name, school name) of another record of the same person by ID number, or None (indexed lookups)."""
    conn = conn or db.session.connection()
    T, O = Teacher.__table__, Org.__table__
    row = conn.execute(
        select(T.c.name, O.c.name.label("school"))
        .join(O, O.c.id == T.c.org_id)
        .where(T.c.id_number.in_(same_person_numbers(id_number)), T.c.id != teacher_id)
    ).first()
    return (row.name, row.school) if row else None


def assign_personal_number(teacher_id: int, now: dt.datetime, conn=None) -> str | None:
    """Give the record its number if it has none yet; stop with DuplicateRecord on a duplicate."""
    conn = conn or db.session.connection()
    T = Teacher.__table__
    row = conn.execute(select(T.c.id_number, T.c.personal_number).where(T.c.id == teacher_id)).one()
    if row.personal_number:
        return None
    dup = duplicate_of(teacher_id, row.id_number, conn)
    if dup:
        raise DuplicateRecord(f"全省查重未通过：身份证件号 {row.id_number} 已在 {dup[1]} 登记。"
                              "同一教师全省只能有一条记录；如属调动请走调动流程，如为误录请退回学校核实。")
    year = now.astimezone(dt.timezone(dt.timedelta(hours=8))).year
    prefix = f"{PROVINCE_PREFIX}{year}"
    if conn.dialect.name == "postgresql":
        # Serialise number assignment for the year; SQLite writers are serialised already.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 460000 + year})
    last = conn.execute(select(func.max(T.c.personal_number)).where(T.c.personal_number.like(prefix + "%"))).scalar()
    sequence = int(last[len(prefix):len(prefix) + 6]) + 1 if last else 1
    body = f"{prefix}{sequence:06d}"
    number = body + check_character(body)
    conn.execute(T.update().where(T.c.id == teacher_id).values(personal_number=number))
    return number

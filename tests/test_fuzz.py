"""Bounded fuzzing (hypothesis) of the two parsers that take files from people: the basic-information
sheet importer (records.importer.parse_basic_sheet) and the diagram validator (workflows.check_bpmn).

Whatever the input — random bytes, a real file with bytes flipped or cut, a well-formed workbook with
wild cells under real headers, a real diagram with elements and attributes removed or garbled — the
parser returns; it never raises, and each problem it reports is a sentence in Chinese. Each property
runs a fixed number of examples (no deadline) so the run is bounded.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from records.importer import parse_basic_sheet
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parent.parent
REAL_SHEET = (DATA / "school_2146000001_basic_info.xlsx").read_bytes()
REAL_DIAGRAMS = sorted((ROOT / "bpmn").glob("*.bpmn"))
CJK = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _headers() -> list[str]:
    from records.reading import read_sheets
    rows = read_sheets(REAL_SHEET)[0][1]
    for row in rows[:10]:
        cells = [str(c).strip() for c in row if c not in (None, "")]
        if len(cells) > 10:
            return cells
    raise AssertionError("no header row in the sample sheet")


HEADERS = _headers()


def _assert_clear(parsed):
    for p in list(parsed.problems) + list(parsed.warnings):
        assert p.row >= 0
        assert p.message and CJK.search(p.message), p


def _mutate(data: bytes, edits) -> bytes:
    buf = bytearray(data)
    for kind, pos, value in edits:
        if not buf:
            break
        i = pos % len(buf)
        if kind == 0:
            buf[i] = value
        elif kind == 1:
            del buf[i:i + value + 1]
        else:
            buf[i:i] = bytes([value]) * 3
    return bytes(buf)


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=12)

# ------------------------------------------------------------------------------------------- importer


@FUZZ
@given(st.binary(max_size=4096))
def test_importer_random_bytes(data):
    parsed = parse_basic_sheet(data, school_type="21")
    assert not parsed.ok
    _assert_clear(parsed)


@FUZZ
@given(EDITS)
def test_importer_damaged_real_workbook(edits):
    parsed = parse_basic_sheet(_mutate(REAL_SHEET, edits), school_type="21")
    _assert_clear(parsed)


@FUZZ
@given(st.data())
def test_importer_truncated_real_workbook(data):
    cut = data.draw(st.integers(0, len(REAL_SHEET) - 1))
    parsed = parse_basic_sheet(REAL_SHEET[:cut], school_type="21")
    assert not parsed.ok
    _assert_clear(parsed)


CELL = st.one_of(
    st.none(), st.text(max_size=40), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(), st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)),
    st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "460105198803150029", "46010519880315002x", " 男 ",
                     "1988-13-45", "汉族", "中国共产党党员", "\u0000\t\n", "🙂" * 5, "x" * 5000]),
)


@FUZZ
@given(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=len(HEADERS), unique=True),
       st.lists(st.lists(CELL, min_size=0, max_size=40), min_size=0, max_size=8),
       st.integers(0, 3))
def test_importer_wild_cells_under_real_headers(headers, rows, blank_rows_above):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # what Excel itself cannot store
    wb = Workbook()
    ws = wb.active
    for _ in range(blank_rows_above):
        ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row[:len(headers) + 3]])
    out = io.BytesIO()
    wb.save(out)
    parsed = parse_basic_sheet(out.getvalue(), school_type="21")
    _assert_clear(parsed)
    if rows and parsed.ok:
        assert all(r.values for r in parsed.rows)  # accepted rows carry values


# ------------------------------------------------------------------------------------------- diagrams

@pytest.fixture(scope="module")
def validator_app(tmp_path_factory):
    # check_bpmn is pure, but the lane table it consults lives in the database
    from models import db
    from tests.conftest import make_app
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'f.db'}")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _check(data: bytes):
    from workflows import check_bpmn
    problems = check_bpmn(data, "fuzz.bpmn")
    for p in problems:
        assert p.message and CJK.search(p.message), p
    return problems


@FUZZ
@given(st.binary(max_size=4096))
def test_validator_random_bytes(validator_app, data):
    problems = _check(data)
    assert any(p.severity == "error" for p in problems)


@FUZZ
@given(st.sampled_from(REAL_DIAGRAMS), EDITS)
def test_validator_damaged_real_diagram(validator_app, path, edits):
    _check(_mutate(path.read_bytes(), edits))


@FUZZ
@given(st.sampled_from(REAL_DIAGRAMS), st.data())
def test_validator_garbled_structure(validator_app, path, data):
    """Well-formed XML with elements removed, attributes dropped or given wild values, text replaced."""
    root = etree.fromstring(path.read_bytes())
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 8))):
        el = elements[data.draw(st.integers(0, len(elements) - 1))]
        action = data.draw(st.integers(0, 3))
        if action == 0 and el.getparent() is not None:
            el.getparent().remove(el)
        elif action == 1 and el.attrib:
            del el.attrib[data.draw(st.sampled_from(sorted(el.attrib)))]
        elif action == 2 and el.attrib:
            key = data.draw(st.sampled_from(sorted(el.attrib)))
            el.attrib[key] = data.draw(st.sampled_from(["", " ", "x" * 300, "不存在", "../../etc/passwd", "1e309",
                                                        "__import__('os')", "${x}", "PT-1H", "R/P1D"]))
        elif action == 3 and isinstance(el.tag, str):
            el.text = data.draw(st.sampled_from(["", "import os", "__class__.__mro__", "1/0", "x" * 2000, "是"]))
    _check(etree.tostring(root))

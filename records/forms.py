"""The forms of the basic set and of every repeatable set, generated from the declarations
(records/indicators.py, records/sets.py).

WTForms renders the fields and carries CSRF; the rules are checked by records/validation.py,
so the form and the import can never disagree.
"""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from models import Teacher
from models.teachers import IDENTITY_COLUMNS

from .indicators import CODE, DATE, FORMAT_HINTS, MONTH, MULTI, basic_fields, codes_of, set_by_key

# The form's own words, in the reader's language (the field labels and code names are the national
# indicator system's and stay as declared).
CHOOSE = _l("请选择")
PLACEHOLDERS = {"整数": _l("整数"), "数字": _l("数字"), "金额，最多两位小数": _l("金额，最多两位小数")}

# Identity items come from the account (four items) and change only through a change request.
READ_ONLY_KEYS = frozenset({"name", "gender", "id_type", "id_number", "birth_date"})


@lru_cache(maxsize=32)
def basic_form_class(school_type: str | None, identity_editable: bool = False):
    """The form of the basic set; `identity_editable` for change requests, where the school may
    propose new identity items (reviewed by the authority, with a reason and a scan)."""
    attrs = {}
    for f in basic_fields(school_type):
        kw = {"label": f.label, "description": f.help, "validators": [Optional()]}
        render = {"data-kind": f.kind}
        if f.starred:
            render["data-star"] = "1"
        if f.key in READ_ONLY_KEYS and not identity_editable:
            # Shown, never posted: the server keeps the account's identity items regardless.
            render["disabled"] = True
        if f.kind == CODE:
            field = SelectField(choices=[("", CHOOSE)] + list(f.code_choices), render_kw=render, validate_choice=False, **kw)
        elif f.key == "remarks":
            field = TextAreaField(render_kw=render, **kw)
        else:
            if f.kind == DATE:
                render["placeholder"] = "YYYY-MM-DD"
            elif f.kind == MONTH:
                render["placeholder"] = "YYYY-MM"
            field = StringField(render_kw=render, **kw)
        attrs[f.key] = field
    form = type(f"BasicForm_{school_type or 'base'}", (FlaskForm,), attrs)
    for name in attrs:
        getattr(form, name).kwargs["render_kw"] = attrs[name].kwargs["render_kw"]
    return form


def form_values(teacher: Teacher) -> dict:
    """What the form starts with: saved values, the identity items, then the declared defaults."""
    values = {f.key: f.default for f in basic_fields(teacher.org.school_type) if f.default}
    values.update(teacher.basic or {})
    values.update(identity_values(teacher))
    return values


def identity_values(teacher: Teacher) -> dict:
    return {c: getattr(teacher, c) for c in IDENTITY_COLUMNS}


@lru_cache(maxsize=256)
def set_form_class(set_key: str, school_type: str | None):
    """The form of one row of a repeatable set, for a school type's variant."""
    info = set_by_key(set_key, school_type)
    attrs = {}
    for f in info.fields:
        render = {"data-kind": f.kind}
        if f.starred:
            render["data-star"] = "1"
        if f.kind in FORMAT_HINTS:
            render["placeholder"] = PLACEHOLDERS.get(FORMAT_HINTS[f.kind], FORMAT_HINTS[f.kind])
        kw = {"label": f.label, "description": f.help, "validators": [Optional()], "render_kw": render}
        if f.kind == CODE:
            attrs[f.key] = SelectField(choices=[("", CHOOSE)] + list(f.code_choices), validate_choice=False, **kw)
        elif f.kind == MULTI:
            render["size"] = min(len(f.code_choices), 6)
            attrs[f.key] = SelectMultipleField(choices=list(f.code_choices), validate_choice=False, **kw)
        elif (f.max_length or 0) >= 200:
            attrs[f.key] = TextAreaField(**kw)
        else:
            attrs[f.key] = StringField(**kw)
    return type(f"SetForm_{set_key}_{school_type or 'base'}", (FlaskForm,), attrs)


def set_form_data(set_key: str, school_type: str | None, values: dict | None) -> dict:
    """What a row's form starts with: the row's values (multi values as lists) or the declared defaults."""
    info = set_by_key(set_key, school_type)
    data = {}
    for f in info.fields:
        value = (values or {}).get(f.key) if values is not None else f.default
        data[f.key] = codes_of(value) if f.kind == MULTI else value
    return data


def set_form_values(form) -> dict:
    """The posted values keyed by field key (multi values joined as stored: "01,03")."""
    out = {}
    for f in form:
        if f.name == "csrf_token":
            continue
        out[f.name] = ",".join(f.data) if isinstance(f.data, list) else f.data
    return out

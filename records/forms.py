"""The basic-information form, generated from the indicator declaration (records/indicators.py).

WTForms renders the fields and carries CSRF; the rules are checked by records/validation.py,
so the form and the import can never disagree.
"""
from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from models import Teacher

from .indicators import CODE, DATE, MONTH, basic_fields

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
            field = SelectField(choices=[("", "请选择")] + list(f.code_choices), render_kw=render, validate_choice=False, **kw)
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
    return {"name": teacher.name, "gender": teacher.gender, "id_type": teacher.id_type,
            "id_number": teacher.id_number, "birth_date": teacher.birth_date}

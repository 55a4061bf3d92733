"""Shared fixtures: a real app on a real database (SQLite file; PostgreSQL too where asked).

`any_db_app` runs a test on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from models import Base, db

DATA = Path(__file__).resolve().parent / "data"
PG_URL = os.environ.get("TEST_DATABASE_URL")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(url: str, **extra):
    app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False, **extra})
    Base.metadata.create_all(db.engine)
    _isolate_requests(app)
    return app


def _isolate_requests(app):
    """Tests keep one app context open (to use db.session), and Flask reuses it for test-client
    requests. In production every request has its own: give each request a fresh `g` user and
    language and reload what the database holds, so one client's login never leaks into another's request."""
    from flask import g

    def _fresh_request_state():
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)  # Flask-Babel keeps the request's locale on g
        db.session.expire_all()

    # first of all before-request functions: the app's own (session timeout, forced password change) read
    # the signed-in user, and must not see the previous client's
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_state)


@pytest.fixture
def app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'test.db'}")
    with app.app_context():
        yield app
    db.session.remove()
    db.engine.dispose()


def _db_params():
    params = ["sqlite"]
    if PG_URL:
        params.append("postgresql")
    return params


@pytest.fixture(params=_db_params())
def any_db_app(request, tmp_path):
    if request.param == "postgresql":
        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
    app = make_app(url)
    with app.app_context():
        yield app
    db.session.remove()
    db.engine.dispose()


@pytest.fixture
def hainan(app):
    """The real Hainan org tree, imported through the product's importer."""
    from orgs.importer import import_orgs_file
    import_orgs_file(DATA / "hainan_orgs.csv")
    return app


@pytest.fixture
def province(hainan):
    """The Hainan tree with the shipped diagrams deployed and every unit's three accounts (PASSWORD)."""
    from tests.journey_helpers import setup_province
    setup_province(hainan)
    return hainan

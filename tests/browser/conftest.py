"""Browser tests: Debian's Chromium driven by Playwright against a live server on a real database."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}


@pytest.fixture
def live_server(tmp_path):
    from app import create_app
    from models import db
    from models.migrate import upgrade
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()

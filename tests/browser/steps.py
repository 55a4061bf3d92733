"""What the role journeys share: signing in and out as a person does, screenshots of the key steps,
polling the page (the product's CSP forbids the eval that page.wait_for_function needs), and the
set-up that is not a role's own step (the org tree, unit accounts and records made through the
product's service functions, as the other tests do)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "screenshots"
PASSWORD = "Pass1234"


# ----------------------------------------------------------------------------- in the browser

def login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("header .who")


def logout(page) -> None:
    page.click("header .who button:has-text('退出')")
    page.wait_for_selector("#username")


def first_login(page, base: str, username: str, initial: str, new_password: str) -> None:
    """A generated account's first sign-in: the product insists on a new password."""
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", initial)
    page.click("button[type=submit]")
    page.fill("#old_password", initial)
    page.fill("#new_password", new_password)
    page.fill("#confirm", new_password)
    page.click("button:has-text('保存')")
    page.wait_for_selector("header .who")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)


def flash_text(page) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def nav(page, label: str) -> None:
    """Follow a link of the top bar, as a person does."""
    page.click(f"header nav >> text={label}")


def unread_badge(page) -> str | None:
    badge = page.locator("header nav a.notifications .badge")
    return badge.inner_text().strip() if badge.count() else None


# ----------------------------------------------------------------------------- set-up (not a role's step)

def setup_province(app) -> None:
    """The Hainan org tree, the shipped diagrams and every unit's three accounts (password PASSWORD)."""
    from tests import journey_helpers
    with app.app_context():
        journey_helpers.setup_province(app)


def teacher_account(app, school: str, name: str, seq: int, birth: str = "1988-03-15",
                    area: str = "460105") -> tuple[str, str]:
    """A teacher account made by the school's system administrator; returns (login, initial password)."""
    from models import User, db
    from records import service
    from tests.journey_helpers import make_id
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == f"{school}_sys")).one()
        id_number = make_id(birth, seq, female=True, area=area)
        outcome = service.create_teacher_account(admin, name, "女", birth[:7], id_number)
        assert outcome.ok, outcome.problems
        return id_number, service.initial_teacher_password(id_number)


def effective_teacher(app, school: str, authority: str, name: str, seq: int, **kwargs) -> tuple[str, str]:
    """A teacher whose first collection went all the way through (submitted, school and authority
    approved) by the service functions the pages call; returns (login, initial password)."""
    from models import HumanTask, Teacher, User, db
    from records import review, service
    from tests.journey_helpers import complete_basic
    id_number, initial = teacher_account(app, school, name, seq, **kwargs)
    with app.app_context():
        u = db.session.scalars(select(User).where(User.username == id_number)).one()
        t = db.session.get(Teacher, u.teacher_id)
        assert service.save_basic(u, t, complete_basic(u), submit=True).ok
        for reviewer in (f"{school}_info", f"{authority}_info"):
            task = db.session.scalars(select(HumanTask).where(HumanTask.subject_teacher_id == t.id)).one()
            actor = db.session.scalars(select(User).where(User.username == reviewer)).one()
            outcome = review.decide(actor, task.id, "approve")
            assert outcome.ok, outcome.message
        assert db.session.get(Teacher, t.id).state == "effective"
    return id_number, initial


def scheduler_tick(app, now: str) -> list[str]:
    """`flask --app app scheduler tick --now NOW` on the live server's database, as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SESSION_COOKIE_SECURE": "0"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "scheduler", "tick", "--now", now],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()

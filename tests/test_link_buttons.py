"""Buttons styled as links (全部标为已读, 负责人 移除, 退出) look clickable: the stylesheet the app serves
gives `button.link` the link colour, a pointer and an underline on hover, and the pages use the class."""
from __future__ import annotations

import re


import workflows
from models import UnitManager, db
from notifications import notify
from tests.journey_helpers import PASSWORD, org, user


def rule(css: str, selector: str) -> str:
    found = re.search(r"(?:^|\})\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", css, re.M)
    assert found, f"no rule for {selector}"
    return found.group(1)


def test_link_buttons_look_like_links(province):
    client = province.test_client()
    css = client.get("/static/app.css").get_data(as_text=True)
    base = rule(css, "button.link")
    assert "color:var(--blue)" in base.replace(" ", "") and "cursor:pointer" in base.replace(" ", "")
    assert "underline" in rule(css, "button.link:hover, button.link:focus-visible")
    assert "color:var(--red)" in rule(css, "button.link.danger").replace(" ", "")
    assert "color:#fff" in rule(css, ".topbar button.link").replace(" ", "")   # 退出 stays white on the blue bar

    bureau = org("460105")
    db.session.add(UnitManager(org_id=bureau.id, name="王局长", email="wang@example.org"))
    db.session.commit()
    workflows.run_in_transaction(notify, key="event:links", kind="test", title="【已逾期】测试", body="",
                                 users=[user("460105_sys")], link="/inbox")
    client.post("/login", data={"username": "460105_sys", "password": PASSWORD})
    centre = client.get("/notifications").get_data(as_text=True)
    assert re.search(r'<button type="submit" class="link">全部标为已读</button>', centre)
    managers = client.get(f"/units/{bureau.id}/deadlines").get_data(as_text=True)
    assert '<button class="link danger" type="submit">移除</button>' in managers

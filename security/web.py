"""The HTTP side of the security requirements: session idle and absolute timeouts, cookie flags,
security headers and a Content-Security-Policy that lets a page run only the product's own static
scripts (plus, for an inline script that cannot move yet, the per-response nonce `csp_nonce()`).

Settings (create_app config / environment):
- `SESSION_IDLE_MINUTES` (30): a session unused this long ends; the next request goes to the login page.
- `SESSION_MAX_HOURS` (12): a session ends this long after login however active.
- `SESSION_COOKIE_SECURE` (on; `SESSION_COOKIE_SECURE=0` for plain-HTTP development), HttpOnly, SameSite=Lax.
"""
from __future__ import annotations

import secrets
import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

IDLE_DEFAULT_MINUTES = 30
MAX_DEFAULT_HOURS = 12
MAX_PENDING_FLASHES = 5  # the newest messages are the ones the next page should show


def csp_nonce() -> str:
    """This response's nonce (kept on the request, not `g`: an app context may outlive a request)."""
    env = request.environ
    if "csp.nonce" not in env:
        env["csp.nonce"] = secrets.token_urlsafe(16)
    return env["csp.nonce"]


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        # Style attributes only (the diagram editor and charts position their elements with them);
        # <style> elements and styles from elsewhere stay blocked.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def start_session_clock() -> None:
    now = int(time.time())
    session["_since"] = now
    session["_seen"] = now


def init_security(app) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def _session_timeout():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        idle = app.config.get("SESSION_IDLE_MINUTES", IDLE_DEFAULT_MINUTES) * 60
        longest = app.config.get("SESSION_MAX_HOURS", MAX_DEFAULT_HOURS) * 3600
        seen, since = session.get("_seen"), session.get("_since")
        expired = (seen is not None and now - seen > idle) or (since is not None and now - since > longest)
        if expired:
            from accounts.auth import record_logout
            record_logout(current_user._get_current_object(),
                          reason="idle" if seen is not None and now - seen > idle else "max_age")
            logout_user()
            session.clear()
            flash(f"长时间未操作（超过 {idle // 60} 分钟）或登录已超过 {longest // 3600} 小时，已自动退出，请重新登录。", "warning")
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target) if target and target != "/?" else url_for("auth.login"))
        session["_seen"] = now
        return None

    @app.after_request
    def _bounded_flashes(resp):
        # Messages wait in the session cookie until a page shows them; a client that posts many
        # times without reading a page (scripts, bulk work in several tabs) must not grow the cookie
        # past what browsers keep (4 KB), or the login itself would be dropped.
        pending = session.get("_flashes")
        if pending and len(pending) > MAX_PENDING_FLASHES:
            session["_flashes"] = pending[-MAX_PENDING_FLASHES:]
        return resp

    @app.after_request
    def _security_headers(resp):
        headers = resp.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages and files carry personal data: no shared or back-button caches keep them.
            headers["Cache-Control"] = "no-store"
        return resp

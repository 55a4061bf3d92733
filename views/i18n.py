"""The interface language: Chinese by default, English on request.

The message ids are the Chinese text itself (`_('待办任务')`), so Chinese needs no catalogue; English
comes from `translations/en/LC_MESSAGES/messages.po`. The choice lives in the `lang` cookie set by
`/lang/<zh|en>` (views/home.py). Data — unit names, indicator labels and code tables, process and
step names from the diagrams, notification texts — is shown as stored, in Chinese.

`compile_catalogues` keeps each `messages.mo` current with its `.po`; `create_app` calls it, so a
checkout works (tests included) without `make translations` having run first.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import request
from flask_babel import get_locale, lazy_gettext

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
_HTML_LANG = {"zh": "zh-CN", "en": "en"}
# The roles as the top bar names them (models.users.ROLE_LABELS holds the stored Chinese labels).
ROLE_NAMES = {"sys_admin": lazy_gettext("系统管理员"), "info_admin": lazy_gettext("信息管理员"),
              "query": lazy_gettext("信息查询员"), "teacher": lazy_gettext("教师"),
              "process_admin": lazy_gettext("流程管理员")}

log = logging.getLogger(__name__)


def select_locale() -> str:
    """Flask-Babel's locale selector: the `lang` cookie when it names a language we offer."""
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    """'zh' or 'en', for templates (the switch marks the current one)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def html_lang() -> str:
    """The `<html lang>` value: zh-CN or en."""
    return _HTML_LANG[current_language()]


def role_name(user) -> str:
    """The user's role in the reader's language."""
    name = ROLE_NAMES.get(user.role)
    return str(name) if name is not None else user.role_label


def compile_catalogues(directory: str | os.PathLike) -> list[Path]:
    """Compile every `*/LC_MESSAGES/messages.po` under `directory` whose `.mo` is missing or older.

    Returns the catalogues written. Fuzzy entries are left out, as `pybabel compile` does. The `.mo`
    is written beside a temporary name and renamed, so a process starting at the same moment reads
    either the old or the new catalogue, never half of one. A directory we cannot write is logged and
    left alone (English then shows the Chinese text)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        try:
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with tmp.open("wb") as target:
                write_mo(target, catalog)
            os.replace(tmp, mo)
        except OSError as exc:
            log.warning("cannot compile %s: %s", po, exc)
            tmp.unlink(missing_ok=True)
            continue
        written.append(mo)
    return written

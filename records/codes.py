"""The code-table type: code → display name, plus accepted aliases, looked up leniently.

Lives here: `Code`, `CodeTable` and `table_from_rows`, the one-line-per-code notation the
data modules (`records/code_tables.py`, `records/code_tables_sets.py`) are written in.
Not here: the tables themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .normalize import clean_text, match_key


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeTable:
    name: str                  # the table's Chinese name, used by Field.table
    codes: tuple[Code, ...]
    source: str = ""           # standard or "inferred"
    note: str = ""
    # Codes that cannot be combined with any other in a multi-valued field (e.g. 政治面貌 12/13).
    exclusive: frozenset[str] = frozenset()
    _index: dict = field(default_factory=dict, compare=False, repr=False)
    _pad: int = field(default=0, compare=False, repr=False)  # width to zero-pad a typed code ("1" → "01")
    _names: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        index = self._index
        for c in self.codes:
            for key in (c.code, c.name, f"{c.code}-{c.name}", f"{c.code}{c.name}", f"{c.code} {c.name}", *c.aliases):
                k = match_key(key)
                if index.get(k, c.code) != c.code:
                    raise ValueError(f"code table {self.name}: {key!r} names both {index[k]} and {c.code}")
                index[k] = c.code
        self._names.update((c.code, c.name) for c in self.codes)
        widths = {len(c.code) for c in self.codes if c.code.isdigit()}
        object.__setattr__(self, "_pad", max(widths) if len(widths) == 1 else 0)

    # ---------------------------------------------------------------------------- lookups
    def lookup(self, value) -> str | None:
        """The code for what someone typed (display name, alias, code, "code-name"), or None."""
        text = clean_text(value)
        if not text:
            return None
        key = match_key(text)
        code = self._index.get(key)
        if code is None and self._pad and key.isdigit() and len(key) < self._pad:
            code = self._index.get(key.zfill(self._pad))
        return code

    def name_of(self, code: str | None) -> str:
        return self._names.get(code, code or "")

    def __contains__(self, code) -> bool:
        return code in self._names

    @property
    def names(self) -> list[str]:
        """Display names in table order: what a template's drop-down and a form's select show."""
        return [c.name for c in self.codes]

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(code, display name) pairs for a form's select."""
        return [(c.code, c.name) for c in self.codes]

    def allowed_text(self, limit: int = 80) -> str:
        """The display names for an error message ("可填：汉族、蒙古族、…")."""
        names = self.names
        shown = "、".join(names[:limit])
        return shown + (f" 等 {len(names)} 项" if len(names) > limit else "")


def table_from_rows(name: str, rows: str, *, source: str = "", note: str = "", exclusive=()) -> CodeTable:
    """Rows are "code name | alias | alias", one a line."""
    codes = []
    for line in rows.strip().splitlines():
        head, *aliases = [part.strip() for part in line.split("|")]
        code, display = head.split(None, 1)
        codes.append(Code(code, display.strip(), tuple(a for a in aliases if a)))
    return CodeTable(name, tuple(codes), source=source, note=note, exclusive=frozenset(exclusive))

"""Rules between fields, declared on a set: within one row, and across one teacher's rows.

A row rule's `check(values, fields, today)` gets the row's clean values and the set's resolved
fields by key and returns (field key, message) pairs; the caller puts the column in front
("【任职结束年月】…"). A rule whose fields are not in a school type's variant does nothing.
Every rule also says what it asks in words (`describe(fields)`), for the templates' instructions.
A set rule's `check(rows, fields)` gets [(ref, values)] for one teacher's rows of the set and
returns (ref, field key, message) triples; `ref` is whatever the caller uses to point at a row
(the Excel row number, the stored row's id).

Not here: conversion and required-ness of single fields (`records/validation.py`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from .fields import Field, codes_of


def _name(f: Field, code: str) -> str:
    return f.code_table.name_of(code) if f.table else code


# ------------------------------------------------------------------------------ row rules
@dataclass(frozen=True)
class Order:
    """`then` is not earlier than `first` (strictly later when `strict`): dates, months or years."""

    first: str
    then: str
    strict: bool = False

    def check(self, values: Mapping, fields: Mapping[str, Field], today: dt.date):
        a, b = values.get(self.first), values.get(self.then)
        if not a or not b or self.first not in fields or self.then not in fields:
            return []
        first = fields[self.first].label
        if self.strict and b <= a:
            return [(self.then, f"“{b}”不晚于{first} {a}：须晚于{first}")]
        if b < a:
            return [(self.then, f"“{b}”早于{first} {a}：不能早于{first}")]
        return []

    def describe(self, fields):
        a, b = fields[self.first].label, fields[self.then].label
        return f"{b}须{'晚于' if self.strict else '不早于'}{a}"


@dataclass(frozen=True)
class Differs:
    """`other` may not have the same value as `key` (兼任岗位类别 ≠ 岗位类别)."""

    key: str
    other: str

    def check(self, values, fields, today):
        a, b = values.get(self.key), values.get(self.other)
        if a and b and a == b and self.key in fields and self.other in fields:
            f = fields[self.other]
            return [(self.other, f"“{_name(f, b)}”与{fields[self.key].label}相同：两者须不同")]
        return []

    def describe(self, fields):
        return f"{fields[self.other].label}须与{fields[self.key].label}不同"


@dataclass(frozen=True)
class Linked:
    """The codes `key` may take depend on `by`'s code (岗位等级 on 岗位类别, 学位名称 on 学位层次).

    `allowed(by_code)` → the allowed codes (None: no restriction).
    """

    key: str
    by: str
    allowed: object   # Callable[[str], frozenset[str] | None]

    def check(self, values, fields, today):
        value, by = values.get(self.key), values.get(self.by)
        if not value or not by or self.key not in fields or self.by not in fields:
            return []
        allowed = self.allowed(by)
        if allowed is None or value in allowed:
            return []
        f, g = fields[self.key], fields[self.by]
        names = "、".join(c.name for c in f.code_table.codes if c.code in allowed)
        return [(self.key, f"“{_name(f, value)}”与{g.label}“{_name(g, by)}”不对应。可填：{names}")]

    def describe(self, fields):
        return f"{fields[self.key].label}须与{fields[self.by].label}对应"


@dataclass(frozen=True)
class Forces:
    """When `condition` holds, `key` must be one of `codes` (任教学段 无 → 任课状况 未任课)."""

    condition: object
    key: str
    codes: frozenset[str]

    def check(self, values, fields, today):
        if self.key not in fields or self.condition.key not in fields or not self.condition.holds(values):
            return []
        value = values.get(self.key)
        if value in self.codes:
            return []
        f, g = fields[self.key], fields[self.condition.key]
        wanted = "、".join(f"“{_name(f, c)}”" for c in sorted(self.codes))
        return [(self.key, f"“{_name(f, value) if value else ''}”不符合：{g.label}为“{g.shown(values.get(g.key))}”时"
                           f"只能填{wanted}")]

    def describe(self, fields):
        f, g = fields[self.key], fields[self.condition.key]
        shown = "、".join(f"“{_name(g, c)}”" for c in sorted(self.condition.codes))
        wanted = "、".join(f"“{_name(f, c)}”" for c in sorted(self.codes))
        return f"{g.label}为{shown}时，{f.label}只能填{wanted}"


@dataclass(frozen=True)
class NotCode:
    """`key` may not take these codes here (海外研修的国家不能是中国)."""

    key: str
    codes: frozenset[str]
    why: str

    def check(self, values, fields, today):
        value = values.get(self.key)
        if value in self.codes and self.key in fields:
            return [(self.key, f"“{_name(fields[self.key], value)}”不可选：{self.why}")]
        return []

    def describe(self, fields):
        return self.why


@dataclass(frozen=True)
class PastYear:
    """A year that has ended: not the current or a future year (基本待遇 is reported afterwards)."""

    key: str

    def check(self, values, fields, today):
        value = values.get(self.key)
        if value and self.key in fields and int(value[:4]) >= today.year:
            return [(self.key, f"“{value}”尚未结束：只能填 {today.year - 1} 年及以前的年度（当年的情况次年填报）")]
        return []

    def describe(self, fields):
        return f"{fields[self.key].label}只能是已结束的年度（当年的情况次年填报）"


@dataclass(frozen=True)
class NotLess:
    """The number `big` is not less than the number `small` (结束页码 ≥ 起始页码)."""

    small: str
    big: str

    def check(self, values, fields, today):
        a, b = values.get(self.small), values.get(self.big)
        if a in (None, "") or b in (None, "") or self.small not in fields or self.big not in fields:
            return []
        if float(b) < float(a):
            return [(self.big, f"“{b}”小于{fields[self.small].label} {a}：不能小于{fields[self.small].label}")]
        return []

    def describe(self, fields):
        return f"{fields[self.big].label}不能小于{fields[self.small].label}"


def order(first: str, then: str) -> Order:
    return Order(first, then)


def later(first: str, then: str) -> Order:
    return Order(first, then, strict=True)


# ------------------------------------------------------------------------------ set rules
@dataclass(frozen=True)
class OpenEndLatest:
    """Only the latest row (by `start`) may leave `end` empty, meaning "至今"; other rows need an end."""

    start: str
    end: str

    def check(self, rows, fields):
        if self.start not in fields or self.end not in fields:
            return []
        starts = [v.get(self.start) for _, v in rows if v.get(self.start)]
        if not starts:
            return []
        latest = max(starts)
        out = []
        end_label, start_label = fields[self.end].label, fields[self.start].label
        for ref, v in rows:
            if v.get(self.end) or not v.get(self.start):
                continue
            if v[self.start] < latest:
                out.append((ref, self.end, f"为空（至今）只适用于最近一段：另有一段的{start_label}为 {latest}，"
                                           f"本段须填写{end_label}"))
        open_latest = [ref for ref, v in rows if v.get(self.start) == latest and not v.get(self.end)]
        for ref in open_latest[1:]:
            out.append((ref, self.end, f"为空（至今）的只能有一段：{start_label}同为 {latest} 的另一段也未填{end_label}"))
        return out

    def describe(self, fields):
        return f"只有最近一段（{fields[self.start].label}最晚的一行）可以不填{fields[self.end].label}，表示“至今”"


@dataclass(frozen=True)
class UniqueBy:
    """No two rows share the values of `keys` (one 年度考核 per year; one 教育教学 row per term)."""

    keys: tuple[str, ...]

    def check(self, rows, fields):
        if any(k not in fields for k in self.keys):
            return []
        seen: dict[tuple, object] = {}
        out = []
        for ref, v in rows:
            key = tuple(v.get(k) for k in self.keys)
            if any(x in (None, "") for x in key):
                continue
            if key in seen:
                labels = "、".join(fields[k].label for k in self.keys)
                shown = " ".join(fields[k].shown(v.get(k)) for k in self.keys)
                out.append((ref, self.keys[-1], f"“{shown}”重复：每个{labels}只能填一行"))
            else:
                seen[key] = ref
        return out

    def describe(self, fields):
        return f"同一教师每个{'、'.join(fields[k].label for k in self.keys)}只能有一行"


def unique_by(*keys: str) -> UniqueBy:
    return UniqueBy(tuple(keys))


def rule_keys(rule) -> set[str]:
    """The field keys a rule reads (a rule applies to a school type's variant only when it has them all)."""
    keys = {getattr(rule, a) for a in ("first", "then", "key", "other", "by", "start", "end", "small", "big")
            if isinstance(getattr(rule, a, None), str)}
    keys |= set(getattr(rule, "keys", ()))
    condition = getattr(rule, "condition", None)
    if condition is not None:
        keys.add(condition.key)
    return keys


def applicable(rules, fields) -> list:
    return [r for r in rules if rule_keys(r) <= set(fields)]

"""The password policy: what a new password must be. One function, used by every place that sets a
password a person chose (the password change; generated passwords are random and changed at first login)."""
from __future__ import annotations

import re

MIN_LENGTH = 8
MAX_LENGTH = 128
CLASSES = (("大写字母", re.compile(r"[A-Z]")), ("小写字母", re.compile(r"[a-z]")),
           ("数字", re.compile(r"[0-9]")), ("符号", re.compile(r"[^A-Za-z0-9]")))
# Patterns every guessing list starts with.
COMMON = ("password", "passw0rd", "qwerty", "abc123", "123456", "12345678", "admin", "welcome", "iloveyou", "88888888",
          "woaini", "5201314", "1314520", "hainan", "teacher", "jiaoshi", "letmein", "monkey", "dragon", "sunshine")
# How people dress a common word up to pass a class rule: P@ssw0rd is password.
LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"})
# Runs people type to meet a class rule: the alphabet, digits and keyboard rows, either way.
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc")
RUN = 3                 # abc, 123, qwe, aaa: a run from this length on counts as one guessable step
MIN_OUTSIDE_RUNS = 4    # characters a password keeps once its runs are taken out ("Abcd1234!" keeps one)
POLICY_TEXT = (f"密码至少 {MIN_LENGTH} 位，须包含大写字母、小写字母、数字、符号中的至少三类，"
               "不能包含账号、单位代码或身份证号码，不能是常见弱密码或主要由 abcd、1234、qwer、aaaa 这类连续字符组成")


def _follows(a: str, b: str) -> bool:
    return a == b or any(a + b in seq or b + a in seq for seq in SEQUENCES)


def _outside_runs(password: str) -> int:
    """How many characters are not part of a run of RUN or more that each follow the last."""
    text, outside, start = password.lower(), 0, 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _follows(text[i - 1], text[i]):
            if i - start < RUN:
                outside += i - start
            start = i
    return outside


def password_problem(password: str, *, username: str = "", id_number: str | None = None) -> str | None:
    """Why `password` is refused for the account, in words for the user, or None."""
    if len(password) < MIN_LENGTH:
        return f"新密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_LENGTH:
        return f"新密码不能超过 {MAX_LENGTH} 位"
    present = [name for name, pattern in CLASSES if pattern.search(password)]
    if len(present) < 3:
        return "新密码须包含大写字母、小写字母、数字、符号中的至少三类（当前只有" + ("、".join(present) or "无") + "）"
    lowered = password.lower()
    personal = {username.lower()} | set(username.lower().split("_"))
    if id_number:
        personal |= {id_number.lower(), id_number[-6:].lower(), id_number[6:14]}
    if any(len(p) >= 4 and p in lowered for p in personal):
        return "新密码不能包含账号、单位代码或身份证号码（含其后六位、出生日期）"
    undressed = lowered.translate(LEET)
    if any(word in lowered or word in undressed for word in COMMON):
        return "新密码过于常见，容易被猜中，请换一个"
    if any(len(password) % size == 0 and password == password[:size] * (len(password) // size)
           for size in range(1, len(password) // 2 + 1)):
        return "新密码是同一段字符的重复（如 Aa1!Aa1!），容易被猜中，请换一个"
    if _outside_runs(password) < MIN_OUTSIDE_RUNS:
        return "新密码主要由 abcd、1234、qwer、aaaa 这类连续或重复的字符组成，容易被猜中，请换一个"
    return None

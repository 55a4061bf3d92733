"""Supporting documents (scans) for key identity changes: checked by content, stored by hash.

Only PDF, PNG and JPEG are accepted, recognised by their first bytes (not the file name), up to
5 MB. Files are stored under instance/attachments/ named by their SHA-256, never by anything the
user typed, and are served only as downloads to users whose scope covers the record.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class AttachmentRefused(ValueError):
    pass


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def content_type(data: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def store(data: bytes) -> tuple[str, str, int]:
    """Save the bytes; returns (sha256, content type, size). Raises AttachmentRefused with a message."""
    if not data:
        raise AttachmentRefused("【证明材料】文件是空的，请重新选择扫描件")
    if len(data) > MAX_BYTES:
        raise AttachmentRefused(f"【证明材料】文件过大（{len(data) // 1024} KB），上限 5 MB")
    kind = content_type(data)
    if kind is None:
        raise AttachmentRefused("【证明材料】只接受 PDF、PNG 或 JPEG 格式的扫描件")
    sha = hashlib.sha256(data).hexdigest()
    path = _folder() / sha
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return sha, kind, len(data)


def load(sha: str) -> bytes | None:
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return None
    path = _folder() / sha
    return path.read_bytes() if path.exists() else None

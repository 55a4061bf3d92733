"""The org tree: province → city → county → school → teaching point, of uneven depth.

`path` is the materialised chain of codes ("/460000/460100/460105/2146000001/") so that
"this unit and everything below it" is one indexed prefix match.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base

ORG_KINDS = ("province", "city", "county", "school", "teaching_point")
ORG_KIND_LABELS = {"province": "省", "city": "地市", "county": "区县", "school": "学校", "teaching_point": "教学点"}
BUREAU_KINDS = ("province", "city", "county")

SCHOOL_TYPES = {
    "11": "幼儿园", "21": "小学", "31": "普通初中", "34": "普通高中",
    "36": "中等职业学校", "41": "普通高校", "51": "特殊教育学校",
}


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), nullable=True)
    school_type: Mapped[str | None] = mapped_column(String(4), nullable=True)
    legal_entity: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    division: Mapped[str | None] = mapped_column(String(12), nullable=True)
    path: Mapped[str] = mapped_column(String(200), nullable=False)
    depth: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    parent: Mapped["Org | None"] = relationship(remote_side="Org.id", lazy="joined", join_depth=4)

    __table_args__ = (Index("ix_orgs_path", "path"), Index("ix_orgs_parent", "parent_id"))

    @property
    def is_bureau(self) -> bool:
        return self.kind in BUREAU_KINDS

    @property
    def kind_label(self) -> str:
        return ORG_KIND_LABELS.get(self.kind, self.kind)

    @property
    def school_type_label(self) -> str:
        return SCHOOL_TYPES.get(self.school_type or "", "")

    def contains(self, other: "Org") -> bool:
        """True when `other` is this unit or below it."""
        return other.path.startswith(self.path)

    def __repr__(self):
        return f"<Org {self.code} {self.name}>"

"""SQLAlchemy models. Import from here: `from models import db, Org, User, Teacher, ...`."""
from .audit import AuditEntry, PasswordSheet
from .changes import ChangeRequest
from .db import Base, db, utcnow, write_intent
from .orgs import Org
from .process_admin import LaneMapping, ProcessDraft
from .scheduling import (
    MonthlyReport,
    Notification,
    NotificationContact,
    ReportSetting,
    SchedulerHeartbeat,
    SchedulerRun,
    UnitManager,
)
from .records_sets import ImportJob, RecordItem, RecordVersionItems
from .teachers import RecordVersion, Teacher
from .users import User
from .workflow import HumanTask, ProcessDefinition, ProcessInstance, WorkflowEvent

__all__ = [
    "MonthlyReport", "Notification", "NotificationContact", "ReportSetting", "SchedulerHeartbeat", "SchedulerRun",
    "UnitManager",
    "AuditEntry", "ChangeRequest", "Base", "HumanTask", "ImportJob", "Org", "PasswordSheet", "ProcessDefinition", "ProcessInstance",
    "RecordItem", "RecordVersion", "RecordVersionItems", "Teacher", "User", "WorkflowEvent", "db", "utcnow", "write_intent",
]
__all__ += ["LaneMapping", "ProcessDraft"]

# Transfers, rotation, statistics facts, training credits, progress reminders, API tokens.
from .mobility import (  # noqa: E402
    ApiToken, CreditEntry, CreditRequirement, Rotation, StatsState, TeacherFact, Transfer, UnitCount, UnitUrge,
)

__all__ += ["ApiToken", "CreditEntry", "CreditRequirement", "Rotation", "StatsState", "TeacherFact", "Transfer",
            "UnitCount", "UnitUrge"]

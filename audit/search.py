"""Reading and retention of the audit log: search within a subtree, purge past the retention period."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, false, func, or_, select

from accounts.policy import MASKED_ROLES, is_id_number_shaped

from models import AuditEntry, Org, User, db, write_intent

RETENTION_DAYS = 180
ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "login_disabled": "停用账号登录（拒绝）", "login_locked": "登录被锁定（拒绝）", "db_backup": "数据库备份", "db_restore": "数据库恢复", "logout": "退出", "password_changed": "修改密码",
    "password_reset": "重置密码", "accounts_generated": "生成单位账号", "password_sheet_downloaded": "下载初始密码表",
    "teacher_account_created": "创建教师账号", "teacher_accounts_imported": "批量创建教师账号",
    "teacher_account_withdrawn": "撤销误建账号", "record_saved": "保存档案", "collection_restarted": "重新发起信息采集", "record_submitted": "报送档案",
    "records_imported": "导入教师信息", "review_approve": "审核通过", "review_return": "审核退回",
    "task_claim": "领取任务", "task_unclaim": "释放任务",
    "change_proposed": "提出信息变更", "change_resubmitted": "重新提交变更", "change_withdrawn": "撤回变更",
    "addition_proposed": "补充信息", "addition_resubmitted": "重新提交补充", "addition_withdrawn": "撤回补充",
    "departure_proposed": "登记离岗", "record_item_added": "新增信息集记录", "record_item_changed": "修改信息集记录",
    "record_item_deleted": "删除信息集记录",
    "process.published": "发布流程版本", "process.uploaded": "上传流程图", "process.made_current": "设为当前版本",
    "process.draft_deleted": "删除流程草稿", "process.instances_migrated": "迁移流程实例",
    "manager_add": "添加单位负责人", "manager_changed": "修改单位负责人", "manager_remove": "移除单位负责人",
    "report_settings": "设置月报接收邮箱", "report_submit": "报送月报", "report_year_end": "报送年度总结",
    "records_exported": "导出教师信息", "record_set_imported": "导入信息集记录",
    "credit_entered": "录入学时", "credit_removed": "删除学时", "credits_imported": "导入平台学时",
    "credits_pushed": "接口推送学时", "credit_requirements_saved": "设置年度学时要求", "progress_urged": "催办下级单位",
    "transfer_applied": "申请调动", "teacher_transferred": "教师调动完成", "rotation_applied": "申请交流轮岗",
    "rotation_started": "交流轮岗开始", "rotation_finished": "交流轮岗结束",
    "api_token_created": "创建接口令牌", "api_token_revoked": "吊销接口令牌", "notification_settings": "设置通知方式",
    "process.instance_suspended": "挂起流程实例", "process.instance_resumed": "恢复流程实例",
    "process.instance_terminated": "终止流程实例", "process.instance_retried": "重试流程实例",
}


@dataclass
class AuditFilter:
    action: str = ""
    username: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    per_page: int = 50


def operator_filter_refused(viewer, username: str) -> bool:
    """A role that sees ID numbers masked may not filter by a teacher's login name (her ID number): an exact
    match would confirm a guessed number."""
    return viewer.role in MASKED_ROLES and is_id_number_shaped(username)


def audit_page(viewer, flt: AuditFilter):
    """Entries about the viewer's unit and everything below it, newest first."""
    in_subtree = Org.path.like(viewer.org.path + "%")
    # Failed logins under unknown names belong to no unit: the province (the root) sees them.
    conds = [or_(in_subtree, AuditEntry.org_id.is_(None)) if viewer.org.parent_id is None else in_subtree]
    if flt.action:
        conds.append(AuditEntry.action == flt.action)
    if flt.username:
        conds.append(false() if operator_filter_refused(viewer, flt.username) else User.username == flt.username)
    if flt.date_from:
        conds.append(AuditEntry.created_at >= dt.datetime.combine(flt.date_from, dt.time.min, dt.timezone.utc))
    if flt.date_to:
        conds.append(AuditEntry.created_at < dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time.min,
                                                                 dt.timezone.utc))
    base = (select(AuditEntry, User, Org).outerjoin(Org, AuditEntry.org_id == Org.id)
            .outerjoin(User, AuditEntry.user_id == User.id).where(and_(*conds)))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, (total + flt.per_page - 1) // flt.per_page)
    flt.page = min(flt.page, pages)
    rows = db.session.execute(base.order_by(AuditEntry.id.desc()).limit(flt.per_page)
                              .offset((flt.page - 1) * flt.per_page)).all()
    return rows, total, pages


def purge_older_than(days: int, now: dt.datetime | None = None) -> int:
    """Delete entries older than `days` (never fewer than the 180-day retention). Returns the count."""
    if days < RETENTION_DAYS:
        raise ValueError(f"审计日志至少保留 {RETENTION_DAYS} 天")
    cutoff = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=days)
    with write_intent():
        result = db.session.execute(delete(AuditEntry).where(AuditEntry.created_at < cutoff))
        db.session.commit()
    return result.rowcount or 0

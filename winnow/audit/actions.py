"""The closed set of audit actions. `audit_record` accepts nothing else.

The values are stored in every event and covered by the hash chain, so an existing value never changes: a new
kind of event is a new member. Reads of one object are `<model name>.read` (what `audit_read` has always
written); searches, lists and dashboards have their own names.
"""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    # --- changes -------------------------------------------------------------------------------------------
    REFERRAL_CREATE = "referral.create", "Referral recorded"
    SUBJECT_CREATE = "subject.create", "Subject recorded"
    IMPORT_CREATE = "import.create", "Referral file imported"
    REFERRAL_TRANSITION = "referral.transition", "Referral moved on"
    REFERRAL_PRIORITISE = "referral.prioritise", "Referral re-prioritised"
    REFERRAL_ASSIGN = "referral.assign", "Referral assigned"
    REFERRAL_ACTION = "referral.action", "Case action recorded"
    REFERRAL_CORRECT = "referral.correct", "Intake fact corrected"
    REFERRAL_SUBJECT_ADD = "referral.subject_add", "Person added to a referral"
    CYBERTIPLINE_IMPORT = "cybertipline.import", "CyberTipline package imported"
    LINK_CREATE = "link.create", "Identifier link found"
    LINK_KNOWN_ELSEWHERE = "link.known_elsewhere", "Known to another unit"
    NOTIFICATION_CREATE = "notification.create", "Notification sent"
    NOTIFICATION_READ = "notification.read", "Notification opened"
    LINKAGE_RUN = "linkage.run", "Person linkage run"
    PROPOSAL_DECIDE = "proposal.decide", "Link proposal decided"
    MERGE_UNDO = "merge.undo", "Merge undone"
    ASSESSMENT_CREATE = "assessment.create", "Assessment recorded"
    BANDDECISION_CREATE = "banddecision.create", "Band confirmed or overridden"
    YOUTHPATHWAYDECISION_CREATE = "youthpathwaydecision.create", "Youth pathway decided"
    OFFENDER_REGISTER = "offender.register", "Offender registered"
    OFFENDER_PLAN = "offender.plan", "Offender plan revised"
    OFFENDER_CONTACT = "offender.contact", "Offender contact logged"
    OFFENDER_REVIEW = "offender.review", "Offender review recorded"
    OFFENDER_REACTIVE = "offender.reactive", "Reactive-management decision"
    OFFENDER_INTELLIGENCE = "offender.intelligence", "New intelligence on an offender"
    APITOKEN_CREATE = "apitoken.create", "API token issued"
    HASHSET_IMPORT = "hashset.import", "Hash set imported"
    EXHIBIT_CREATE = "exhibit.create", "Exhibit recorded"
    SCANRESULT_STORE = "scanresult.store", "Scan result stored"
    COLLECTIONSUMMARY_COMPUTE = "collectionsummary.compute", "Collection summary computed"
    SUGGESTION_CONFIRM = "suggestion.confirm", "Suggestion confirmed"
    # --- working with other units (winnow.partners) and NCMEC report handling ------------------------------
    DECONFLICTION_CREATE = "deconfliction.create", "Linked to another unit's referral or offender"
    INFORMATION_REQUEST = "information.request", "Request for information sent to another unit"
    INFORMATION_ANSWER = "information.answer", "Request for information answered"
    VIRAL_GROUP_WORK = "viralgroup.work", "Reports about one viral file worked once"
    # --- sign-in and administration (winnow.signin) --------------------------------------------------------
    SIGNIN_LOGIN = "signin.login", "Signed in (password)"
    SIGNIN_FAILED = "signin.failed", "Sign-in failed"
    SIGNIN_LOGOUT = "signin.logout", "Signed out"
    SIGNIN_LOCKOUT = "signin.lockout", "Locked out after repeated failures"
    SIGNIN_UNLOCK = "signin.unlock", "Lockout lifted by an administrator"
    SIGNIN_IDLE_TIMEOUT = "signin.idle_timeout", "Signed out: idle or session too old"
    MFA_ENROL = "mfa.enrol", "Two-step verification set up"
    MFA_VERIFY = "mfa.verify", "Second factor accepted"
    MFA_FAILED = "mfa.failed", "Second factor refused"
    MFA_RECOVERY_CODES = "mfa.recovery_codes", "New recovery codes made"
    MFA_RESET = "mfa.reset", "Two-step verification reset by an administrator"
    PASSWORD_CHANGE = "password.change", "Password changed by its owner"
    PASSWORD_SET = "password.set", "Password set by an administrator"
    ADMIN_ADD = "admin.add", "Administrator added a record"
    ADMIN_CHANGE = "admin.change", "Administrator changed a record"
    ADMIN_DELETE = "admin.delete", "Administrator deleted a record"
    MEMBERSHIP_GRANT = "membership.grant", "Role granted in a unit"
    MEMBERSHIP_CHANGE = "membership.change", "Role in a unit changed"
    MEMBERSHIP_REVOKE = "membership.revoke", "Role in a unit removed"
    SERIES_FORM = "series.form", "Victim-identification series formed or grown"
    SERIES_TRANSITION = "series.transition", "Victim-identification series moved on"
    SERIES_KNOWN = "series.known", "Series members found in a newly loaded hash set"
    SERIES_EXPORT = "series.export", "Series exported for a national database"
    SERIES_LOCATION = "series.location", "Series location data requested"
    TRAINING_ATTEMPT = "training.attempt", "Training vignette completed"
    TRAINING_STANDARD = "training.standard", "Training pass standard set"
    TRAINING_MODULE = "training.module", "Knowledge module completed"
    SECONDCODING_CREATE = "secondcoding.create", "Blind second coding recorded"
    SAFEGUARDING_DUE = "safeguarding.due", "Safeguarding referral due (a child at risk)"
    SAFEGUARDING_RECORD = "safeguarding.record", "Safeguarding referral recorded"
    SAFEGUARDING_WITHDRAW = "safeguarding.withdraw", "Safeguarding concern withdrawn by a supervisor (none needed)"
    SAFEGUARDING_REVISE = "safeguarding.revise", "Safeguarding referral corrected or its strategy discussion recorded"
    OFFENDER_CORRECT = "offender.correct", "Offender registration fact corrected"
    TRANSFER_REQUEST = "transfer.request", "Transfer to another unit requested"
    TRANSFER_ACCEPT = "transfer.accept", "Transfer accepted: the referral moved unit"
    TRANSFER_DECLINE = "transfer.decline", "Transfer declined"
    REFERRAL_EXPORT = "referral.export", "Referral exported as a signed package"
    REFERRAL_PACKAGE_IMPORT = "referral.package_import", "Referral package imported from another installation"
    REFERRAL_PACKAGE_REFUSED = "referral.package_refused", "Referral package refused"
    # --- reads of one person's or referral's data (invariant 5) --------------------------------------------
    REFERRAL_READ = "referral.read", "Referral read"
    RAWPACKAGE_READ = "rawpackage.read", "Raw package downloaded"
    SUBJECT_READ = "subject.read", "Subject read"
    ASSESSMENT_READ = "assessment.read", "Assessment read"
    MANAGEDOFFENDER_READ = "managedoffender.read", "Managed offender read"
    LINKPROPOSAL_READ = "linkproposal.read", "Link proposal read"
    PERSON_READ = "person.read", "Linked person read"
    EXHIBIT_READ = "exhibit.read", "Exhibit read"
    SERIES_READ = "series.read", "Victim-identification series read"
    REFERRAL_ACTIONS_READ = "referral.actions.read", "Case actions read"
    DECONFLICTION_READ = "deconfliction.read", "Cross-unit link read"
    INFORMATIONREQUEST_READ = "informationrequest.read", "Request for information read"
    VIRALGROUP_READ = "viralgroup.read", "Viral-file group read"
    REFERRAL_SAFEGUARDING_READ = "referral.safeguarding.read", "Safeguarding referrals read"
    SAFEGUARDINGREFERRAL_READ = "safeguardingreferral.read", "Safeguarding referral read"
    TRANSFER_READ = "transfer.read", "Transfer read (with what the sending unit held)"
    JOB_READ = "job.read", "Upload job read (its files, result or errors)"
    # --- lists, searches and dashboards (no single object) -------------------------------------------------
    REFERRAL_LIST = "referral.list", "Referrals listed"
    QUEUE_LIST = "queue.list", "Queue read"
    QUEUE_MINE = "queue.mine", "My work read"
    PROPOSAL_LIST = "proposal.list", "Link proposals listed"
    NOTIFICATION_LIST = "notification.list", "Notifications listed"
    OFFENDER_LIST = "offender.list", "Offenders dashboard read"
    DASHBOARD_READ = "dashboard.read", "Dashboard read"
    DASHBOARD_EXPORT = "dashboard.export", "Dashboard table exported"
    FORECAST_READ = "forecast.read", "Capacity forecast read"
    AUDIT_SEARCH = "audit.search", "Audit trail searched"
    HASHSET_LIST = "hashset.list", "Hash sets listed"
    TASK_LIST = "task.list", "Task page read"
    OUTCOME_RECORD = "outcome.record", "Outcome recorded"
    OUTCOME_CORRECT = "outcome.correct", "Outcome corrected"
    OUTCOME_FOLLOW_UP = "outcome.follow_up", "Outcome follow-up recorded"
    VALIDATION_REPORT = "validation.report", "Validation report read"
    VALIDATION_EXPORT = "validation.export", "Validation table exported"
    TODAY_LIST = "today.list", "Landing page read"
    CASEFACTS_RECORD = "casefacts.record", "Case facts recorded"
    CASEFACTS_CORRECT = "casefacts.correct", "Case facts corrected"
    CASEFACTS_READ = "casefacts.read", "Case facts read"
    TRENDS_READ = "trends.read", "Offending trends read"
    TRENDS_EXPORT = "trends.export", "Offending trends table exported"
    RESEARCH_EXPORT = "research.export", "Research export written"
    RESEARCH_EXPORT_REFUSED = "research.export_refused", "Research export refused"
    RESEARCH_EXPORT_APPROVE = "research.export_approve", "Research export approved"
    RESEARCH_EXPORT_LIST = "research.export_list", "Research export approvals listed"
    SERIES_QUEUE = "series.queue", "Victim-identification queue read"
    SERIES_LIST = "series.list", "Series listed"
    TRAINING_SUPERVISION = "training.supervision", "Training and agreement report read"
    DOUBLECODING_LIST = "doublecoding.list", "Double-coding offers listed"
    PARTNERS_LIST = "partners.list", "Cross-unit links and requests listed"
    CYBERTIP_REPORTS_LIST = "cybertip.reports.list", "Informational reports and viral groups listed"
    SAFEGUARDING_LIST = "safeguarding.list", "Safeguarding referrals due listed"
    TRANSFER_LIST = "transfer.list", "Transfers listed"

    @classmethod
    def read_of(cls, model_name: str) -> AuditAction:
        """The read action for one object of a model; ValueError when no read of that model is declared."""
        return cls(f"{model_name}.read")


SEARCHES = frozenset({
    AuditAction.REFERRAL_LIST, AuditAction.QUEUE_LIST, AuditAction.QUEUE_MINE, AuditAction.PROPOSAL_LIST,
    AuditAction.NOTIFICATION_LIST, AuditAction.OFFENDER_LIST, AuditAction.DASHBOARD_READ,
    AuditAction.DASHBOARD_EXPORT, AuditAction.FORECAST_READ, AuditAction.AUDIT_SEARCH, AuditAction.HASHSET_LIST,
    AuditAction.TASK_LIST, AuditAction.VALIDATION_REPORT, AuditAction.VALIDATION_EXPORT,
    AuditAction.TRENDS_READ, AuditAction.TRENDS_EXPORT, AuditAction.RESEARCH_EXPORT_LIST,
    AuditAction.SERIES_QUEUE, AuditAction.SERIES_LIST,
    AuditAction.TRAINING_SUPERVISION, AuditAction.DOUBLECODING_LIST, AuditAction.TODAY_LIST,
    AuditAction.PARTNERS_LIST, AuditAction.CYBERTIP_REPORTS_LIST,
    AuditAction.SAFEGUARDING_LIST,
    AuditAction.TRANSFER_LIST,
})
# Reads of one object. Opening a notification is a change (it marks the notification read), not one of these.
READS = frozenset(a for a in AuditAction if a.value.endswith(".read")) - SEARCHES - {AuditAction.NOTIFICATION_READ}

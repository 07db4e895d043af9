"""All models, imported here so that metadata knows every table."""

from .audit import AuditEvent, AuditLogIsAppendOnly
from .base import Base, utcnow
from .case import CannedReply, Case, CaseLink, CaseMessage, ChecklistItem
from .committee import ConflictOfInterest, Decision, Review
from .community import (
    CommitteeProfile,
    Guideline,
    GuidelineRevision,
    JoinRequest,
    OrganisationContact,
    Placement,
)
from .groups import Membership, Referral, WorkingGroup
from .organisation import Organisation, normalise_name
from .outbox import OutboxMessage
from .user import RoleGrant, User

__all__ = [
    "AuditEvent", "AuditLogIsAppendOnly", "Base", "CannedReply", "Case", "CaseLink",
    "CaseMessage", "ChecklistItem", "CommitteeProfile", "ConflictOfInterest", "Decision",
    "Guideline", "GuidelineRevision", "JoinRequest", "Membership", "Organisation",
    "OrganisationContact", "OutboxMessage", "Placement", "Referral", "Review", "RoleGrant",
    "User", "WorkingGroup", "normalise_name", "utcnow",
]

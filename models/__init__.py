"""What exists: every model, importable from one place."""

# Imported for their session hooks, which keep stock on hand with every movement, the care
# summary with every care record and the index of names with every name.
from models import care_summary, money_keeping, name_index, stock  # noqa: F401
from models.accounts import User
from models.activities import (
    Activity,
    ActivityParticipant,
    ActivitySeries,
    activity_series_child,
    activity_series_volunteer,
    activity_volunteer,
)
from models.audit import AuditEntry
from models.care import CareMonth, CareRecord, Pairing
from models.consent import Consent, DataRequest, ExportRequest
from models.duties import DutyRule
from models.figures import KeptFigures
from models.imports import RosterUpload
from models.inventory import ResourceItem, StockMovement
from models.money import MoneyEntry
from models.moves import ChildMove
from models.name_index import NameGram
from models.people import Assistance, Child, Guardian, ParentContact, Volunteer
from models.places import ActivityKind, Home, ResourceCategory, VolunteerOrganisation
from models.rounds import CareRound, RoundGift, care_round_child, care_round_home
from models.terms import SchoolTerm

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityParticipant",
    "ActivitySeries",
    "Assistance",
    "AuditEntry",
    "CareMonth",
    "CareRecord",
    "CareRound",
    "Child",
    "ChildMove",
    "Consent",
    "DataRequest",
    "DutyRule",
    "ExportRequest",
    "Guardian",
    "Home",
    "KeptFigures",
    "MoneyEntry",
    "NameGram",
    "Pairing",
    "ParentContact",
    "ResourceCategory",
    "ResourceItem",
    "RosterUpload",
    "RoundGift",
    "SchoolTerm",
    "StockMovement",
    "User",
    "Volunteer",
    "VolunteerOrganisation",
    "activity_series_child",
    "activity_series_volunteer",
    "activity_volunteer",
    "care_round_child",
    "care_round_home",
]

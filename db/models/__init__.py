"""Every table of leadbot; import from here so that Base.metadata is complete."""

from db.models.activities import Activity
from db.models.crm import Communication, Company, Contact, Deal, Exclusion
from db.models.delivery import Outbox, PostedCard
from db.models.dialogs import DialogState
from db.models.directories import JunkReason, LeadStatus, Source
from db.models.forms import FormHit, WebForm
from db.models.history import HistoryEntry
from db.models.leads import Lead
from db.models.users import Invite, User

__all__ = [
    "Activity",
    "Communication",
    "Company",
    "Contact",
    "Deal",
    "DialogState",
    "Exclusion",
    "FormHit",
    "HistoryEntry",
    "Invite",
    "JunkReason",
    "Lead",
    "LeadStatus",
    "Outbox",
    "PostedCard",
    "Source",
    "User",
    "WebForm",
]

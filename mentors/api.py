"""The research-along app's public names: the only ones other apps import
from mentors (docs/decisions/0090-app-apis-and-import-contracts.md)."""

from .constants import PairingStatus
from .models import ActivityEvidence, ResearchActivity, ResearchOutput, ResearchPairing
from .seeding import research_along_demo_seed

__all__ = [
    # A teacher's research-along records (their personal data; cohort progress).
    "ActivityEvidence",
    "PairingStatus",
    "ResearchActivity",
    "ResearchOutput",
    "ResearchPairing",
    # The demo pairings, seeded by lms.demo.
    "research_along_demo_seed",
]

"""The names of the lms core that other apps import."""

# Completions announced across the academy (lms.events).
from lms.events import (
    REFUSED_NO_CERTIFICATE_TEMPLATE,
    Completion,
    CompletionKind,
    CompletionRefused,
    completion_announce,
    completion_recorded,
)

__all__ = [
    "REFUSED_NO_CERTIFICATE_TEMPLATE",
    "Completion",
    "CompletionKind",
    "CompletionRefused",
    "completion_announce",
    "completion_recorded",
]

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    COURSE_COMPLETION = "course", _("Course completion")
    COHORT_QUALIFICATION = "cohort", _("Cohort qualification")
    RESEARCH_ALONG = "research", _("Research-along completion")
    HOURS_TRANSCRIPT = "transcript", _("Yearly hours transcript")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class Orientation(models.TextChoices):
    PORTRAIT = "portrait", _("Portrait")
    LANDSCAPE = "landscape", _("Landscape")


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class BatchItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Issued")
    FAILED = "failed", _("Failed")


# The placeholders a template's text may use, and what each stands for.
PLACEHOLDERS = {
    "name": _("the holder's name"),
    "subject": _("what is certified: the course, cohort or project"),
    "hours": _("the training hours"),
    "start_date": _("the first day"),
    "end_date": _("the last day"),
    "issued_on": _("the date of issue"),
    "year": _("the year"),
    "serial": _("the serial number"),
    "school": _("the holder's school"),
}

# Check codes avoid letters and digits that read alike (0/O, 1/I/L).
CHECK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_CODE_LENGTH = 6
# secrets.token_urlsafe(32): 256 bits, 43 characters of [A-Za-z0-9_-].
TOKEN_BYTES = 32
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"

LOG_ISSUE = "certificates.issue"
LOG_REVOKE = "certificates.revoke"
LOG_REISSUE = "certificates.reissue"

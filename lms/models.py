"""The lms app's models. Each concern keeps its own in its package
(people, ledger, cohorts, imports) and the task outbox's PendingTask in
lms.outbox_models; all are imported here, so Django finds them under the
app label ``lms`` and older references (migrations) still resolve.

Only the upper layer and tests import from this module: it imports the
cohorts' models. The lms core imports each package's own models module,
and other apps import lms.api.
"""
from lms.cohorts.models import (  # noqa: F401  (re-exported)
    NOMINATION_FOLDER,
    AssessmentResult,
    Cohort,
    CohortAssessment,
    CohortHoursRequirement,
    CohortMembership,
    MembershipTransition,
    NominationAttachment,
    nomination_upload_to,
)
from lms.imports.models import IMPORT_FOLDER, ImportBatch, import_upload_to  # noqa: F401
from lms.ledger.models import (  # noqa: F401
    LEDGER_EVIDENCE_FOLDER,
    AppendOnlyQuerySet,
    CreditCap,
    CreditTally,
    Target,
    TeacherYearTally,
    TrainingCredit,
)
from lms.outbox_models import PendingTask  # noqa: F401
from lms.people.models import (  # noqa: F401
    PRIMARY_SCIENCE_MASTER,
    District,
    DistrictGroupObjectPermission,
    DistrictUserObjectPermission,
    School,
    TeacherProfile,
    mask_chinese_name,
    mobile_phone_validator,
)

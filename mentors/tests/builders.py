"""Test builders of the research-along app that go through its services
(the model factories are in ``factories.py``)."""

from mentors import services
from mentors.constants import ActivityKind

from .factories import days_ago


def activity_logged(pairing, *, hours="1.5", on=None, files=(), user=None, **kwargs):
    """An activity the pairing's teacher (or ``user``) logged through the
    service: a lab session yesterday unless told otherwise."""
    return services.pairing_activity_log(
        pairing=pairing,
        user=user or pairing.teacher.user,
        occurred_on=on or days_ago(1),
        kind=kwargs.pop("kind", ActivityKind.LAB_SESSION),
        hours=hours,
        description=kwargs.pop("description", "在课题组实验室学习PCR检测"),
        evidence_files=files,
    )

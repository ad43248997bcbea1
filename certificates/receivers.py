"""Completions elsewhere in the academy earn their certificates here.

Courses, mentors and cohorts know nothing of certificates: each announces
"completion recorded" (``lms.api.completion_announce``) inside the
transaction that records the completion, and ``completion_certificate_promise``
runs there, connected in ``CertificatesConfig.ready``. It promises exactly one
``certificate_issue_task`` through the outbox: the promise commits or rolls
back with the completion and reaches the broker once it has committed, so a
broker that is down delays the certificate but never loses it. Issuing is
idempotent (one valid certificate per holder and thing certified), and the
announcing services announce a completion once, so one completion is one
certificate however often it is reported. See
docs/decisions/0095-one-completion-event.md.
"""

from lms.api import REFUSED_NO_CERTIFICATE_TEMPLATE, CompletionKind, CompletionRefused

from .constants import CertificateKind
from .services import NO_TEMPLATE, certificate_issue_later, template_default

CERTIFICATE_KIND = {
    CompletionKind.COURSE: CertificateKind.COURSE_COMPLETION,
    CompletionKind.RESEARCH_ALONG: CertificateKind.RESEARCH_ALONG,
    CompletionKind.COHORT: CertificateKind.COHORT_QUALIFICATION,
}


def completion_certificate_promise(sender, *, completion, **kwargs):
    """Promise the certificate a completion earns. A completion that needs
    its certificate (``certificate_required``) is refused without HR's
    default template; any other finds the template in the worker, which
    issues nothing (and logs it) when there is none, so the completion
    stands and HR can issue in bulk later."""
    if not completion.earns_certificate:
        return
    kind = CERTIFICATE_KIND[completion.kind]
    template = None
    if completion.certificate_required:
        template = template_default(kind)
        if template is None:
            raise CompletionRefused(NO_TEMPLATE, code=REFUSED_NO_CERTIFICATE_TEMPLATE, params={"kind": kind.label})
    certificate_issue_later(
        kind=kind,
        holder_pk=completion.teacher_pk,
        subject_object=completion.subject,
        subject_label=completion.title,
        hours=completion.hours,
        started_on=completion.started_on,
        completed_on=completion.occurred_on,
        template=template,
        ref=completion.source_key,
    )

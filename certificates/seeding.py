"""The demo academy's certificates: a default template per kind, in Chinese,
and a few certificates for demo teachers (one revoked, one reissued), so
``make run`` shows every state. Only a handful of teachers get certificates
whatever ``--teachers`` says: rendering PDFs for tens of thousands of demo
teachers would blow seed_demo's time budget and show nothing more."""

import datetime

from django.db import transaction
from django.db.models import Max, Min, Sum

from lms.api import TeacherProfile, TrainingCredit

from .constants import CertificateKind, Orientation
from .models import CertificateTemplate
from .services import certificate_issue, certificate_reissue, certificate_revoke, certificate_transcript_issue

ISSUER = "济南市科学教育教师网络研修学院"
DEMO_TEACHER_USERNAME = "teacher"
OTHER_HOLDERS = 5

DEFAULT_TEMPLATES = [
    {
        "name": "结业证书（默认）",
        "kind": CertificateKind.COURSE_COMPLETION,
        "title": "结业证书",
        "body": (
            "{name} 同志：\n"
            "　　于{start_date}至{end_date}参加{subject}，完成全部学习任务，经考核合格，计 {hours} 学时，准予结业。\n"
            "　　特发此证。"
        ),
        "orientation": Orientation.LANDSCAPE,
    },
    {
        "name": "研修资格证书（默认）",
        "kind": CertificateKind.COHORT_QUALIFICATION,
        "title": "资格证书",
        "body": "{name} 同志：\n　　经推荐、集中培训与专业能力考核，确认为{subject}。\n　　特发此证。",
        "orientation": Orientation.LANDSCAPE,
    },
    {
        "name": "科研跟学结业证书（默认）",
        "kind": CertificateKind.RESEARCH_ALONG,
        "title": "科研跟学结业证书",
        "body": (
            "{name} 同志：\n"
            "　　于{start_date}至{end_date}参加“{subject}”科研跟学项目，在导师指导下完成跟学任务，累计 {hours} 学时。\n"
            "　　特发此证。"
        ),
        "orientation": Orientation.LANDSCAPE,
    },
    {
        "name": "学时证明（默认）",
        "kind": CertificateKind.HOURS_TRANSCRIPT,
        "title": "{year}年度继续教育学时证明",
        "body": "兹证明 {name}（{school}）{year} 年度参加继续教育培训共计 {hours} 学时，明细如下。",
        "orientation": Orientation.PORTRAIT,
    },
]


def demo_templates_create():
    templates = {}
    for spec in DEFAULT_TEMPLATES:
        template = CertificateTemplate(
            **spec, is_default=True, issuer_name=ISSUER, signatory_1_name="王建国", signatory_1_title="院长",
            signatory_2_name="李秀英", signatory_2_title="师训处处长",
        )
        template.full_clean()
        template.save()
        templates[spec["kind"]] = template
    return templates


def _trainings(teacher, year):
    """The teacher's trainings of ``year`` as the ledger names them, with hours and dates."""
    return list(
        TrainingCredit.objects.filter(teacher=teacher, year=year)
        .exclude(evidence_label="")
        .values("evidence_label")
        .annotate(hours=Sum("hours"), first=Min("occurred_on"), last=Max("occurred_on"))
        .filter(hours__gt=0)
        .order_by("evidence_label")[:3]
    )


def _course_certificate(teacher, training, template):
    return certificate_issue(
        kind=CertificateKind.COURSE_COMPLETION, holder=teacher, subject_key=f"demo-training:{training['evidence_label']}",
        subject_label=training["evidence_label"], hours=training["hours"], started_on=training["first"],
        completed_on=training["last"], template=template, notify=False,
    ).certificate


@transaction.atomic
def demo_certificates_seed(*, today=None):
    """Returns how many certificates were issued."""
    today = today or datetime.date.today()
    last_year = today.year - 1
    templates = demo_templates_create()
    demo = TeacherProfile.objects.select_related("school", "user").filter(user__username=DEMO_TEACHER_USERNAME).first()
    others = list(
        TeacherProfile.objects.select_related("school", "user")
        .exclude(user__username=DEMO_TEACHER_USERNAME)
        .filter(credits__year=last_year)
        .distinct()
        .order_by("pk")[:OTHER_HOLDERS]
    )
    issued = 0
    if demo is not None:
        certificate_transcript_issue(teacher=demo, year=last_year, template=templates[CertificateKind.HOURS_TRANSCRIPT],
                                     notify=False)
        trainings = _trainings(demo, last_year)
        for training in trainings[:1]:
            _course_certificate(demo, training, templates[CertificateKind.COURSE_COMPLETION])
        if len(trainings) > 1:
            # Reissued: the first print had the wrong dates.
            first = _course_certificate(demo, trainings[1], templates[CertificateKind.COURSE_COMPLETION])
            certificate_reissue(certificate=first, notify=False)
            issued += 1
        certificate_issue(
            kind=CertificateKind.COHORT_QUALIFICATION, holder=demo, subject_key=f"demo-cohort:subject-leader:{last_year}",
            subject_label=f"{last_year}年度济南市小学科学学科带头人培养对象", started_on=datetime.date(last_year, 3, 1),
            completed_on=datetime.date(last_year, 12, 20), template=templates[CertificateKind.COHORT_QUALIFICATION],
            notify=False,
        )
        issued += 1 + min(len(trainings), 2) + 1
    for index, teacher in enumerate(others):
        trainings = _trainings(teacher, last_year)
        if not trainings:
            continue
        certificate = _course_certificate(teacher, trainings[0], templates[CertificateKind.COURSE_COMPLETION])
        issued += 1
        if index == 0:
            certificate_revoke(certificate=certificate, reason="学时记录重复，已更正，证书作废。", notify=False)
    return issued



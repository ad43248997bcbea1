import factory

from certificates.constants import CertificateKind, Orientation
from certificates.models import CertificateTemplate
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district, user_with_role  # noqa: F401


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateTemplate

    name = factory.Sequence(lambda n: f"结业证书模板{n}")
    kind = CertificateKind.COURSE_COMPLETION
    is_default = False
    title = "结业证书"
    body = "{name} 老师：\n您参加了“{subject}”培训，完成全部学习任务，共计 {hours} 学时，准予结业。\n培训时间：{start_date}至{end_date}"
    signatory_1_name = "王建国"
    signatory_1_title = "院长"
    orientation = Orientation.LANDSCAPE


class TranscriptTemplateFactory(CertificateTemplateFactory):
    name = factory.Sequence(lambda n: f"学时证明模板{n}")
    kind = CertificateKind.HOURS_TRANSCRIPT
    title = "{year}年度培训学时证明"
    body = "兹证明 {name}（{school}）{year} 年度参加继续教育培训共计 {hours} 学时，明细如下。"
    orientation = Orientation.PORTRAIT

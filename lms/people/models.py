
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from lms.constants import Degree, DistrictKind, Locality, ProfessionalTitle, Stage, Subject

mobile_phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
)


class District(models.Model):
    """A county-level division of Jinan, or a functional zone that runs schools."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DistrictKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        permissions = [("manage_district", _("Can manage the people of this district"))]

    def __str__(self):
        return self.name


class DistrictUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(District, on_delete=models.CASCADE)


class DistrictGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(District, on_delete=models.CASCADE)


class School(models.Model):
    code = models.CharField(_("school code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="schools"
    )
    has_primary = models.BooleanField(_("primary stage"), default=False)
    has_junior = models.BooleanField(_("junior secondary stage"), default=False)
    has_senior = models.BooleanField(_("senior secondary stage"), default=False)
    locality = models.CharField(_("urban or rural"), max_length=8, choices=Locality.choices)


    class Meta:
        ordering = ["district__sort_order", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(has_primary=True) | models.Q(has_junior=True) | models.Q(has_senior=True),
                name="school_has_a_stage",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_rural(self):
        return self.locality == Locality.RURAL

    @property
    def stages(self):
        flags = {Stage.PRIMARY: self.has_primary, Stage.JUNIOR: self.has_junior, Stage.SENIOR: self.has_senior}
        return [stage for stage, present in flags.items() if present]

    def get_stages_display(self):
        return "、".join(str(stage.label) for stage in self.stages)


# A primary science teacher with a science or engineering master's, as the
# plan counts them: teaching the primary stage with science as the main or
# second subject (many primary science classes are taught by a maths or IT
# teacher). The dashboards' coverage target and its index share this.
PRIMARY_SCIENCE_MASTER = models.Q(is_science_engineering_master=True, stage=Stage.PRIMARY) & (
    models.Q(subject=Subject.SCIENCE) | models.Q(second_subject=Subject.SCIENCE)
)


class TeacherProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="teacher_profile"
    )
    real_name = models.CharField(_("real name"), max_length=64)
    name_romanised = models.CharField(_("romanised name"), max_length=128, blank=True)
    staff_number = models.CharField(_("staff number"), max_length=32, unique=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[mobile_phone_validator])
    # Empty for a teacher between schools: they keep their account and
    # history, but nothing can be credited until a school is set.
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="teachers", null=True
    )
    subject = models.CharField(_("main subject"), max_length=16, choices=Subject.choices)
    second_subject = models.CharField(_("second subject"), max_length=16, choices=Subject.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    title = models.CharField(
        _("professional title"), max_length=20, choices=ProfessionalTitle.choices, default=ProfessionalTitle.UNRANKED
    )
    degree = models.CharField(_("highest degree"), max_length=12, choices=Degree.choices, default=Degree.BACHELOR)
    is_science_engineering_master = models.BooleanField(_("science or engineering master's"), default=False)
    teaching_since = models.PositiveSmallIntegerField(_("teaching since (year)"), null=True, blank=True)
    is_science_vice_principal = models.BooleanField(_("science vice-principal"), default=False)
    is_lab_manager = models.BooleanField(_("lab manager"), default=False)
    is_teaching_researcher = models.BooleanField(_("teaching researcher"), default=False)
    is_backbone_teacher = models.BooleanField(_("backbone teacher"), default=False)
    is_science_tech_tutor = models.BooleanField(_("science-tech tutor"), default=False)
    is_part_time_science_teacher = models.BooleanField(_("part-time science teacher"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)


    class Meta:
        ordering = ["staff_number"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        indexes = [
            models.Index(fields=["school", "subject"]),
            # The dashboards' coverage targets ask, school by school, whether
            # one such teacher exists; these keep that to an index probe.
            models.Index(
                fields=["school"], condition=models.Q(is_science_vice_principal=True), name="teacher_school_sci_vp_idx"
            ),
            models.Index(fields=["school"], condition=PRIMARY_SCIENCE_MASTER, name="teacher_school_pri_sci_mst_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_science_engineering_master=False)
                | models.Q(degree__in=["master", "doctorate"]),
                name="teacher_sci_master_needs_degree",
            )
        ]

    def __str__(self):
        return f"{self.real_name} ({self.staff_number})"

    @property
    def district(self):
        return self.school.district if self.school_id else None

    @property
    def masked_name(self):
        return mask_chinese_name(self.real_name)

    def positions(self):
        from lms.constants import POSITION_FIELDS

        return [position for position, field in POSITION_FIELDS.items() if getattr(self, field)]


def mask_chinese_name(name):
    """Mask a name for public pages: 张伟 → 张*, 张小伟 → 张*伟, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]



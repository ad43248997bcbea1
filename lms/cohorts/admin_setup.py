"""Cohort set-up: a ModelViewSet for HR and academy admins, with the
cohort's requirements as inline panels."""

from django import forms
from django.forms.formsets import DEFAULT_MAX_NUM
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet

from lms.admin_base import display_column
from lms.cohorts.models import Cohort
from lms.constants import CohortKind, Role, Stage, Subject

OLYMPIAD_SUBJECT_REQUIRED = _("An Olympiad-coach cohort needs its Olympiad subject.")
OLYMPIAD_SUBJECT_ONLY_FOR_COACHES = _("Only Olympiad-coach cohorts have an Olympiad subject.")
ROWS_ALTERED = _("The rows of this form were altered and cannot be saved. Reload the page and enter them again.")

# The most rows a formset builds (Django's absolute_max for the default max_num).
FORMSET_ABSOLUTE_MAX = 2 * DEFAULT_MAX_NUM


def _child_row_ids_checked(data):
    """``(data, altered)``: the inline rows' ids checked before modelcluster
    reads them. Its child formsets read ``<prefix>-<i>-id`` of every row
    below ``INITIAL_FORMS`` without the guard Django's model formsets have,
    so a forged count or id was a server error. A missing or non-numeric id
    is blanked here (the row builds as a new one) and the form refuses to
    save with ``ROWS_ALTERED``."""
    altered, checked = False, None
    for key in list(data.keys()):
        if not key.endswith("-INITIAL_FORMS"):
            continue
        prefix = key[: -len("-INITIAL_FORMS")]
        try:
            rows = min(int(data.get(key)), int(data.get(f"{prefix}-TOTAL_FORMS")), FORMSET_ABSOLUTE_MAX)
        except (TypeError, ValueError):
            continue  # the formset's own management form check answers this
        for index in range(max(rows, 0)):
            id_key = f"{prefix}-{index}-id"
            value = data.get(id_key)
            if value is None or (value != "" and not (value.isascii() and value.isdigit())):
                checked = checked if checked is not None else data.copy()
                checked[id_key] = ""
                altered = True
    return (checked if checked is not None else data), altered


class CohortAdminForm(WagtailAdminModelForm):
    eligible_stages = forms.MultipleChoiceField(
        label=_("eligible stages"), choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any stage."),
    )
    eligible_subjects = forms.MultipleChoiceField(
        label=_("eligible subjects"), choices=Subject.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any subject."),
    )

    def __init__(self, *args, **kwargs):
        data = args[0] if args else kwargs.get("data")
        self.rows_altered = False
        if data is not None:
            data, self.rows_altered = _child_row_ids_checked(data)
            args, kwargs = ((data, *args[1:]), kwargs) if args else (args, {**kwargs, "data": data})
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            # Not a list of every teacher's account: owners are HR or academy admins.
            from django.contrib.auth import get_user_model

            self.fields["owner"].queryset = (
                get_user_model().objects.filter(groups__name__in=[Role.HR.value, Role.ACADEMY_ADMIN.value])
                .distinct().order_by("username")
            )

    def clean(self):
        cleaned = super().clean()
        if self.rows_altered:
            raise forms.ValidationError(ROWS_ALTERED, code="rows_altered")
        kind, subject = cleaned.get("kind"), cleaned.get("olympiad_subject")
        if kind == CohortKind.OLYMPIAD_COACH and not subject:
            self.add_error("olympiad_subject", OLYMPIAD_SUBJECT_REQUIRED)
        elif kind and kind != CohortKind.OLYMPIAD_COACH and subject:
            self.add_error("olympiad_subject", OLYMPIAD_SUBJECT_ONLY_FOR_COACHES)
        return cleaned


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    list_display = ["name", display_column(Cohort, "kind"), display_column(Cohort, "olympiad_subject"), "intake_year",
                    "capacity"]
    list_filter = ["kind", "intake_year"]
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("olympiad_subject")]),
                    FieldRowPanel([FieldPanel("intake_year"), FieldPanel("capacity"), FieldPanel("owner")]),
                    FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
                ],
                heading=_("Cohort"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("eligible_stages"),
                    FieldPanel("eligible_subjects"),
                    FieldRowPanel([FieldPanel("min_title"), FieldPanel("min_years_of_service")]),
                ],
                heading=_("Eligibility"),
            ),
            MultiFieldPanel(
                [FieldPanel("required_courses", widget=forms.CheckboxSelectMultiple),
                 FieldPanel("requires_research_along")],
                heading=_("Requirements"),
            ),
            InlinePanel("hours_requirements", heading=_("Ledger hours within the cohort period"),
                        label=_("hours requirement")),
            InlinePanel("assessments", heading=_("Assessments"), label=_("assessment")),
        ],
        base_form_class=CohortAdminForm,
    )

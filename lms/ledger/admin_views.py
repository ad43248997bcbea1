"""HR's work on the training-hours ledger in the Wagtail admin: manual
adjustments, reversing an entry, the yearly caps and the plan's targets.

The writes are ``lms.ledger.services.credit_adjust`` and ``lms.ledger.services.credit_reverse``;
these views parse the form, check permission and scope, and show what the
service said. The ledger listing itself (``/admin/ledger-entries/``) belongs
to the dashboards; an entry's correction page here has its own URL,
``/admin/ledger/reverse/<pk>/``, for that listing to link to.
"""

import uuid
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateInput

from lms.admin_base import forbidden
from lms.ledger.models import CreditCap, Target
from lms.ledger.selectors import credit_get_for_user
from lms.ledger.services import credit_adjust, credit_reverse
from lms.people.models import District
from lms.people.selectors import teacher_list_for_user

# HR and academy admins: adding an entry by hand is what a correction is.
CORRECTION_PERMISSION = "lms.add_trainingcredit"

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# The extension, and how a genuine file of that kind begins: a renamed
# program or web page is refused, not stored next to the ledger.
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
}

TEACHER_NOT_IN_SCOPE = _("No teacher with this staff number in the districts you look after.")
EVIDENCE_WRONG_TYPE = _("Attach a PDF, JPG, PNG or Word (.docx) file.")
EVIDENCE_TOO_LARGE = _("This file is %(size)s; an evidence file can be at most %(limit)s.")
FORM_EXPIRED = _("This form has expired. Reload the page and fill it in again.")
MESSAGE_ADJUSTED = _("Adjusted the hours of %(teacher)s: %(hours)s h, %(person_times)s person-times.")
MESSAGE_ALREADY_ADJUSTED = _(
    "This adjustment was recorded already, when the form was first sent; it was not recorded again."
)
MESSAGE_REVERSED = _("The entry was reversed.")

# Where a ValidationError from the ledger service belongs on the form.
SERVICE_ERROR_FIELDS = {
    "hours": "hours",
    "person_times": "person_times",
    "occurred_on": "occurred_on",
    "reason": "reason",
    "school": "teacher",
}


def _entry_url(credit):
    return reverse("credit_corrections:reverse", args=[credit.pk])


class CreditAdjustForm(forms.Form):
    teacher = forms.ModelChoiceField(
        label=_("Teacher's staff number"),
        queryset=None,
        to_field_name="staff_number",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"invalid_choice": TEACHER_NOT_IN_SCOPE},
        help_text=_("As on the teacher's page in People, e.g. 2012000123."),
    )
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=6, decimal_places=2, help_text=_("Negative to take hours away.")
    )
    person_times = forms.TypedChoiceField(
        label=_("Person-times"),
        choices=[(1, "+1"), (0, "0"), (-1, "−1")],
        coerce=int,
        initial=0,
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(label=_("Date of the training"), widget=AdminDateInput)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the entry for auditors and shown to the teacher."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(EVIDENCE_SIGNATURES)}),
    )
    # Made when the form is shown and sent back with it: the service writes
    # one adjustment per token, so a form sent twice adjusts once.
    request_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": FORM_EXPIRED, "invalid": FORM_EXPIRED}
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teacher_list_for_user(user)
        self.fields["evidence_file"].help_text = _("Optional. A PDF, JPG, PNG or Word file of at most %(limit)s.") % {
            "limit": filesizeformat(EVIDENCE_MAX_BYTES)
        }

    def clean_evidence_file(self):
        uploaded = self.cleaned_data.get("evidence_file")
        if not uploaded:
            return None
        suffix = PurePath(uploaded.name).suffix.lower()
        if suffix not in EVIDENCE_SIGNATURES:
            raise ValidationError(EVIDENCE_WRONG_TYPE, code="file_type")
        if uploaded.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(
                EVIDENCE_TOO_LARGE,
                code="file_size",
                params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(EVIDENCE_MAX_BYTES)},
            )
        uploaded.seek(0)
        head = uploaded.read(16)
        uploaded.seek(0)
        if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
            raise ValidationError(EVIDENCE_WRONG_TYPE, code="file_type")
        # A random stored name: evidence is often personal (a sick note, a
        # certificate with an ID number), so its path must not be guessable.
        uploaded.name = f"{uuid.uuid4().hex}{suffix}"
        return uploaded


class CreditReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reversal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the reversal for auditors and shown to the teacher."),
    )


class CorrectionViewMixin(WagtailAdminTemplateMixin):
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CORRECTION_PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class CreditAdjustView(CorrectionViewMixin, FormView):
    template_name = "lms/ledger/adjust.html"
    form_class = CreditAdjustForm
    page_title = _("Adjust training hours")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"request_token": uuid.uuid4(), "occurred_on": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            result = credit_adjust(
                teacher=data["teacher"],
                hours=data["hours"],
                person_times=data["person_times"],
                occurred_on=data["occurred_on"],
                reason=data["reason"],
                adjusted_by=self.request.user,
                evidence_file=data["evidence_file"],
                request_token=data["request_token"].hex,
            )
        except ValidationError as error:
            form.add_error(SERVICE_ERROR_FIELDS.get(error.code), error)
            return self.form_invalid(form)
        entry = result.credit
        buttons = [messages.button(_entry_url(entry), _("Open the entry"))]
        if result.created:
            messages.success(
                self.request,
                MESSAGE_ADJUSTED
                % {"teacher": entry.teacher, "hours": entry.hours, "person_times": entry.person_times},
                buttons=buttons,
            )
        else:
            messages.warning(self.request, MESSAGE_ALREADY_ADJUSTED, buttons=buttons)
        return redirect("credit_corrections:adjust")


class CreditReverseView(CorrectionViewMixin, FormView):
    """An entry's page: what it credited, and the form reversing it."""

    template_name = "lms/ledger/reverse.html"
    form_class = CreditReverseForm

    @cached_property
    def credit(self):
        # Only after dispatch has checked the permission: to someone who may
        # not correct the ledger, every entry is forbidden, found or not.
        credit = credit_get_for_user(self.request.user, self.kwargs["pk"])
        if credit is None:
            raise Http404
        return credit

    def get_page_title(self):
        return _("Ledger entry")

    def get_page_subtitle(self):
        return str(self.credit)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        reversal = getattr(self.credit, "reversed_by", None)
        return super().get_context_data(
            credit=self.credit,
            reversal=reversal,
            can_reverse=self.credit.reverses_id is None and reversal is None,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            credit_reverse(credit=self.credit, reason=form.cleaned_data["reason"], reversed_by=self.request.user)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(self.request, MESSAGE_REVERSED)
        return redirect(_entry_url(self.credit))


class CorrectionMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(CORRECTION_PERMISSION)


class CreditCorrectionViewSet(ViewSet):
    icon = "time"
    menu_label = _("Adjust hours")
    menu_item_class = CorrectionMenuItem

    def get_urlpatterns(self):
        return [
            path("adjust/", CreditAdjustView.as_view(), name="adjust"),
            path("reverse/<int:pk>/", CreditReverseView.as_view(), name="reverse"),
        ]


class CreditCapViewSet(ModelViewSet):
    model = CreditCap
    icon = "time"
    menu_label = _("Yearly caps")
    list_display = ["category", "yearly_hours", "note"]
    form_fields = ["category", "yearly_hours", "note"]
    copy_view_enabled = False


class TargetViewSet(ModelViewSet):
    model = Target
    icon = "crosshairs"
    menu_label = _("Targets")
    list_display = ["name", "metric", "district", "value", "deadline"]
    form_fields = ["name", "metric", "cohort_kind", "district", "value", "is_percentage", "start", "deadline",
                   "sort_order"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        # Targets are the academy admins', who set them for any district.
        form_class.base_fields["district"].queryset = District.objects.all()
        return form_class


class TrainingHoursViewSetGroup(ViewSetGroup):
    menu_label = _("Training hours")
    menu_icon = "time"
    menu_order = 210
    # Other training-hours screens can join the group by registering their
    # menu item with this hook.
    submenu_hook = "register_training_hours_menu_item"
    items = (
        CreditCorrectionViewSet("credit_corrections", url_prefix="ledger"),
        CreditCapViewSet("credit_caps"),
        TargetViewSet("targets"),
    )


training_hours_viewset_group = TrainingHoursViewSetGroup()


def admin_viewsets():
    """HR's corrections, the yearly caps and the plan's targets, under one
    "Training hours" menu group."""
    return training_hours_viewset_group


def correction_permissions():
    """The permission to correct the ledger, offered on the group editing screen."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="lms", codename="add_trainingcredit")


def ledger_log_actions_register(actions):
    """The ledger's entries in Wagtail's site history."""
    from lms.ledger.services import LOG_ADJUSTMENT, LOG_CREDIT, LOG_REVERSAL

    actions.register_action(LOG_CREDIT, _("Credit training hours"), _("Training hours credited"))
    actions.register_action(LOG_REVERSAL, _("Reverse a credit"), _("Credit reversed"))
    actions.register_action(LOG_ADJUSTMENT, _("Adjust training hours"), _("Training hours adjusted"))

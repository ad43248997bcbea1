"""Admin screens for districts, schools and teachers.

Every view of every screen draws its rows from the scoped selectors in
``lms.people.selectors``, so a district admin can list, open, export or edit only
their own district's schools and teachers; anything else is a 404.
"""

import functools
from collections import OrderedDict

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.coreutils import multigetattr

from lms.constants import Locality, ProfessionalTitle, Stage, Subject
from lms.models import District, School, TeacherProfile
from lms.people.selectors import district_list_for_user, school_list_for_user, teacher_list_for_user
from lms.people.services import teacher_create

STAFF_NUMBER_TAKEN = _("An account with this staff number already exists.")


def display_column(model, name, label=None):
    """A listing column of a choice's label (``get_<name>_display``), headed
    by the field's own name: Wagtail heads a column named after the method
    itself with the word "method"."""
    return Column(name, label=capfirst(label or model._meta.get_field(name).verbose_name), accessor=f"get_{name}_display")


def yes_no_column(model, name):
    """A listing column of a true-or-false field as "yes" or "no" in the
    reader's language, where Wagtail writes Python's True and False."""
    return Column(name, label=capfirst(model._meta.get_field(name).verbose_name),
                  accessor=lambda obj: _("Yes") if getattr(obj, name) else _("No"))


class ScopedObjectMixin:
    """Any single-object view (edit, delete, inspect, history, usage) of a row
    outside ``scope(user)`` is a 404."""

    scope = None

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not type(self).scope(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class ScopedIndexMixin:
    """The index and its exports list only the rows ``scope(user)`` returns."""

    scope = None

    def get_base_queryset(self):
        return type(self).scope(self.request.user)


@functools.cache
def _choice_field(model, method_name):
    """The field behind Django's own ``get_<field>_display`` of ``model``
    and its choices as value to label (the labels still lazy, so each export
    is in its reader's language); ``None`` for any other method."""
    for klass in model.__mro__:
        if method_name in klass.__dict__:
            method = klass.__dict__[method_name]
            if isinstance(method, functools.partialmethod) and "field" in method.keywords:
                field = method.keywords["field"]
                return field, dict(field.flatchoices)
            return None
    return None


class SafeExportMixin:
    """Spreadsheet exports with a BOM on CSV, so Excel reads Chinese. (Every
    Wagtail export neutralises formulas: lms.exports.neutralise_wagtail_exports.)"""

    def stream_csv(self, queryset):
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def to_row_dict(self, item):
        """What Wagtail's row holds, with each choice's label looked up in
        choices read once per export: Django's ``get_<field>_display``
        rebuilds and translates a field's whole choice list on every call,
        most of the time a city's 50,000-row teacher list took."""
        return OrderedDict((name, self._cell(item, name)) for name in self.list_export)

    def _cell(self, item, name):
        found = _choice_field(type(item), name) if name.startswith("get_") else None
        if found is None:
            return multigetattr(item, name)
        field, labels = found
        value = getattr(item, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


def scoped_views(scope):
    """The index, edit, delete, inspect, history and usage view classes of a
    viewset, each limited to the rows ``scope(user)`` returns."""

    def scoped(*bases):
        return type(f"Scoped{bases[-1].__name__}", bases, {"scope": staticmethod(scope)})

    return (
        scoped(SafeExportMixin, ScopedIndexMixin, generic.IndexView),
        scoped(ScopedObjectMixin, generic.EditView),
        scoped(ScopedObjectMixin, generic.DeleteView),
        scoped(ScopedObjectMixin, generic.InspectView),
        scoped(ScopedObjectMixin, history.HistoryView),
        scoped(ScopedObjectMixin, usage.UsageView),
    )


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view is limited to ``scope(user)``."""

    scope = None
    inspect_view_enabled = True
    copy_view_enabled = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.scope is not None:
            (
                cls.index_view_class,
                cls.edit_view_class,
                cls.delete_view_class,
                cls.inspect_view_class,
                cls.history_view_class,
                cls.usage_view_class,
            ) = scoped_views(cls.scope)


# What a year box in a filter accepts: the years a date can have. A larger
# number would reach the database as a date bound and fail there.
YEAR_FILTER_MIN, YEAR_FILTER_MAX = 1, 9999
YEAR_OUT_OF_RANGE = _("Enter a year from 1 to 9999, as a whole number.")


class YearFilter(django_filters.NumberFilter):
    """A whole year from 1 to 9999; anything else is a form error shown
    beside the box, and the listing stays unfiltered."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_FILTER_MIN)
        kwargs.setdefault("max_value", YEAR_FILTER_MAX)
        kwargs.setdefault(
            "error_messages",
            {"min_value": YEAR_OUT_OF_RANGE, "max_value": YEAR_OUT_OF_RANGE, "invalid": YEAR_OUT_OF_RANGE},
        )
        super().__init__(*args, **kwargs)


def _user_districts(request):
    if request is None:
        return District.objects.none()
    return district_list_for_user(request.user)


def _user_schools(request):
    if request is None:
        return School.objects.none()
    return school_list_for_user(request.user)


class SchoolFilterSet(WagtailFilterSet):
    district = django_filters.ModelChoiceFilter(label=_("district"), queryset=_user_districts)
    locality = django_filters.ChoiceFilter(label=_("urban or rural"), choices=Locality.choices)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices, method="filter_stage")

    class Meta:
        model = School
        fields = ["district", "locality"]

    def filter_stage(self, queryset, name, value):
        return queryset.filter(**{f"has_{value}": True})


class TeacherFilterSet(WagtailFilterSet):
    district = django_filters.ModelChoiceFilter(
        label=_("district"), queryset=_user_districts, field_name="school__district"
    )
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=_user_schools)
    locality = django_filters.ChoiceFilter(
        label=_("urban or rural"), choices=Locality.choices, field_name="school__locality"
    )
    subject = django_filters.ChoiceFilter(label=_("main subject"), choices=Subject.choices)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)
    title = django_filters.ChoiceFilter(label=_("professional title"), choices=ProfessionalTitle.choices)

    class Meta:
        model = TeacherProfile
        fields = [
            "district",
            "school",
            "locality",
            "subject",
            "stage",
            "title",
            "is_science_engineering_master",
            "is_science_vice_principal",
            "is_backbone_teacher",
        ]


class DistrictViewSet(ScopedModelViewSet):
    model = District
    icon = "site"
    menu_label = _("Districts")
    add_to_admin_menu = False
    list_display = ["name", "code", display_column(District, "kind")]
    list_export = ["code", "name", "get_kind_display"]
    export_headings = {"get_kind_display": _("kind")}
    export_filename = "districts"
    form_fields = ["name", "code", "kind", "sort_order"]
    scope = staticmethod(district_list_for_user)


class SchoolViewSet(ScopedModelViewSet):
    model = School
    icon = "home"
    menu_label = _("Schools")
    list_display = ["name", "code", "district", display_column(School, "stages", label=_("stages")),
                    display_column(School, "locality")]
    list_export = ["code", "name", "district", "get_stages_display", "get_locality_display"]
    export_headings = {"get_stages_display": _("stages"), "get_locality_display": _("urban or rural")}
    export_filename = "schools"
    filterset_class = SchoolFilterSet
    search_fields = ["name", "code"]
    search_backend_name = None
    form_fields = ["code", "name", "district", "has_primary", "has_junior", "has_senior", "locality"]
    scope = staticmethod(school_list_for_user)

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        form_class.base_fields["district"].queryset = District.objects.all()
        return form_class


class TeacherCreateForm(forms.ModelForm):
    email = forms.EmailField(label=_("email"), required=False)

    def clean_staff_number(self):
        staff_number = self.cleaned_data["staff_number"].strip()
        if get_user_model().objects.filter(username=staff_number).exists():
            raise forms.ValidationError(STAFF_NUMBER_TAKEN)
        return staff_number

    class Meta:
        model = TeacherProfile
        fields = [
            "real_name",
            "name_romanised",
            "staff_number",
            "phone",
            "school",
            "subject",
            "second_subject",
            "stage",
            "title",
            "degree",
            "is_science_engineering_master",
            "teaching_since",
            "is_science_vice_principal",
            "is_lab_manager",
            "is_teaching_researcher",
            "is_backbone_teacher",
            "is_science_tech_tutor",
            "is_part_time_science_teacher",
        ]


class TeacherCreateView(generic.CreateView):
    def get_form_class(self):
        return TeacherCreateForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["school"].queryset = school_list_for_user(self.request.user)
        return form

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        return teacher_create(**data)


class TeacherViewSet(ScopedModelViewSet):
    model = TeacherProfile
    icon = "group"
    menu_label = _("Teachers")
    list_display = ["real_name", "staff_number", "school", *(display_column(TeacherProfile, name)
                                                               for name in ("subject", "stage", "title"))]
    list_per_page = 50
    list_export = [
        "staff_number",
        "real_name",
        "school.code",
        "school",
        "school.district",
        "get_subject_display",
        "get_stage_display",
        "get_title_display",
        "get_degree_display",
        "is_science_engineering_master",
        "phone",
    ]
    export_headings = {
        "school.code": _("school code"),
        "school.district": _("district"),
        "get_subject_display": _("main subject"),
        "get_stage_display": _("stage"),
        "get_title_display": _("professional title"),
        "get_degree_display": _("highest degree"),
    }
    export_filename = "teachers"
    filterset_class = TeacherFilterSet
    search_fields = ["real_name", "staff_number"]
    search_backend_name = None
    form_fields = TeacherCreateForm.Meta.fields
    add_view_class = TeacherCreateView
    scope = staticmethod(teacher_list_for_user)


class PeopleViewSetGroup(ModelViewSetGroup):
    menu_label = _("People")
    menu_icon = "group"
    menu_order = 200
    items = (TeacherViewSet("teachers"), SchoolViewSet("schools"), DistrictViewSet("districts"))


people_viewset_group = PeopleViewSetGroup()

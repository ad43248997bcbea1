"""Admin screens for districts, schools and teachers.

Every view of every screen draws its rows from the scoped selectors in
``lms.people.selectors``, so a district admin can list, open, export or edit only
their own district's schools and teachers; anything else is a 404.
"""


import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup

from lms.admin_base import ScopedModelViewSet, display_column
from lms.constants import Locality, ProfessionalTitle, Stage, Subject
from lms.people.models import District, School, TeacherProfile
from lms.people.selectors import (
    district_list_for_request,
    district_list_for_user,
    school_list_for_request,
    school_list_for_user,
    teacher_list_for_user,
)
from lms.people.services import teacher_create

STAFF_NUMBER_TAKEN = _("An account with this staff number already exists.")




class SchoolFilterSet(WagtailFilterSet):
    district = django_filters.ModelChoiceFilter(label=_("district"), queryset=district_list_for_request)
    locality = django_filters.ChoiceFilter(label=_("urban or rural"), choices=Locality.choices)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices, method="filter_stage")

    class Meta:
        model = School
        fields = ["district", "locality"]

    def filter_stage(self, queryset, name, value):
        return queryset.filter(**{f"has_{value}": True})


class TeacherFilterSet(WagtailFilterSet):
    district = django_filters.ModelChoiceFilter(
        label=_("district"), queryset=district_list_for_request, field_name="school__district"
    )
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=school_list_for_request)
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


def admin_viewsets():
    """The People menu's viewsets (registered by lms/wagtail_hooks.py)."""
    return people_viewset_group


def log_entry_scopes():
    """Whose log entries a reader of Wagtail's site history may see
    (lms/audit.py): each model's entries kept to the objects its screens show."""
    return {
        District: district_list_for_user,
        School: school_list_for_user,
        TeacherProfile: teacher_list_for_user,
    }

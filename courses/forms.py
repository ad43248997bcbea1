from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.api import Stage, Subject

from .catalogue import HOURS_RANGES, SEARCH_MAX_CHARS
from .constants import CourseCategory, CourseMode

ANY = [("", pgettext_lazy("filter option", "Any"))]

SEARCH_TOO_LONG = _("Search with at most %(limit_value)d characters; the search was left out.")
SEARCH_UNREADABLE = _("The search contains a character that cannot be searched for; the search was left out.")


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters, read from the query string. Unknown values
    are dropped rather than refused: a stale bookmark still lists courses."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_CHARS,
        error_messages={"max_length": SEARCH_TOO_LONG, "null_characters_not_allowed": SEARCH_UNREADABLE},
    )
    subject = forms.ChoiceField(label=_("Subject"), choices=ANY + Subject.choices, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=ANY + Stage.choices, required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=ANY + CourseMode.choices, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=ANY + CourseCategory.choices, required=False)
    hours = forms.ChoiceField(
        label=_("Credit hours"), choices=ANY + [(key, label) for key, (label, _l, _h) in HOURS_RANGES.items()],
        required=False,
    )
    open_only = forms.BooleanField(label=_("Open for enrolment"), required=False)

    def filters(self):
        if self.is_valid():
            return {key: value for key, value in self.cleaned_data.items() if key != "q"} | {
                "query": self.cleaned_data["q"].strip()
            }
        valid = {}
        for name, field in self.fields.items():
            try:
                valid[name] = field.clean(self.data.get(name, ""))
            except forms.ValidationError:
                valid[name] = field.clean("") if not field.required else ""
        query = (valid.pop("q", "") or "").strip()
        return valid | {"query": query}


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"), max_length=16,
        help_text=_("The 6-digit code shown in the room."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

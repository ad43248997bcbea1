"""Forms of the research-along pages. They only parse input: the rules
(dates, hours, evidence, who may act) live in ``mentors.services``, whose
ValidationErrors the views attach to the field they concern."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import ActivityKind, OutputKind
from .evidence import ALLOWED_EXTENSIONS


class DateInput(forms.DateInput):
    input_type = "date"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ApplyForm(forms.Form):
    project_title = forms.CharField(label=_("Project title"), max_length=200)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 4}))
    start_on = forms.DateField(label=_("Start"), widget=DateInput)
    planned_end_on = forms.DateField(label=_("Planned end"), widget=DateInput)


class ActivityForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    # Text, so that "1.5" and "abc" both reach the service, whose messages
    # say what is wrong.
    hours = forms.CharField(
        label=_("Duration (hours)"), max_length=8, help_text=_("In hours, e.g. 1.5."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    description = forms.CharField(label=_("What you did"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(
        label=_("Evidence files"), required=False,
        help_text=_("PDF, JPG, PNG, Word, Excel or PowerPoint; 10 MB each at most."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Comment for the teacher"), widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    final_report = forms.CharField(
        label=_("Final report"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the project achieved and what came of it for your teaching."),
    )


class OutputForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of output"), choices=OutputKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    link = forms.URLField(label=_("Link"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.privacy.constants import CorrectionField
from lms.privacy.services import CORRECTION_TEXT_MAX, CORRECTION_TEXT_REQUIRED


class CorrectionRequestForm(forms.Form):
    field = forms.ChoiceField(label=_("What is wrong"), choices=CorrectionField.choices)
    text = forms.CharField(
        label=_("What it should say"), max_length=CORRECTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": CORRECTION_TEXT_REQUIRED},
        help_text=_("For example: my school is 历下区第一实验小学 since September."),
    )


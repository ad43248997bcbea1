from django import template

from courses.selectors import choice_label as _choice_label

register = template.Library()


@register.filter
def choice_label(instance, field_name):
    """``{{ course|choice_label:"subject" }}`` shows what
    ``course.get_subject_display`` would, at a fraction of its cost."""
    return _choice_label(instance, field_name)

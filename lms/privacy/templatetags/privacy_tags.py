import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder

register = template.Library()


@register.filter
def value_kind(value):
    """How the data page shows a value of the export."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, (dict, list)):
        return "json"
    if isinstance(value, str) and value.startswith(("/", "http://", "https://")) and " " not in value:
        return "url"
    return "text"


@register.filter
def as_json(value):
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)

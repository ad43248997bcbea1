"""Placeholders in certificate templates, and checking a template when it is
saved, so that a bad template fails in the form, not halfway through a batch."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .constants import PLACEHOLDERS

UNKNOWN_PLACEHOLDER = _("Unknown placeholder {%(name)s}. Use only: %(known)s.")
BAD_PLACEHOLDER_SYNTAX = _(
    "The text has an unmatched brace or a placeholder with a format (%(error)s). "
    "Write placeholders as {name}; write a literal brace as {{ or }}."
)
NOT_AN_IMAGE = _("This file is not an image that can be printed (use PNG or JPEG).")
TEMPLATE_TOO_LONG = _(
    "The text does not fit on one page, even in the smallest type, with a long name and course title. "
    "Shorten the body or the title."
)

# Long but realistic values: a template must fit with these at save time.
LONG_SAMPLE_VALUES = {
    "name": "欧阳司马慕容诸葛",
    "subject": "新课标背景下初中物理跨学科实践活动设计与实施——基于项目式学习的课堂教学改进专题研修（第二期）",
    "hours": "120",
    "start_date": "2026年10月10日",
    "end_date": "2026年12月31日",
    "issued_on": "2026年12月31日",
    "year": "2026",
    "serial": "JNKJ-2026-000123",
    "school": "济南市历城区唐王街道办事处中心小学（九年一贯制）实验学校",
}
SAMPLE_VALUES = {
    **LONG_SAMPLE_VALUES,
    "name": "张伟",
    "subject": "小学科学探究式教学实践",
    "hours": "24",
    "school": "济南市历下区实验小学",
}


def placeholders_in(text):
    """The placeholder names ``text`` uses; raise ValidationError on bad syntax."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ValidationError(BAD_PLACEHOLDER_SYNTAX, params={"error": error}) from error
    names = []
    for _literal, field, format_spec, conversion in parsed:
        if field is None:
            continue
        if format_spec or conversion or not field.isidentifier():
            raise ValidationError(BAD_PLACEHOLDER_SYNTAX, params={"error": "{" + field + "}"})
        names.append(field)
    return names


def fill(text, values):
    """``text`` with its placeholders filled (only known ones ever reach here)."""
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


def _check_placeholders(text):
    for name in placeholders_in(text):
        if name not in PLACEHOLDERS:
            raise ValidationError(UNKNOWN_PLACEHOLDER, params={"name": name, "known": ", ".join(PLACEHOLDERS)})


def _check_image(field_file):
    if not field_file:
        return
    try:
        field_file.open("rb")
        field_file.seek(0)
        with Image.open(field_file) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(NOT_AN_IMAGE) from error
    finally:
        try:
            field_file.seek(0)
        except (OSError, ValueError):
            pass


def template_validate(template):
    """Every check a template must pass before it is saved."""
    errors = {}
    for field in ("title", "body"):
        try:
            _check_placeholders(getattr(template, field) or "")
        except ValidationError as error:
            errors[field] = error
    for field in ("seal", "background"):
        try:
            _check_image(getattr(template, field))
        except ValidationError as error:
            errors[field] = error
    if errors:
        raise ValidationError(errors)

    from .rendering import LayoutError, layout_check

    try:
        layout_check(template_snapshot(template, LONG_SAMPLE_VALUES))
    except LayoutError as error:
        raise ValidationError({"body": ValidationError(TEMPLATE_TOO_LONG)}) from error


def template_snapshot(template, values):
    """Everything a certificate's PDF is drawn with, filled in for one holder.
    Stored on the certificate, so a later edit of the template changes nothing."""
    signatories = [
        [name, title]
        for name, title in (
            (template.signatory_1_name, template.signatory_1_title),
            (template.signatory_2_name, template.signatory_2_title),
        )
        if name or title
    ]
    return {
        "template_name": template.name,
        "title": fill(template.title, values),
        "body": fill(template.body, values),
        "issuer": template.issuer_name,
        "signatories": signatories,
        "orientation": template.orientation,
        "seal": template.seal.name if template.seal else "",
        "background": template.background.name if template.background else "",
        "issued_on": values.get("issued_on", ""),
    }

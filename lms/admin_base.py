"""What every app's admin screens build on: listing columns, scoped
viewsets (every view limited to the rows a selector returns), the read-only
scoped viewset, exports Excel reads, the year filter, and the one way a
screen refuses a user (a 403 from the site's handler).

Scope itself is decided in selectors: these pieces only apply the selector a
viewset names as its ``scope``.
"""

import functools
from collections import OrderedDict

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import get_resolver, path
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr

__all__ = [
    "ReadOnlyScopedModelViewSet",
    "SafeExportMixin",
    "ScopedIndexMixin",
    "ScopedModelViewSet",
    "ScopedObjectMixin",
    "YEAR_FILTER_MAX",
    "YEAR_FILTER_MIN",
    "YEAR_OUT_OF_RANGE",
    "YearFilter",
    "display_column",
    "forbidden",
    "page_move_confirmation_refuse",
    "scoped_views",
    "yes_no_column",
]


def forbidden(request):
    """The site's 403 page for ``request``. Returned, not raised: Wagtail's
    admin wrapper would turn PermissionDenied into a redirect to the
    dashboard, and a refused screen or action is a 403."""
    return get_resolver().resolve_error_handler(403)(request, exception=PermissionDenied())


def page_move_confirmation_refuse(request, page, destination):
    """Wagtail checks the right to move a page on choosing a destination and
    on the move itself, but renders the confirmation step (the page's
    subpage count and destination) to anyone with admin access: the same
    check is made here (a ``before_move_page`` hook), so that step is
    refused like the others."""
    from wagtail.admin.auth import permission_denied

    if not page.permissions_for_user(request.user).can_move_to(destination):
        return permission_denied(request)
    return None


# --- Listing columns ------------------------------------------------------------

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


# --- Scoped viewsets --------------------------------------------------------------

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


class ReadOnlyScopedModelViewSet(ScopedModelViewSet):
    """A scoped listing (with its exports) and each row's inspect page, for
    records that change only through services (the ledger, certificates):
    no add, edit, delete, copy, history or usage URL, and no button to one.

    Newest first by primary key, which is indexed (a model's own date
    ordering would sort every matching row to show one page); seeing the
    listing needs only the view permission; Wagtail's links to a logged
    object go to its inspect page, the only one it has."""

    add_to_admin_menu = False
    add_to_reference_index = False
    # The listing's title; None keeps Wagtail's (the model's plural name).
    index_page_title = None

    @property
    def url_finder_class(self):
        name = f"{type(self).__name__.removesuffix('ViewSet')}URLFinder"
        return type(name, (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name("inspect")})

    def get_index_view_kwargs(self, **kwargs):
        defaults = {"any_permission_required": ["view"], "default_ordering": "-pk"}
        if self.index_page_title is not None:
            defaults["page_title"] = self.index_page_title
        return super().get_index_view_kwargs(**{**defaults, **kwargs})

    def get_common_view_kwargs(self, **kwargs):
        read_only = dict.fromkeys(
            ["add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"]
        )
        return super().get_common_view_kwargs(**{**kwargs, **read_only})

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


# --- Filters -------------------------------------------------------------------------

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

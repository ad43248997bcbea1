"""Wagtail's site history (/admin/reports/site-history/), kept to the reader's scope.

Wagtail shows a model's log entries to anyone holding any permission on the
model: a district admin, who may view ledger entries and cohort memberships
of their own district, would see every credit and cohort step of the city, by
teacher name and staff number, and could export them. Here each model's log
entries are kept to the objects the reader may see, through the same
selector the model's own screens use:

- Apps name those selectors with the ``register_log_entry_scope`` hook: a
  function returning ``(model, scope)`` pairs, ``scope(user)`` being the
  queryset of the model's objects the user may see.
- A reader without the city-wide scope (district admins, trainers) sees only
  log entries of registered models, and of those only the entries about
  objects in their scope: a model nobody registered stays hidden from them.
- City-wide staff (HR, academy admins) see what Wagtail shows them.
- Page log entries keep Wagtail's own page permission check.

``urlpatterns`` serves the scoped report at Wagtail's own addresses; the
project's ``urls.py`` includes it ahead of Wagtail's admin, so the menu item
and every link lead to it.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail import hooks
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import PageLogEntry

from lms.admin_base import SafeExportMixin
from lms.dashboards.selectors import user_is_city_wide

LOG_ENTRY_SCOPE_HOOK = "register_log_entry_scope"


def log_entry_scopes():
    """``{model: scope}`` from every app's ``register_log_entry_scope`` hook."""
    scopes = {}
    for hook in hooks.get_hooks(LOG_ENTRY_SCOPE_HOOK):
        scopes.update(hook())
    return scopes


def _in_scope(user):
    """The condition on a model log entry that its object is one ``user``
    may see: one subquery per registered model, none for the others."""
    condition = Q(pk__in=[])
    for model, scope in log_entry_scopes().items():
        object_ids = (
            scope(user).order_by().annotate(log_object_id=Cast("pk", output_field=CharField())).values("log_object_id")
        )
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        condition |= Q(content_type=content_type, object_id__in=object_ids)
    return condition


def log_entry_list_for_user(log_model, user):
    """The entries of ``log_model`` (Wagtail's page or model log) ``user``
    may read in the site history."""
    entries = log_model.objects.viewable_by_user(user)
    if user.is_superuser or user_is_city_wide(user) or issubclass(log_model, PageLogEntry):
        return entries
    return entries.filter(_in_scope(user))


def _visible_entries(user):
    for log_model in log_action_registry.get_log_entry_models():
        yield log_entry_list_for_user(log_model, user)


def _content_types_for_filter(request):
    ids = {pk for entries in _visible_entries(request.user) for pk in entries.get_content_type_ids()}
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    """The filters offer only the users, actions and types of the entries
    the reader may see: their choices would otherwise name the people and
    actions of other districts."""

    object_type = ContentTypeFilter(label=_("Type"), method="filter_object_type", queryset=_content_types_for_filter)

    def get_action_choices(self):
        actions = {action for entries in _visible_entries(self.request.user) for action in entries.get_actions()}
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_user_choices(self):
        user_ids = {pk for entries in _visible_entries(self.request.user) for pk in entries.get_user_ids()}
        User = get_user_model()
        return User.objects.filter(pk__in=user_ids).order_by(User.USERNAME_FIELD)


class ScopedLogEntriesView(SafeExportMixin, LogEntriesView):
    """Wagtail's site history and its CSV/XLSX export (with a BOM, as our
    other exports, so Excel reads Chinese), drawn from ``log_entry_list_for_user``."""

    filterset_class = ScopedSiteHistoryFilterSet

    def get_filtered_queryset(self):
        # As Wagtail's own: a union of one values() query per log model,
        # each tagged with the model's index for decorate_paginated_queryset.
        self.log_models = list(log_action_registry.get_log_entry_models())
        queryset = None
        for index, log_model in enumerate(self.log_models):
            entries = (
                log_entry_list_for_user(log_model, self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            entries = self.filter_queryset(entries).order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-timestamp")


def _admin_view(view):
    wrapped = never_cache(require_admin_access(view))
    # Wagtail's decorator drops it; tests find the export views by it.
    wrapped.view_class = view.view_class
    return wrapped


# Included ahead of Wagtail's admin URLs (lms/urls.py): the same paths, so
# Wagtail's menu item and its reverse() lead here.
urlpatterns = [
    path("reports/site-history/", _admin_view(ScopedLogEntriesView.as_view())),
    path("reports/site-history/results/", _admin_view(ScopedLogEntriesView.as_view(results_only=True))),
]

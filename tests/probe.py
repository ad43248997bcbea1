"""Requests every URL of the project as each role of the academy and names
the outcome, for the security matrix and the hostile-input test."""

import copy
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from lms.constants import Role

from .academy import YEAR, Academy
from .urlmap import Route, url_for

# Path parameters by name, where the route does not say which model it is.
PARAMETERS = {
    "year": lambda academy: YEAR,
    "token": lambda academy: academy.objects["certificate"].token,
    "uidb64": lambda academy: "MQ",
    "page_id": lambda academy: academy.objects["course"].pk,
    "parent_page_id": lambda academy: academy.objects["course"].pk,
    "page_to_move_id": lambda academy: academy.objects["lesson"].pk,
    "destination_id": lambda academy: academy.objects["course"].pk,
    "page_pk": lambda academy: academy.objects["course"].pk,
    "revision_id": lambda academy: academy.objects["revision"].pk,
    "revision_id_a": lambda academy: "earliest",
    "revision_id_b": lambda academy: "latest",
    "image_id": lambda academy: academy.objects["image"].pk,
    "document_id": lambda academy: academy.objects["document"].pk,
    "doc_id": lambda academy: academy.objects["document"].pk,
    "redirect_id": lambda academy: academy.objects["redirect"].pk,
    "collection_id": lambda academy: academy.objects["collection"].pk,
    "workflow_pk": lambda academy: academy.objects["workflow"].pk,
    "task_id": lambda academy: academy.objects["task"].pk,
    "mentor_pk": lambda academy: academy.objects["mentor"].pk,
    "extension": lambda academy: "csv",
    "kind": lambda academy: "teachers",
    "filter_spec": lambda academy: "original",
    "content_type_app_name": lambda academy: "courses",
    "content_type_model_name": lambda academy: "coursepage",
    "app_label": lambda academy: "wagtailcore",
    "model_name": lambda academy: "page",
    "object_id": lambda academy: academy.objects["course"].pk,
    "app_name": lambda academy: "themes",
    "action": lambda academy: "delete",
    "action_name": lambda academy: "approve",
    "export_format": lambda academy: "json",
    # Objects the academy does not hold: every role must get a clean 404.
    "session_id": lambda academy: 999999,
    "task_state_id": lambda academy: 999999,
    "workflow_state_id": lambda academy: 999999,
    "uploaded_file_id": lambda academy: 999999,
    "restriction_id": lambda academy: 999999,
    "page_view_restriction_id": lambda academy: 999999,
}

# Parameters that differ for one URL name.
ROUTE_PARAMETERS = {
    "wagtailsettings:edit": {"model_name": "brandingsettings", "pk": lambda academy: academy.objects["site"].pk},
    "wagtailsettings:preview_on_edit": {"model_name": "brandingsettings",
                                        "pk": lambda academy: academy.objects["site"].pk},
}

# Which object a ``pk`` is, for views that do not name their model.
PK_OBJECTS = {
    "mentors:": "pairing",
    "mentors:project_close": "project",
    "mentors:activity_confirm": "activity",
    "mentors:activity_return": "activity",
    "mentors:evidence": "evidence",
    "courses:": "lesson",
    "courses:enrol": "course",
    "courses:unenrol": "course",
    "course_reports:": "course",
    "course_reports:attendance": "session",
    "course_reports:checkin": "session",
    "certificates_admin:": "certificate",
    "certificates_admin:batch": "issue_batch",
    "certificates_admin:batch_progress": "issue_batch",
    "certificates_admin:batch_restart": "issue_batch",
    "certificates_admin:batch_zip": "issue_batch",
    "certificates:badge_class": "template",
    "certificates:badge_image": "template",
    "certificates:my_certificate_pdf": "certificate",
    "lms_imports:": "import_batch",
    "credit_corrections:": "credit",
    "lms_cohorts:": "cohort",
    "lms_cohorts:membership": "membership",
    "wagtailadmin_api:pages:": "course",
    "wagtailadmin_api:documents:": "document",
    "wagtailadmin_api:images:": "image",
    "wagtailadmin_pages:": "course",
    "wagtailusers_users:": "teacher_user",
    "wagtailusers_groups:": "teacher_group",
    "wagtailadmin_workflows:": "workflow",
    "wagtailadmin_workflows:edit_task": "task",
    "wagtailadmin_workflows:disable_task": "task",
    "wagtailadmin_workflows:enable_task": "task",
    "wagtailadmin_collections:": "collection",
    "wagtailsites:": "site",
}


def _view_model(route):
    view_class = route.view_class
    model = getattr(getattr(route.callback, "view_initkwargs", None) or {}, "get", lambda _key: None)("model")
    return model or getattr(view_class, "model", None)


def _object_for_pk(route, academy):
    name = route.name
    for prefix in (name, name.rsplit(":", 1)[0] + ":" if ":" in name else None):
        if prefix in PK_OBJECTS:
            return academy.objects[PK_OBJECTS[prefix]]
    model = _view_model(route)
    if isinstance(model, str):
        model = apps.get_model(model)
    if model is not None:
        for value in academy.objects.values():
            if isinstance(value, model):
                return value
    raise LookupError(f"no object for the pk of {route.key}: add it to tests.probe.PK_OBJECTS")


def parameter_value(academy):
    def value(route: Route, parameter):
        override = ROUTE_PARAMETERS.get(route.name, {}).get(parameter)
        if override is not None:
            return override(academy) if callable(override) else override
        if parameter == "pk":
            return _object_for_pk(route, academy).pk
        if parameter in PARAMETERS:
            return PARAMETERS[parameter](academy)
        raise LookupError(f"no value for <{parameter}> of {route.key}: add it to tests.probe.PARAMETERS")

    return value


# Routes whose address is not a plain substitution.
ADDRESSES = {
    "wagtaildocs_serve": lambda academy: academy.objects["document"].url,
    "wagtail_serve": lambda academy: academy.objects["course"].url,
    # A personal file: the teacher's ledger evidence.
    "private_file": lambda academy: academy.objects["credit"].evidence_file.url,
}


def address(route: Route, academy: Academy) -> str:
    if route.key in ADDRESSES:
        return ADDRESSES[route.key](academy)
    return url_for(route, parameter_value(academy))


def prepare(academy):
    academy.objects["teacher_user"] = academy.users["teacher"]
    academy.objects["teacher_group"] = Group.objects.get(name=Role.TEACHER.value)
    return academy


@dataclass(frozen=True)
class Outcome:
    status: int
    label: str
    detail: str = ""


def _error_messages(response):
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    return [message for message in getattr(storage, "_queued_messages", []) if message.level >= messages.ERROR]


def classify(response) -> Outcome:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
        if "login" in location:
            return Outcome(status, "login")
        if _error_messages(response):
            # Wagtail's "permission denied" sends a user to the dashboard
            # with an error; a view the service refused sends them back with
            # the service's message.
            return Outcome(status, "denied" if location == reverse("wagtailadmin_home") else "refused", location)
        return Outcome(status, "redirect", location)
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        return Outcome(status, "500", repr(exc[1]) if exc else "")
    return Outcome(status, str(status))


def clients(academy):
    result = {}
    for role, user in academy.users.items():
        client = Client(raise_request_exception=False)
        if user.is_authenticated:
            client.force_login(user)
        result[role] = client
    return result


def request(client, method, url, data=None, snapshot=None):
    """One request whose writes are rolled back and whose cookies are
    forgotten (a logout, a rate-limit count), so every role meets the same
    academy, signed in. With ``snapshot``, the response carries its value
    from just before and just after the request, in the same transaction."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            before = snapshot() if snapshot else None
            response = client.get(url, data) if method == "GET" else client.post(url, data or {})
            response.snapshots = (before, snapshot() if snapshot else None)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
        cache.clear()
    return response

"""Who reaches what: every URL of the project, requested as every role.

The URLs come from the URL resolver, so a new one fails this test until it
is classified in ``POLICY`` (one line). Each is requested as each role of a
small academy (tests/academy.py) with that academy's objects in its path;
the outcome must match the policy, no response may be a 500, and
docs/security.md is the table this test verified: it fails if the committed
file differs. Rewrite it with ``LMS_WRITE_SECURITY_DOC=1``.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from .academy import ROLES, academy_build
from .probe import Outcome, address, classify, clients, prepare, request
from .urlmap import routes

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
REWRITE_HINT = "docs/security.md is out of date: rerun this test with LMS_WRITE_SECURITY_DOC=1 and commit the file."

AN, T, T2, TR, TR2, M, M2, DA, DA2, HR, AA = ROLES
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {AN}
ADMIN = frozenset({TR, TR2, DA, DA2, HR, AA})  # the roles with Wagtail admin access
PEOPLE = frozenset({DA, DA2, HR, AA})  # district-scoped people lists
NOBODY = frozenset()
# Staff who reach the site history but none of the teacher's entries: the
# trainers (no people in their scope) and the other district's admin.
HISTORY_OUT_OF_SCOPE = frozenset({TR, TR2, DA2})

# How a role may be refused: sent to log in, Wagtail's "permission denied"
# (denied), sent back with the view's error message (refused), 403, or 404
# (an object outside the role's scope does not exist for it).
REFUSALS = frozenset({"login", "denied", "refused", "403", "404"})
# What an empty POST gets from a view that lets the role in: the form's
# errors, a 400, or a redirect with or without the service's message.
FORM_ANSWERS = frozenset({"200", "400", "redirect", "refused"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset
    method: str = "GET"
    ok: frozenset = frozenset({"200"})
    query: str = ""
    # Roles that reach a list scoped to what they may see: the teacher's
    # records (named by the teacher's name) are out of their scope, so the
    # page must not show them, while every other allowed role finds them.
    scoped_out: frozenset = frozenset()


def allow(roles, *, ok=("200",)):
    return Rule(frozenset(roles), ok=frozenset(ok))


def post(roles):
    """A POST-only action, sent empty: a role it is for gets the form's or the
    service's answer (a form error, a 400, or a redirect without an error
    message); whether the action itself is allowed to that object is the
    service's decision, tested in the app's tests."""
    return Rule(frozenset(roles), method="POST", ok=FORM_ANSWERS)


def export(roles, query="export=csv", *, scoped_out=()):
    return Rule(frozenset(roles), query=query, scoped_out=frozenset(scoped_out))


def scoped(roles, scoped_out, query=""):
    """A list every role in ``roles`` reaches, showing each only its scope:
    the roles in ``scoped_out`` must not find the teacher's records on it."""
    return Rule(frozenset(roles), query=query, scoped_out=frozenset(scoped_out))


# Patterns not requested, each with the reason.
EXCLUDED = {
    "admin/^.*/$": "Wagtail admin's catch-all: any unknown admin path is a 404 for everyone.",
    "admin/reports/site-history/": "lms.audit's scoped site history, served at Wagtail's own address: requested as "
                                   "wagtailadmin_reports:site_history.",
    "admin/reports/site-history/results/": "lms.audit's scoped site history, served at Wagtail's own address: "
                                           "requested as wagtailadmin_reports:site_history_results.",
    "wagtailadmin_error_test": "Wagtail's deliberate error page (/admin/failwhale/) for checking error reporting.",
}

POLICY = {
    "wagtailadmin_home": allow(ADMIN),
    "admin/test404/": allow(ADMIN),
    "wagtailadmin_api:pages:listing": allow(ADMIN),
    "wagtailadmin_api:pages:detail": allow({TR, TR2, AA}),
    "wagtailadmin_api:pages:find": allow(NOBODY),
    "wagtailadmin_api:pages:action": post(NOBODY),
    "wagtailadmin_api:documents:listing": allow(ADMIN),
    "wagtailadmin_api:documents:detail": allow(ADMIN),
    "wagtailadmin_api:documents:find": allow(NOBODY),
    "wagtailadmin_api:images:listing": allow(ADMIN),
    "wagtailadmin_api:images:detail": allow(ADMIN),
    "wagtailadmin_api:images:find": allow(NOBODY),
    "wagtailadmin_explore_root": allow({TR, TR2, AA}, ok=("redirect",)),
    "wagtailadmin_explore": allow({TR, TR2, AA}),
    "wagtailadmin_explore_results": allow({TR, TR2, AA}),
    "wagtail_bulk_action": allow(NOBODY),
    "wagtailadmin_pages:add": allow(NOBODY),
    "wagtailadmin_pages:preview_on_add": allow({TR, AA}),
    "wagtailadmin_pages:type_use": allow({TR, TR2, AA}),
    "wagtailadmin_pages:choose_parent": allow(ADMIN),
    "wagtailadmin_pages:type_use_results": allow({TR, TR2, AA}),
    "wagtailadmin_pages:usage": allow({TR, AA}),
    "wagtailadmin_pages:edit": allow({TR, AA}),
    "wagtailadmin_pages:preview_on_edit": allow({TR, AA}),
    "wagtailadmin_pages:view_draft": allow({TR, AA}),
    "wagtailadmin_pages:add_subpage": allow({TR, AA}, ok=("redirect",)),
    "wagtailadmin_pages:delete": allow({AA}),
    "wagtailadmin_pages:unpublish": allow({AA}),
    "wagtailadmin_pages:convert_alias": allow(NOBODY),
    "wagtailadmin_pages:search": allow({TR, TR2, AA}),
    "wagtailadmin_pages:search_results": allow({TR, TR2, AA}),
    "wagtailadmin_pages:move": allow({AA}),
    "wagtailadmin_pages:move_confirm": allow({AA}),
    "wagtailadmin_pages:set_page_position": post({AA}),
    "wagtailadmin_pages:copy": allow({TR, AA}),
    "wagtailadmin_pages:workflow_action": allow(NOBODY),
    "wagtailadmin_pages:collect_workflow_action_data": allow(NOBODY),
    "wagtailadmin_pages:confirm_workflow_cancellation": allow(ADMIN),
    "wagtailadmin_pages:workflow_preview": allow(NOBODY),
    "wagtailadmin_pages:set_privacy": allow({AA}),
    "wagtailadmin_pages:lock": post({AA}),
    "wagtailadmin_pages:unlock": post({AA}),
    "wagtailadmin_pages:revisions_index": allow(ADMIN, ok=("redirect",)),
    "wagtailadmin_pages:revisions_view": allow({TR, AA}),
    "wagtailadmin_pages:revisions_revert": allow({TR, AA}),
    "wagtailadmin_pages:revisions_unschedule": allow({AA}),
    "wagtailadmin_pages:revisions_compare": allow({TR, AA}),
    "wagtailadmin_pages:workflow_history": allow({TR, AA}),
    "wagtailadmin_pages:workflow_history_detail": allow(NOBODY),
    "wagtailadmin_pages:history": allow({TR, AA}),
    "wagtailadmin_pages:history_results": allow({TR, AA}),
    "wagtailadmin_choose_page": allow(ADMIN),
    "wagtailadmin_choose_page_child": allow(ADMIN),
    "wagtailadmin_choose_page_search": allow(ADMIN),
    "wagtailadmin_choose_page_chosen_multiple": allow(ADMIN),
    "wagtailadmin_choose_page_external_link": allow(ADMIN),
    "wagtailadmin_choose_page_email_link": allow(ADMIN),
    "wagtailadmin_choose_page_phone_link": allow(ADMIN),
    "wagtailadmin_choose_page_anchor_link": allow(ADMIN),
    "wagtailadmin_tag_autocomplete": allow(ADMIN),
    "wagtailadmin_tag_model_autocomplete": allow(NOBODY),
    "wagtailadmin_collections:index": allow(NOBODY),
    "wagtailadmin_collections:add": allow(NOBODY),
    "wagtailadmin_collections:edit": allow(NOBODY),
    "wagtailadmin_collections:delete": allow(NOBODY),
    "wagtailadmin_collections:set_privacy": allow(NOBODY),
    "wagtailadmin_workflows:index": allow(NOBODY),
    "wagtailadmin_workflows:index_results": allow(NOBODY),
    "wagtailadmin_workflows:add": allow(NOBODY),
    "wagtailadmin_workflows:enable": post(NOBODY),
    "wagtailadmin_workflows:disable": allow(NOBODY),
    "wagtailadmin_workflows:edit": allow(NOBODY),
    "wagtailadmin_workflows:usage": allow(NOBODY),
    "wagtailadmin_workflows:usage_results": allow(NOBODY),
    "wagtailadmin_workflows:remove admin/workflows/remove/<int:page_pk>/": post(NOBODY),
    "wagtailadmin_workflows:remove admin/workflows/remove/<int:page_pk>/<int:workflow_pk>/": post(NOBODY),
    "wagtailadmin_workflows:add_task": allow(NOBODY),
    "wagtailadmin_workflows:select_task_type": allow(NOBODY),
    "wagtailadmin_workflows:task_index": allow(NOBODY),
    "wagtailadmin_workflows:task_index_results": allow(NOBODY),
    "wagtailadmin_workflows:edit_task": allow(NOBODY),
    "wagtailadmin_workflows:disable_task": allow(NOBODY),
    "wagtailadmin_workflows:enable_task": post(NOBODY),
    "wagtailadmin_workflows:task_chooser": allow(ADMIN),
    "wagtailadmin_workflows:task_chooser_results": allow(ADMIN),
    "wagtailadmin_workflows:task_chooser_create": allow(ADMIN),
    "wagtailadmin_workflows:task_chosen": allow(ADMIN),
    "wagtailadmin_reports:locked_pages": allow({AA}),
    "wagtailadmin_reports:locked_pages ?export=csv": export({AA}, "export=csv"),
    "wagtailadmin_reports:locked_pages_results": allow({AA}),
    "wagtailadmin_reports:locked_pages_results ?export=csv": export({AA}, "export=csv"),
    "wagtailadmin_reports:workflow": allow({TR, TR2, AA}),
    "wagtailadmin_reports:workflow ?export=csv": export({TR, TR2, AA}, "export=csv"),
    "wagtailadmin_reports:workflow_results": allow({TR, TR2, AA}),
    "wagtailadmin_reports:workflow_results ?export=csv": export({TR, TR2, AA}, "export=csv"),
    "wagtailadmin_reports:workflow_tasks": allow({TR, TR2, AA}),
    "wagtailadmin_reports:workflow_tasks ?export=csv": export({TR, TR2, AA}, "export=csv"),
    "wagtailadmin_reports:workflow_tasks_results": allow({TR, TR2, AA}),
    "wagtailadmin_reports:workflow_tasks_results ?export=csv": export({TR, TR2, AA}, "export=csv"),
    # Every staff role, each seeing only the entries of objects in its scope (lms/audit.py).
    "wagtailadmin_reports:site_history": scoped(ADMIN, HISTORY_OUT_OF_SCOPE),
    "wagtailadmin_reports:site_history ?export=csv": scoped(ADMIN, HISTORY_OUT_OF_SCOPE, "export=csv"),
    "wagtailadmin_reports:site_history_results": scoped(ADMIN, HISTORY_OUT_OF_SCOPE),
    "wagtailadmin_reports:site_history_results ?export=csv": scoped(ADMIN, HISTORY_OUT_OF_SCOPE, "export=csv"),
    "wagtailadmin_reports:aging_pages": allow({TR, TR2, AA}),
    "wagtailadmin_reports:aging_pages ?export=csv": export({TR, TR2, AA}, "export=csv"),
    "wagtailadmin_reports:aging_pages_results": allow({TR, TR2, AA}),
    "wagtailadmin_reports:aging_pages_results ?export=csv": export({TR, TR2, AA}, "export=csv"),
    "wagtailadmin_reports:page_types_usage": allow({TR, TR2, AA}),
    "wagtailadmin_reports:page_types_usage_results": allow({TR, TR2, AA}),
    "wagtailadmin_account": allow(ADMIN),
    "wagtailadmin_logout": post(NOBODY),  # signs out and sends everyone to log in
    "wagtailadmin_dismissibles": allow(ADMIN),
    "wagtailadmin_editing_sessions:ping": post({TR, AA}),
    "wagtailadmin_editing_sessions:release": post(ADMIN),
    "wagtailadmin_block_preview": allow(NOBODY),
    "lms_imports:index": allow({HR, AA}),
    "lms_imports:detail": allow({HR, AA}),
    "lms_imports:commit": post({HR, AA}),
    "lms_imports:errors": allow({HR, AA}),
    "lms_imports:template": allow({HR, AA}),
    "lms_imports:retry": post({HR, AA}),
    "sign_in_lockouts": allow({AA}),
    "sign_in_lockouts_results": allow({AA}),
    "lms_dashboard": allow({DA, DA2, HR, AA}),
    "lms_dashboard ?export=csv&chart=targets": export({DA, DA2, HR, AA}, "export=csv&chart=targets"),
    "course_reports:index": allow(ADMIN),
    "course_reports:report": allow({TR, AA}),
    "course_reports:report ?export=csv": export({TR, AA}, "export=csv"),
    "course_reports:managers": allow({AA}),
    "course_reports:attendance": allow({TR, AA}),
    "course_reports:checkin": allow({TR, AA}),
    "certificates_admin:issue": allow({HR, AA}),
    "certificates_admin:pdf": allow({HR, AA}),
    "certificates_admin:revoke": allow({HR, AA}),
    "certificates_admin:reissue": allow({HR, AA}),
    "certificates_admin:batches": allow({HR, AA}),
    "certificates_admin:batch": allow({HR, AA}),
    "certificates_admin:batch_progress": allow({HR, AA}),
    "certificates_admin:batch_restart": post({HR, AA}),
    "certificates_admin:batch_zip": allow({HR, AA}),
    "mentors_report": allow({DA, DA2, AA}),
    "mentors_report ?export=csv&table=districts": export({DA, DA2, AA}, "export=csv&table=districts"),
    "wagtailforms:index": allow({TR, TR2, AA}),
    "wagtailforms:index_results": allow({TR, TR2, AA}),
    "wagtailforms:list_submissions": allow(NOBODY),
    "wagtailforms:list_submissions_results": allow(NOBODY),
    "wagtailforms:delete_submissions": allow(NOBODY),
    "wagtailredirects:index": allow(NOBODY),
    "wagtailredirects:index ?export=csv": export(NOBODY, "export=csv"),
    "wagtailredirects:index_results": allow(NOBODY),
    "wagtailredirects:index_results ?export=csv": export(NOBODY, "export=csv"),
    "wagtailredirects:add": allow(NOBODY),
    "wagtailredirects:edit": allow(NOBODY),
    "wagtailredirects:delete": allow(NOBODY),
    "wagtailredirects:start_import": allow(NOBODY),
    "wagtailredirects:process_import": allow(NOBODY),
    "wagtailsettings:edit admin/settings/<slug:app_name>/<slug:model_name>/": allow({AA}, ok=("redirect",)),
    "wagtailsettings:edit admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/": allow({AA}),
    "wagtailsettings:preview_on_edit": allow(NOBODY),
    "wagtailembeds:chooser": allow(ADMIN),
    "wagtailembeds:chooser_upload": allow(ADMIN),
    "wagtailsnippets:index": allow({HR, AA}),
    "wagtaildocs:index": allow(NOBODY),
    "wagtaildocs:index_results": allow(NOBODY),
    "wagtaildocs:add": allow(NOBODY),
    "wagtaildocs:edit": allow(NOBODY),
    "wagtaildocs:delete": allow(NOBODY),
    "wagtaildocs:add_multiple": allow(NOBODY),
    "wagtaildocs:edit_multiple": post(NOBODY),
    "wagtaildocs:create_multiple_from_uploaded_document": post(NOBODY),
    "wagtaildocs:delete_multiple": post(NOBODY),
    "wagtaildocs:delete_upload_multiple": post(NOBODY),
    "wagtaildocs:document_usage": allow(NOBODY),
    "wagtailimages:index": allow(NOBODY),
    "wagtailimages:index_results": allow(NOBODY),
    "wagtailimages:edit": allow(NOBODY),
    "wagtailimages:delete": allow(NOBODY),
    "wagtailimages:url_generator": allow(NOBODY),
    "wagtailimages:url_generator_output": allow(NOBODY),
    "wagtailimages:preview": allow(NOBODY),
    "wagtailimages:add": allow(NOBODY),
    "wagtailimages:image_usage": allow(NOBODY),
    "wagtailimages:add_multiple": allow(NOBODY),
    "wagtailimages:edit_multiple": post(NOBODY),
    "wagtailimages:create_multiple_from_uploaded_image": post(NOBODY),
    "wagtailimages:delete_multiple": post(NOBODY),
    "wagtailimages:delete_upload_multiple": post(NOBODY),
    "wagtailsnippets_certificates_certificatetemplate:list": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:list_results": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:add": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:edit": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:delete": allow({AA}),
    "wagtailsnippets_certificates_certificatetemplate:usage": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:history": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:history_results": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:copy": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:preview_on_add": allow({HR, AA}),
    "wagtailsnippets_certificates_certificatetemplate:preview_on_edit": allow({HR, AA}),
    "wagtailsnippetchoosers_certificates_certificatetemplate:choose": allow(ADMIN),
    "wagtailsnippetchoosers_certificates_certificatetemplate:choose_results": allow(ADMIN),
    "wagtailsnippetchoosers_certificates_certificatetemplate:chosen": allow(ADMIN),
    "wagtailsnippetchoosers_certificates_certificatetemplate:chosen_multiple": allow(ADMIN),
    "wagtailsnippetchoosers_certificates_certificatetemplate:create": allow({HR, AA}),
    "teachers:index": allow({DA, DA2, HR, AA}),
    "teachers:index_results": allow({DA, DA2, HR, AA}),
    "teachers:add": allow({HR, AA}),
    "teachers:edit": allow({HR, AA}),
    "teachers:delete": allow({AA}),
    "teachers:history": allow({HR, AA}),
    "teachers:history_results": allow({HR, AA}),
    "teachers:usage": allow({HR, AA}),
    "teachers:inspect": allow({DA, HR, AA}),
    "schools:index": allow({DA, DA2, HR, AA}),
    "schools:index_results": allow({DA, DA2, HR, AA}),
    "schools:add": allow({HR, AA}),
    "schools:edit": allow({HR, AA}),
    "schools:delete": allow({AA}),
    "schools:history": allow({HR, AA}),
    "schools:history_results": allow({HR, AA}),
    "schools:usage": allow({HR, AA}),
    "schools:inspect": allow({DA, HR, AA}),
    "districts:index": allow({HR, AA}),
    "districts:index_results": allow({HR, AA}),
    "districts:add": allow({AA}),
    "districts:edit": allow({AA}),
    "districts:delete": allow({AA}),
    "districts:history": allow({AA}),
    "districts:history_results": allow({AA}),
    "districts:usage": allow({AA}),
    "districts:inspect": allow({HR, AA}),
    "ledger_entries:index": allow({DA, DA2, HR, AA}),
    "ledger_entries:index_results": allow({DA, DA2, HR, AA}),
    "ledger_entries:inspect": allow({DA, HR, AA}),
    "credit_corrections:adjust": allow({HR, AA}),
    "credit_corrections:reverse": allow({HR, AA}),
    "credit_caps:index": allow({AA}),
    "credit_caps:index_results": allow({AA}),
    "credit_caps:add": allow({AA}),
    "credit_caps:edit": allow({AA}),
    "credit_caps:delete": allow({AA}),
    "credit_caps:history": allow({AA}),
    "credit_caps:history_results": allow({AA}),
    "credit_caps:usage": allow({AA}),
    "targets:index": allow({AA}),
    "targets:index_results": allow({AA}),
    "targets:add": allow({AA}),
    "targets:edit": allow({AA}),
    "targets:delete": allow({AA}),
    "targets:history": allow({AA}),
    "targets:history_results": allow({AA}),
    "targets:usage": allow({AA}),
    "lms_cohorts:overview": allow({DA, DA2, HR, AA}),
    "lms_cohorts:nominate": allow({DA, DA2, HR, AA}),
    "lms_cohorts:roster": allow({DA, DA2, HR, AA}),
    "lms_cohorts:import": allow({HR, AA}),
    "lms_cohorts:import_template": allow({HR, AA}),
    "lms_cohorts:membership": allow({DA, HR, AA}),
    "talent_registry:index": allow({DA, DA2, HR, AA}),
    "talent_registry:index_results": allow({DA, DA2, HR, AA}),
    "talent_registry:add": allow(NOBODY),
    "talent_registry:edit": allow(NOBODY),
    "talent_registry:delete": allow(NOBODY),
    "talent_registry:history": allow(NOBODY),
    "talent_registry:history_results": allow(NOBODY),
    "talent_registry:usage": allow(NOBODY),
    "talent_registry:inspect": allow(NOBODY),
    "cohorts:index": allow({DA, DA2, HR, AA}),
    "cohorts:index_results": allow({DA, DA2, HR, AA}),
    "cohorts:add": allow({HR, AA}),
    "cohorts:edit": allow({HR, AA}),
    "cohorts:delete": allow({AA}),
    "cohorts:history": allow({HR, AA}),
    "cohorts:history_results": allow({HR, AA}),
    "cohorts:usage": allow({HR, AA}),
    "cohorts:inspect": allow({DA, DA2, HR, AA}),
    "offline_sessions:index": allow({TR, TR2, AA}),
    "offline_sessions:index_results": allow({TR, TR2, AA}),
    "offline_sessions:add": allow({TR, TR2, AA}),
    "offline_sessions:edit": allow({TR, AA}),
    "offline_sessions:delete": allow({TR, AA}),
    "offline_sessions:history": allow({TR, AA}),
    "offline_sessions:history_results": allow({TR, AA}),
    "offline_sessions:usage": allow({TR, AA}),
    "issued_certificates:index": allow({HR, AA}),
    "issued_certificates:index_results": allow({HR, AA}),
    "issued_certificates:inspect": allow({HR, AA}),
    "research_pairings:index": allow({DA, DA2, AA}),
    "research_pairings:index_results": allow({DA, DA2, AA}),
    "research_pairings:add": allow({DA, DA2, AA}),
    "research_pairings:edit": allow({AA}),
    "research_pairings:delete": allow(NOBODY),
    "research_pairings:history": allow({DA, AA}),
    "research_pairings:history_results": allow({DA, AA}),
    "research_pairings:usage": allow({AA}),
    "research_pairings:inspect": allow({DA, AA}),
    "research_mentors:index": allow({DA, DA2, AA}),
    "research_mentors:index_results": allow({DA, DA2, AA}),
    "research_mentors:add": allow({AA}),
    "research_mentors:edit": allow({AA}),
    "research_mentors:delete": allow({AA}),
    "research_mentors:history": allow({AA}),
    "research_mentors:history_results": allow({AA}),
    "research_mentors:usage": allow({AA}),
    "research_mentors:inspect": allow({DA, DA2, AA}),
    "correction_requests:index": scoped({DA, DA2, AA}, {DA2}),
    "correction_requests:index_results": scoped({DA, DA2, AA}, {DA2}),
    "correction_requests:add": allow(NOBODY),
    "correction_requests:edit": allow({DA, AA}),
    "correction_requests:delete": allow(NOBODY),
    "correction_requests:history": allow({DA, AA}),
    "correction_requests:history_results": allow({DA, AA}),
    "correction_requests:usage": allow({DA, AA}),
    "correction_requests:inspect": allow({DA, AA}),
    "wagtailsites:index": allow(NOBODY),
    "wagtailsites:index_results": allow(NOBODY),
    "wagtailsites:add": allow(NOBODY),
    "wagtailsites:edit": allow(NOBODY),
    "wagtailsites:delete": allow(NOBODY),
    "wagtailsites:history": allow(NOBODY),
    "wagtailsites:history_results": allow(NOBODY),
    "wagtailsites:usage": allow(NOBODY),
    "wagtailsites:copy": allow(NOBODY),
    "wagtailusers_users:index": allow(NOBODY),
    "wagtailusers_users:index_results": allow(NOBODY),
    "wagtailusers_users:add": allow(NOBODY),
    "wagtailusers_users:edit": allow(NOBODY),
    "wagtailusers_users:delete": allow(NOBODY),
    "wagtailusers_users:history": allow(NOBODY),
    "wagtailusers_users:history_results": allow(NOBODY),
    "wagtailusers_users:usage": allow(NOBODY),
    "wagtailusers_users:copy": allow(NOBODY),
    "wagtailusers_groups:index": allow(NOBODY),
    "wagtailusers_groups:index_results": allow(NOBODY),
    "wagtailusers_groups:add": allow(NOBODY),
    "wagtailusers_groups:edit": allow(NOBODY),
    "wagtailusers_groups:delete": allow(NOBODY),
    "wagtailusers_groups:history": allow(NOBODY),
    "wagtailusers_groups:history_results": allow(NOBODY),
    "wagtailusers_groups:usage": allow(NOBODY),
    "wagtaildocs_chooser:choose": allow(ADMIN),
    "wagtaildocs_chooser:choose_results": allow(ADMIN),
    "wagtaildocs_chooser:chosen": allow(NOBODY),
    "wagtaildocs_chooser:chosen_multiple": allow(ADMIN),
    "wagtaildocs_chooser:create": allow(NOBODY),
    "wagtailimages_chooser:choose": allow(ADMIN),
    "wagtailimages_chooser:choose_results": allow(ADMIN),
    "wagtailimages_chooser:chosen": allow(NOBODY),
    "wagtailimages_chooser:chosen_multiple": allow(ADMIN),
    "wagtailimages_chooser:create": allow(NOBODY),
    "wagtailimages_chooser:select_format": allow(NOBODY),
    "wagtailadmin_sprite": allow(EVERYONE),
    "wagtailadmin_login": allow(EVERYONE, ok=("200", "redirect")),  # a signed-in admin user goes on to the dashboard
    "wagtailadmin_password_reset": allow(EVERYONE),
    "wagtailadmin_password_reset_done": allow(EVERYONE),
    "wagtailadmin_password_reset_confirm": allow(EVERYONE),
    "wagtailadmin_password_reset_complete": allow(EVERYONE),
    "wagtailadmin_javascript_catalog": allow(EVERYONE),
    "wagtaildocs_serve": allow(EVERYONE),
    "wagtaildocs_authenticate_with_password": allow(NOBODY),
    "login": allow(EVERYONE),
    "logout": post(EVERYONE),
    "password_change accounts/password_change/": allow(SIGNED_IN),
    "password_change_done": allow(SIGNED_IN),
    "password_reset": allow(EVERYONE),
    "password_reset_done": allow(EVERYONE),
    "password_reset_confirm": allow(EVERYONE),
    "password_reset_complete": allow(EVERYONE),
    "set_language": allow(EVERYONE, ok=("redirect",)),
    "mentors:my_pairings": allow(SIGNED_IN),
    "mentors:directory": allow(SIGNED_IN),
    "mentors:apply": allow({T, T2}),
    "mentors:pairing_detail": allow({T, M, DA, AA}),
    "mentors:pairing_accept": post({T, M, DA, AA}),
    "mentors:pairing_decline": post({T, M, DA, AA}),
    "mentors:pairing_end": post({T, M, DA, AA}),
    "mentors:pairing_complete": post({T, M, DA, AA}),
    "mentors:output_add": post({T, M, DA, AA}),
    "mentors:activity_log": allow({T}),
    "mentors:queue": allow(SIGNED_IN),
    "mentors:project_new": allow({M, M2}),
    "mentors:project_close": post(SIGNED_IN),
    "mentors:activity_confirm": post({T, M, DA, AA}),
    "mentors:activity_return": post({T, M, DA, AA}),
    "mentors:evidence": allow({T, M, DA, AA}),
    "my_cohorts": allow(SIGNED_IN),
    "privacy:my_data": allow(SIGNED_IN),
    "privacy:my_data_export": allow(SIGNED_IN),
    "privacy:correction_request": post(SIGNED_IN),
    "privacy:notice": allow(EVERYONE),
    "privacy:notice_acknowledge": post(SIGNED_IN),
    "private_file": allow({T, DA, HR, AA}),
    "themes:my_hours": allow(SIGNED_IN),
    "themes:my_hours_transcript": allow(SIGNED_IN),
    "certificates:verify": allow(EVERYONE),
    "certificates:badge_assertion": allow(EVERYONE),
    "certificates:verify_token": allow(EVERYONE),
    "certificates:badge_issuer": allow(EVERYONE),
    "certificates:badge_class": allow(EVERYONE),
    "certificates:badge_image": allow(EVERYONE),
    "certificates:my_certificates": allow(SIGNED_IN),
    "certificates:my_certificate_pdf": allow({T}),
    "certificates:my_transcript_pdf": post({T, T2}),
    "courses:lesson": allow({T}),
    "courses:lesson_done": post(SIGNED_IN),
    "courses:quiz_submit": post(SIGNED_IN),
    "courses:enrol": post(SIGNED_IN),
    "courses:unenrol": post(SIGNED_IN),
    "courses:my_learning": allow(SIGNED_IN),
    "courses:checkin": allow(SIGNED_IN),
    "wagtailcore_authenticate_with_password": allow(NOBODY),
    "wagtailcore_login": allow(EVERYONE),
    "wagtail_serve": allow(EVERYONE),
}

# Roles that reach a URL today but should not: a leak someone is fixing.
# The test prints them, and fails once a leak is gone so the line is removed.
KNOWN_ISSUES = {
}


def _entries():
    """(key, route, rule) for every route and export in the policy."""
    found = {route.key: route for route in routes()}
    unclassified = sorted(set(found) - set(POLICY) - set(EXCLUDED))
    stale = sorted(key for key in set(POLICY) | set(EXCLUDED) if _route_key(key) not in found)
    assert not unclassified, f"URLs not classified in tests/test_security_matrix.py POLICY: {unclassified}"
    assert not stale, f"POLICY or EXCLUDED names URLs that no longer exist: {stale}"
    return [(key, found[_route_key(key)], rule) for key, rule in POLICY.items() if key not in EXCLUDED]


def _route_key(key):
    """An export's policy key is its route's key and the query: "name ?export=csv"."""
    return key.split(" ?")[0]


def _check(key, rule, outcomes):
    problems, known = [], []
    leaks = KNOWN_ISSUES.get(key, (NOBODY, ""))[0]
    for role, outcome in outcomes.items():
        if outcome.label == "500":
            problems.append(f"{key} as {role}: server error {outcome.detail}")
        elif role in rule.roles and outcome.label not in rule.ok:
            problems.append(f"{key} as {role}: expected {sorted(rule.ok)}, got {outcome.label} {outcome.detail}")
        elif role not in rule.roles and (outcome.label not in REFUSALS or outcome.label in rule.ok):
            if role in leaks:
                known.append((key, role))
            else:
                problems.append(f"{key} as {role}: should be refused, got {outcome.label} {outcome.detail}")
        elif role in leaks:
            problems.append(f"{key} as {role}: the known issue is fixed ({outcome.label}); remove it from KNOWN_ISSUES")
    return problems, known


def _body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def _check_scope(key, rule, responses, outcomes, academy):
    """A scoped list must show the teacher's records to the roles whose
    scope holds them and hide them from the others; those are shown ◐."""
    marker = academy.objects["teacher"].real_name
    problems, shown = [], dict(outcomes)
    for role in rule.roles:
        if outcomes[role].label != "200":
            continue
        found = marker in _body(responses[role])
        if role in rule.scoped_out:
            if found:
                problems.append(f"{key} as {role}: shows the teacher's records, which are outside its scope")
            shown[role] = Outcome(outcomes[role].status, "scoped")
        elif not found:
            problems.append(f"{key} as {role}: does not show the teacher's records, which are in its scope")
    return problems, shown


SYMBOLS = {"200": "✅", "scoped": "◐", "login": "🔑", "denied": "⛔", "refused": "✋", "403": "403", "404": "404", "400": "400",
           "redirect": "↪"}


def _document(rows, known):
    lines = [
        "# Who reaches what",
        "",
        "Generated by `tests/test_security_matrix.py`, which requested every URL",
        "pattern of the project as each role and checked the answer against its",
        "policy. Do not edit by hand: rerun the test with `LMS_WRITE_SECURITY_DOC=1`.",
        "",
        "Roles: " + ", ".join(f"**{_short(role)}** {role}" for role in ROLES) + ".",
        "\"Another\" is a second user of the role who owns nothing and is paired with no one; the teacher works",
        "in 历下区, the district admin manages 历下区 and the other district's admin 历城区.",
        "",
        "Answers: ✅ allowed (200) · 🔑 sent to log in · ⛔ Wagtail's \"permission denied\" · ✋ sent back",
        "with the view's error message · 403 · 404 (outside the role's scope, or no such object) · 400 a",
        "form error · ↪ redirected without an error. POST rows are actions sent empty: the view answered,",
        "and whether the action is allowed on that object is the service's decision (tested in each app).",
        "◐ allowed (200), scoped: the list answers without the teacher's records, which are outside the",
        "role's scope (the roles marked ✅ on that row find them).",
        "",
        "| URL | path | " + " | ".join(_short(role) for role in ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for key, route, rule, outcomes in rows:
        path = "/" + route.route.replace("^", "").replace("$", "") + (f"?{rule.query}" if rule.query else "")
        method = "" if rule.method == "GET" else f" ({rule.method})"
        cells = " | ".join(SYMBOLS.get(outcomes[role].label, outcomes[role].label) for role in ROLES)
        lines.append(f"| `{_route_key(key).split(' ')[0]}`{method} | `{_escape(path)}` | {cells} |")
    lines += ["", "## Known issues", ""]
    reached = {}
    for key, role in known:
        reached.setdefault(key, []).append(_short(role))
    lines += [f"- `{key}` is reached by {', '.join(roles)}: {KNOWN_ISSUES[key][1]}." for key, roles in reached.items()]
    lines += [] if reached else ["None."]
    lines += ["", "## Not requested", ""]
    lines += [f"- `{_escape(key)}`: {reason}" for key, reason in EXCLUDED.items()]
    return "\n".join(lines) + "\n"


def _short(role):
    return {AN: "Anon", T: "T", T2: "T2", TR: "Tr", TR2: "Tr2", M: "M", M2: "M2", DA: "DA", DA2: "DA2", HR: "HR",
            AA: "AA"}[role]


def _escape(text):
    return text.replace("|", "\\|")


def test_every_url_answers_each_role_as_the_policy_says():
    entries = _entries()
    academy = prepare(academy_build())
    by_role = clients(academy)
    rows, problems, known = [], [], []
    for key, route, rule in entries:
        url = address(route, academy) + (f"?{rule.query}" if rule.query else "")
        responses = {role: request(by_role[role], rule.method, url) for role in ROLES}
        outcomes = {role: classify(response) for role, response in responses.items()}
        found, seen = _check(key, rule, outcomes)
        if rule.scoped_out:
            scope_problems, outcomes = _check_scope(key, rule, responses, outcomes, academy)
            found += scope_problems
        problems += found
        known += seen
        rows.append((key, route, rule, outcomes))
    if known:
        print("Known issues, still open:\n  " + "\n  ".join(f"{key} as {role}" for key, role in known))
    assert not problems, "\n".join(problems)

    document = _document(rows, known)
    if os.environ.get("LMS_WRITE_SECURITY_DOC") == "1":
        DOC.write_text(document, encoding="utf-8")
    assert DOC.exists() and DOC.read_text(encoding="utf-8") == document, REWRITE_HINT

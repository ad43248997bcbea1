"""Writing a checked people import: new records with ``bulk_create``,
changes with one executemany UPDATE per set of changed columns (see
``update_rows``). Called by ``import_batch_commit`` inside its transaction,
with the plans of a check that found no error."""

import secrets
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import connections, router
from django.utils import timezone

from lms.constants import ImportKind, ImportRowAction, Role
from lms.imports.checks import chunks
from lms.people.models import School, TeacherProfile

WRITE_BATCH = 1000


def _unusable_password():
    # What make_password(None) returns, without its per-call cost (seconds
    # at 50,000 teachers). The random part makes each new teacher's
    # password-reset token different.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def update_rows(model, changes):
    """Write ``changes``, an iterable of ``(pk, {attribute name: value})``
    (``school_id``, not ``school``), as one parametrised UPDATE per row run
    through executemany, one statement per set of changed columns, so a
    column that did not change is not written.

    Why not bulk_update: it builds a CASE … WHEN pk = … expression per row
    and per field, over a millisecond a row here, so an import that changes
    50,000 teachers took two minutes; this way it takes seconds."""
    groups = defaultdict(list)
    for pk, values in changes:
        groups[tuple(sorted(values))].append((pk, values))
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk_column = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            fields = [model._meta.get_field(name) for name in names]
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            params = [
                [field.get_db_prep_save(values[field.attname], connection) for field in fields] + [pk]
                for pk, values in rows
            ]
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s", params)


def write_teachers(plans) -> None:
    """Create and update the teachers of ``plans``."""
    User = get_user_model()
    now = timezone.now()
    new = [plan for plan in plans if plan.action == ImportRowAction.CREATE]
    changed = [plan for plan in plans if plan.action == ImportRowAction.UPDATE]

    # As teacher_create does it: the real name is also the account's first name.
    users = [
        User(
            username=plan.key,
            email=plan.email or "",
            first_name=plan.values["real_name"][:150],
            password=_unusable_password(),
        )
        for plan in new
    ]
    User.objects.bulk_create(users, batch_size=WRITE_BATCH)
    if any(user.pk is None for user in users):  # a backend that cannot return ids
        ids = {}
        for chunk in chunks([user.username for user in users]):
            ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        for user in users:
            user.pk = ids[user.username]
    # What user_role_add(role=Role.TEACHER) does, for all new teachers at once.
    teacher_group = Group.objects.get(name=Role.TEACHER.value)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=teacher_group.pk) for user in users], batch_size=WRITE_BATCH
    )
    profiles = [
        TeacherProfile(user_id=user.pk, staff_number=plan.key, **plan.values) for plan, user in zip(new, users)
    ]
    TeacherProfile.objects.bulk_create(profiles, batch_size=WRITE_BATCH)

    profile_changes, user_changes = [], []
    for plan in changed:
        values = {name: plan.values[name] for name in plan.changes if name != "email"}
        if values:
            profile_changes.append((plan.existing["id"], {**values, "updated_at": now}))
        account = {}
        if plan.email is not None:
            account["email"] = plan.email
        if "real_name" in values:
            account["first_name"] = values["real_name"][:150]
        if account:
            user_changes.append((plan.existing["user_id"], account))
    update_rows(TeacherProfile, profile_changes)
    update_rows(User, user_changes)


def write_schools(plans) -> None:
    new = [School(code=plan.key, **plan.values) for plan in plans if plan.action == ImportRowAction.CREATE]
    School.objects.bulk_create(new, batch_size=WRITE_BATCH)
    changes = [
        (plan.existing["id"], {name: plan.values[name] for name in plan.changes})
        for plan in plans
        if plan.action == ImportRowAction.UPDATE
    ]
    update_rows(School, changes)


WRITERS = {ImportKind.TEACHERS: write_teachers, ImportKind.SCHOOLS: write_schools}

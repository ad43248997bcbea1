"""The demo academy's accounts: the fixed demo logins, the superuser,
trainers, HR, district admins and mentors, and every teacher's user, with
their roles."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from lms.constants import Role
from lms.db.bulk import rows_insert
from lms.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from lms.demo.draw import weighted_picker
from lms.demo.schools import DISTRICT_PROFILES
from lms.demo.teachers import DEMO_TEACHER_DISTRICT, DEMO_TEACHER_USERNAME
from lms.people.services import district_admin_assign, user_role_add

SUPERUSER_USERNAME = "admin"
DEMO_EMAIL_DOMAIN = "jinan-academy.example"

# Research mentors' institutions (by mail domain): universities and
# institutes in and around Jinan, and one high-tech company. The domains are
# under the reserved .example top-level domain, so no demo mail can ever reach
# a real mailbox.
MENTOR_DOMAINS = (
    ("sdu.example", 6), ("ujn.example", 4), ("qlu.example", 4), ("sdnu.example", 3), ("sdjzu.example", 1),
    ("iscas.example", 1), ("inspur.example", 1),
)
TRAINER_COUNT = 10
HR_COUNT = 4
MENTOR_COUNT = 20


@dataclass(frozen=True)
class AccountSpec:
    """A user who is not one of the generated teachers."""

    username: str
    real_name: str
    email: str
    role: Role | None
    district_code: str = ""
    is_superuser: bool = False
    # The fixed accounts of lms.demo.accounts, which go through the role services.
    is_demo_login: bool = False


def accounts_plan(rng, *, names):
    demo_email = f"@{DEMO_EMAIL_DOMAIN}"
    accounts = [
        AccountSpec(
            username=username,
            real_name=real_name,
            email=username + demo_email,
            role=role,
            district_code=DEMO_TEACHER_DISTRICT if role == Role.DISTRICT_ADMIN else "",
            is_demo_login=True,
        )
        for username, role, real_name, _hint in DEMO_LOGINS
    ]
    accounts.append(AccountSpec(SUPERUSER_USERNAME, "", SUPERUSER_USERNAME + demo_email, None, is_superuser=True))

    def staff_person():
        return names.person(rng, female=rng.random() < 0.6, older=rng.random() < 0.4)[0]

    for n in range(1, TRAINER_COUNT + 1):
        accounts.append(AccountSpec(f"trainer-{n:02d}", staff_person(), f"trainer-{n:02d}{demo_email}", Role.TRAINER))
    for n in range(1, HR_COUNT + 1):
        accounts.append(AccountSpec(f"hr-{n:02d}", staff_person(), f"hr-{n:02d}{demo_email}", Role.HR))
    for profile in DISTRICT_PROFILES:
        username = f"district-{profile.code.lower()}"
        accounts.append(
            AccountSpec(username, staff_person(), username + demo_email, Role.DISTRICT_ADMIN,
                        district_code=profile.code)
        )
    pick_domain = weighted_picker(MENTOR_DOMAINS)
    mailboxes = set()
    for n in range(1, MENTOR_COUNT + 1):
        real_name, romanised = names.person(rng, female=rng.random() < 0.35, older=rng.random() < 0.6)
        local = romanised.replace(" ", "").replace("'", "").lower()
        domain = pick_domain(rng)
        mailbox, suffix = f"{local}@{domain}", 1
        while mailbox in mailboxes:
            suffix += 1
            mailbox = f"{local}{suffix}@{domain}"
        mailboxes.add(mailbox)
        accounts.append(AccountSpec(f"mentor-{n:02d}", real_name, mailbox, Role.MENTOR))
    return accounts


def users_create(*, plan):
    """Create every account and teacher's user; return their ids by username."""
    # One hash for everyone: hashing 50,000 times would take most of an hour
    # with the production hasher, and every demo account shares the password.
    password = make_password(DEMO_PASSWORD)
    rows = [
        (account.username, account.real_name, account.email, password, account.is_superuser, account.is_superuser)
        for account in plan.accounts
    ]
    rows += [
        (teacher.username, teacher.real_name, f"{teacher.username}@{DEMO_EMAIL_DOMAIN}", password, False, False)
        # The demo teacher's user is one of the accounts.
        for teacher in plan.teachers
        if teacher.username != DEMO_TEACHER_USERNAME
    ]
    User = get_user_model()
    rows_insert(User, ("username", "first_name", "email", "password", "is_superuser", "is_staff"), rows)
    # The database had no users before (demo_academy_has_data), so all of
    # them are ours.
    return dict(User.objects.values_list("username", "pk"))


def roles_assign(*, plan, user_ids, districts):
    """Fixed demo accounts and district admins go through the role services
    like any other user; the thousands of others get group rows in bulk."""
    User = get_user_model()
    groups = Group.objects.in_bulk([role.value for role in Role], field_name="name")
    by_service = [account for account in plan.accounts if account.is_demo_login or account.district_code]
    users = User.objects.in_bulk([account.username for account in by_service], field_name="username")
    memberships = []
    for account in plan.accounts:
        if account.role == Role.DISTRICT_ADMIN:
            district_admin_assign(user=users[account.username], district=districts[account.district_code])
        elif account.is_demo_login:
            user_role_add(user=users[account.username], role=account.role)
        elif account.role is not None:
            memberships.append((user_ids[account.username], groups[account.role.value].pk))
    teacher_group_id = groups[Role.TEACHER.value].pk
    memberships += [
        (user_ids[teacher.username], teacher_group_id)
        for teacher in plan.teachers
        if teacher.username != DEMO_TEACHER_USERNAME
    ]
    rows_insert(User.groups.through, ("user", "group"), memberships)

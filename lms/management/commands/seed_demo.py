"""Load the demo academy into an empty database (``make run`` calls it with
``--if-empty`` every time). The work is done by ``lms.demo.seeding``."""

import argparse
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.constants import Role
from lms.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from lms.demo.seeding import (
    ALREADY_LOADED,
    DEFAULT_SEED,
    DEFAULT_TEACHER_COUNT,
    SUPERUSER_USERNAME,
    TEACHER_COUNT_TOO_SMALL,
    DatabaseNotEmpty,
    DemoAcademyError,
    demo_academy_seed,
)
from themes.api import home_page_demo_seed


def teacher_count(value):
    count = int(value)
    if count < 1:
        raise argparse.ArgumentTypeError(str(TEACHER_COUNT_TOO_SMALL))
    return count


class Command(BaseCommand):
    # argparse cannot format a lazy string, and gettext cannot run at import.
    help = "Load a realistic, deterministic demo academy into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--teachers",
            type=teacher_count,
            default=DEFAULT_TEACHER_COUNT,
            help=_("How many teachers, the demo teacher account included (default %(default)s)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Random seed: the same seed gives the same academy (default %(default)s)."),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing, successfully, when the database already has data."),
        )

    def handle(self, *args, teachers, seed, if_empty, **options):
        # Creating the demo pages logs a line per page and per background
        # task; the summary below is what a newcomer needs to read.
        for name in ("wagtail", "django_tasks"):
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            summary = demo_academy_seed(seed=seed, teacher_count=teachers)
        except DatabaseNotEmpty as error:
            if if_empty:
                self.stdout.write(str(ALREADY_LOADED))
                return
            raise CommandError(str(error)) from error
        except DemoAcademyError as error:
            raise CommandError(str(error)) from error
        # After the apps' content, so the home page can feature it.
        home_page_demo_seed()
        self.print_summary(summary)
        self.seed_certificates()
        self.seed_cohorts(seed)
        self.seed_privacy()

    def seed_certificates(self):
        from django.apps import apps

        if not apps.is_installed("certificates"):
            return
        from certificates.api import demo_certificates_seed

        count = demo_certificates_seed()
        self.stdout.write(
            _("Certificates: a default template per kind, and %(count)d certificates for demo teachers "
              "(one revoked, one reissued).") % {"count": count}
        )

    def seed_cohorts(self, seed):
        # After the certificates: certified members get theirs from the
        # default cohort qualification template.
        from lms.demo.cohorts import demo_cohorts_seed

        certified = demo_cohorts_seed(seed=seed)
        self.stdout.write(
            _("Talent cohorts: subject leaders, five Olympiad-coach cohorts and a master-teacher studio, "
              "with members in every status; certified: %(leaders)d subject leaders, %(coaches)d Olympiad coaches.")
            % {"leaders": certified.get("subject_leader", 0), "coaches": certified.get("olympiad_coach", 0)}
        )

    def seed_privacy(self):
        from django.apps import apps

        if not apps.is_installed("lms.privacy"):
            return
        from lms.privacy.seeding import demo_privacy_seed

        count = demo_privacy_seed()
        self.stdout.write(
            _("Privacy: no account has acknowledged the privacy notice yet (each meets it at first sign-in); "
              "%(count)d open correction request from the demo teacher for the district admin.") % {"count": count}
        )

    def print_summary(self, summary):
        roles = ", ".join(
            f"{role.label} {summary.accounts_by_role[role]}" for role in Role if role in summary.accounts_by_role
        )
        lines = [
            _("Loaded the demo academy (seed %(seed)s):") % {"seed": summary.seed},
            "  " + _("%(districts)d districts and zones, %(schools)d schools (%(rural)d rural)")
            % {"districts": summary.districts, "schools": summary.schools, "rural": summary.rural_schools},
            "  " + _("%(teachers)d teachers, each with a user in the Teacher group") % {"teachers": summary.teachers},
            "  " + _("other accounts: %(roles)s, superuser %(superusers)d")
            % {"roles": roles, "superusers": summary.superusers},
            "  " + _("%(courses)d courses in the catalogue, with lessons, quizzes and enrolments")
            % {"courses": summary.courses},
        ]
        if summary.research_along is not None:
            lines.append(
                "  " + _("research-along: %(mentors)d mentors, %(pairings)d pairings, %(credited)d activities credited")
                % {"mentors": summary.research_along.mentors, "pairings": summary.research_along.pairings,
                   "credited": summary.research_along.credited}
            )
        lines += [
            "",
            _("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD},
        ]
        lines += [f"  {username:<14} {role.label} — {hint}" for username, role, _name, hint in DEMO_LOGINS]
        lines += [
            f"  {SUPERUSER_USERNAME:<14} " + _("superuser, for site maintenance only"),
            "  "
            + _("Every teacher signs in with their staff number, e.g. %(username)s.")
            % {"username": summary.sample_teacher_username},
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

"""Hostile values in every query parameter and form field of every page a
role can reach must never give a server error, and a rejected form must
write nothing.

The pages are those the security matrix's policy allows each role (the
academy's own, not Wagtail's built-in admin screens); their
parameters are found by reading the forms each page renders (GET forms are
the filters, POST forms the actions). Hypothesis draws the values; the CI
profile is small and derandomised, ``HYPOTHESIS_PROFILE=deep`` runs many
more examples locally.
"""

import os
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from .academy import academy_build
from .policy import AA, AN, DA, HR, TR, M, T, policy_entries
from .probe import address, clients, prepare, request

pytestmark = pytest.mark.django_db

settings.register_profile(
    "ci", max_examples=2, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
settings.register_profile(
    "deep", max_examples=40, deadline=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

# Which role's view of a page is fuzzed: the first of these it is allowed.
ROLE_ORDER = (T, M, TR, DA, HR, AA, AN)
# Parameters every listing may read, rendered in a form or not.
COMMON_QUERY = ("q", "p", "page", "ordering", "year")
# Forms not sent: they end the session the rest of the run needs.
SKIPPED_ACTIONS = ("logout",)

HOSTILE = [
    "A" * 5000,
    "\x00",
    "科学\x00教育",
    "𠮷野家",
    "e\u0301\u0308\u20dd",
    "\u202eevil\u202c",
    "\ufeff",
    "👩🏽‍🔬",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999",
    "1e308",
    "NaN",
    "10000",
    "2026-02-30",
    "0000-00-00",
    "10000-01-01",
    "-0001-01-01",
    "2026-13-45T25:61",
    '"',
    '"*()',
    "科学\" OR \"1\"=\"1",
    "*",
    "()",
    "' OR 1=1 --",
    "%_%",
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd|' /C calc'!A0",
]

hostile_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    # A list where a scalar is expected: the parameter is sent twice.
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=3),
)


class _Forms(HTMLParser):
    """Every form of a page: its method, action and field names."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append([(attrs.get("method") or "get").upper(), attrs.get("action") or "", []])
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            if attrs.get("type") not in ("file", "submit", "image") and attrs["name"] != "csrfmiddlewaretoken":
                self.forms[-1][2].append(attrs["name"])


@dataclass(frozen=True)
class Target:
    role: str
    method: str
    url: str
    fields: tuple


# Pages of the site's page tree beyond the one the matrix requests for
# Wagtail's page route (a course): the home page and the catalogue.
PAGE_TREE = ((AN, lambda academy: "/"), (T, lambda academy: academy.objects["course"].get_parent().url))


def _pages(academy):
    for key, route, rule in policy_entries():
        if rule.method != "GET" or rule.query or "200" not in rule.ok or not _ours(key):
            continue
        role = next((role for role in ROLE_ORDER if role in rule.roles), None)
        if role is not None:
            yield role, address(route, academy)
    for role, url in PAGE_TREE:
        yield role, url(academy)


def _targets(academy, by_role):
    targets = {}
    for role, url in _pages(academy):
        response = request(by_role[role], "GET", url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode("utf-8", "replace"))
        _add(targets, Target(role, "GET", url, COMMON_QUERY))
        for method, action, fields in parser.forms:
            action_url = urlsplit(urljoin(url, action))
            if action_url.netloc not in ("", "testserver") or any(word in action_url.path for word in SKIPPED_ACTIONS):
                continue
            if fields:
                _add(targets, Target(role, method, action_url.path, tuple(dict.fromkeys(fields))))
    return list(targets.values())


def _ours(key):
    """The academy's pages and admin views, the public site's pages and the
    certificate templates' snippet views; Wagtail's own admin screens
    (users, images, workflows…) are Wagtail's to test."""
    return not key.startswith("wagtail") or key.startswith(("wagtail_serve", "wagtailsnippets_certificates"))


def _add(targets, target):
    key = (target.role, target.method, target.url)
    if key in targets:
        fields = tuple(dict.fromkeys(targets[key].fields + target.fields))
        target = Target(target.role, target.method, target.url, fields)
    targets[key] = target


def _row_counts_sql():
    tables = sorted(
        {model._meta.db_table for model in apps.get_models() if model._meta.managed and not model._meta.proxy}
        & set(connection.introspection.table_names())
    )
    return " UNION ALL ".join(f"SELECT '{table}', COUNT(*) FROM {connection.ops.quote_name(table)}" for table in tables)


# Tables a rejected request may still write: the session the client holds,
# Wagtail's record that someone has an edit form open (it warns others), and
# django-axes's count of failed sign-ins (the lockout is built on it).
EXPECTED_WRITES = {"django_session", "wagtailadmin_editingsession", "axes_accessattempt"}


def _row_counts(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {table: count for table, count in cursor.fetchall() if table not in EXPECTED_WRITES}


def _is_rejection(method, response):
    if response.status_code == 400:
        return True
    if method == "POST" and response.status_code == 200:
        return True  # the form came back, with its errors
    return False


def _send(client, target, values, count_sql):
    data = {name: values[name] for name in target.fields}
    response = request(client, target.method, target.url, data, snapshot=lambda: _row_counts(count_sql))
    before, after = response.snapshots
    if not _is_rejection(target.method, response):
        return response, {}
    return response, {table: (before[table], after[table]) for table in before if before[table] != after[table]}


def test_hostile_values_never_break_a_page_or_half_write():
    academy = prepare(academy_build())
    by_role = clients(academy)
    targets = _targets(academy, by_role)
    assert len(targets) > 40, f"only {len(targets)} forms found: the discovery is broken"
    print(f"{len(targets)} targets, {sum(len(target.fields) for target in targets)} fields")
    count_sql = _row_counts_sql()
    failures = []

    def attack(target):
        client = by_role[target.role]

        @settings(settings.get_profile(PROFILE))
        @given(values=st.fixed_dictionaries({name: hostile_value for name in target.fields}))
        @example(values=dict.fromkeys(target.fields, "10000"))
        @example(values=dict.fromkeys(target.fields, '"*()'))
        @example(values=dict.fromkeys(target.fields, "科学\x00"))
        def send(values):
            response, written = _send(client, target, values, count_sql)
            problem = None
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                problem = f"{response.status_code} {exc[1]!r}" if exc else str(response.status_code)
            elif written:
                problem = f"rejected with {response.status_code} but wrote {written}"
            if problem:
                failures.append(f"{target.method} {target.url} as {target.role}: {problem} with {_short(values)}")

        send()

    for target in targets:
        attack(target)
    failures = sorted(set(failures))
    known = [known for known, vendors in KNOWN_FAILURES.items() if connection.vendor in vendors]
    unexpected = [failure for failure in failures if not any(line in failure for line in known)]
    fixed = [line for line in known if not any(line in failure for failure in failures)]
    if failures:
        print("Hostile-input failures:\n  " + "\n  ".join(failures))
    assert not unexpected, "\n".join(unexpected)
    # The CI profile always sends the values that found these; a deeper run
    # may draw others, so only it may not meet every one.
    assert not fixed or PROFILE != "ci", f"no longer fails, remove from KNOWN_FAILURES: {fixed}"


def _short(values):
    return {name: (value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value)
            for name, value in values.items()}


# Server errors already being fixed elsewhere: a substring of the failure
# line and the databases it happens on. Remove a line when its fix is merged.
BOTH = frozenset({"sqlite", "postgresql"})
KNOWN_FAILURES = {}


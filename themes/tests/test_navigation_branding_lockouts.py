"""The theme's own pieces, each on its own: the main navigation the apps
fill through a hook, the branding read once and kept in the cache, and the
list of sign-ins locked out now."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Site

from lms.navigation import NAV_HOOK, NavItem, NavLink, nav_links_for, signed_in
from lms.tests.factories import UserFactory
from themes.branding import branding_current
from themes.models import BrandingSettings
from themes.selectors import signin_lockout_list

pytestmark = pytest.mark.django_db


def visit(path, user=None):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    return request


def only_these(*items):
    """The navigation with just ``items`` registered (the apps' own left out)."""
    return hooks.register_temporarily(NAV_HOOK, lambda: list(items))


def links_of(request, *items):
    with only_these(*items):
        return [link for link in nav_links_for(request) if link.label.startswith("t:")]


def test_the_navigation_lists_items_in_order_and_marks_the_current_one():
    items = (
        NavItem("t:later", "/later/", order=20),
        NavItem("t:home", "/", order=10),
        NavItem("t:courses", "/courses/", order=15),
    )
    assert links_of(visit("/courses/physics/"), *items) == [
        NavLink("t:home", "/", False),
        NavLink("t:courses", "/courses/", True),
        NavLink("t:later", "/later/", False),
    ]
    exact = NavItem("t:exact", "/courses/", prefix_match=False)
    assert links_of(visit("/courses/physics/"), exact) == [NavLink("t:exact", "/courses/", False)]


def test_the_navigation_leaves_out_what_the_visitor_may_not_see_or_does_not_resolve():
    items = (
        NavItem("t:members", "/members/", visible=signed_in),
        NavItem("t:gone", "no-such-url-name"),
        NavItem("t:none", lambda: ""),
        NavItem("t:page", lambda: "/a-page/"),
    )
    assert [link.label for link in links_of(visit("/"), *items)] == ["t:page"]
    signed = visit("/", UserFactory())
    assert [link.label for link in links_of(signed, *items)] == ["t:members", "t:page"]


def test_the_branding_is_read_once_and_forgotten_when_saved(django_assert_num_queries):
    site = Site.objects.get(is_default_site=True)
    BrandingSettings.for_site(site).save()
    branding_current()
    with django_assert_num_queries(0):
        branding = branding_current()
    assert branding.site_id == site.pk
    changed = BrandingSettings.for_site(site)
    changed.academy_name = "济南科学教师学院"
    changed.save()
    assert branding_current().academy_name == "济南科学教师学院"


def test_without_a_default_site_the_branding_is_the_defaults():
    Site.objects.update(is_default_site=False)
    branding = branding_current()
    assert branding.pk is None


def locked(username, *, failures, minutes_ago):
    attempt = AccessAttempt.objects.create(
        username=username, ip_address="10.0.0.9", user_agent="test", failures_since_start=failures,
        get_data="", post_data="",
    )
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=at)
    return at


def test_the_lockout_list_shows_who_is_locked_out_now_and_until_when():
    limit, cooloff = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    recent = locked("locked-now", failures=limit, minutes_ago=1)
    locked("locked-earlier", failures=limit + 2, minutes_ago=3)
    locked("not-yet", failures=limit - 1, minutes_ago=1)
    locked("lifted", failures=limit, minutes_ago=cooloff.total_seconds() / 60 + 1)
    rows = list(signin_lockout_list())
    assert [row.username for row in rows] == ["locked-now", "locked-earlier"]
    assert rows[0].locked_until == recent + cooloff

"""The public site's main navigation.

Each app adds its own entries through the ``register_academy_nav_item``
Wagtail hook, so the theme never imports the apps and an app that is not
installed simply has no entry. An item whose URL does not resolve is left
out rather than taking the page down.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from wagtail import hooks

NAV_HOOK = "register_academy_nav_item"


def anyone(user):
    return True


def signed_in(user):
    return user.is_authenticated


def has_teacher_profile(user):
    return user.is_authenticated and hasattr(user, "teacher_profile")


@dataclass(frozen=True)
class NavItem:
    label: str
    # A URL name, a path starting with "/" (the home page has no name), or a
    # function returning the URL (a Wagtail page's), "" for no entry.
    url_name: "str | Callable[[], str]"
    order: int = 100
    visible: Callable = anyone
    # Also current on the pages under it (e.g. the catalogue's courses).
    prefix_match: bool = True


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def nav_links_for(request):
    items = [item for hook in hooks.get_hooks(NAV_HOOK) for item in _as_list(hook())]
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    links = []
    for item in sorted(items, key=lambda item: item.order):
        if user is None or not item.visible(user):
            continue
        try:
            url = _url_of(item.url_name)
        except NoReverseMatch:
            continue
        if not url:
            continue
        current = path == url or (item.prefix_match and url != "/" and path.startswith(url))
        links.append(NavLink(str(item.label), url, current))
    return links


def _url_of(target):
    if callable(target):
        return target()
    return target if target.startswith("/") else reverse(target)


def _as_list(result):
    if result is None:
        return []
    return list(result) if isinstance(result, (list, tuple)) else [result]

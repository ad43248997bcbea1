"""Every URL pattern of the project, read from the URL resolver, with the
academy's objects substituted into its path parameters."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # the URL name, or the route itself for an unnamed or ambiguous one
    name: str
    route: str
    callback: object

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern.callback


def routes() -> list[Route]:
    found = list(_walk(get_resolver().url_patterns))
    counts = {}
    for _route, name, _callback in found:
        counts[name] = counts.get(name, 0) + 1
    return [
        Route(key=name if name and counts[name] == 1 else f"{name} {route}".strip(), name=name, route=route,
              callback=callback)
        for route, name, callback in found
    ]


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def url_for(route: Route, values) -> str:
    """The route with ``values(route, parameter)`` substituted for its
    parameters; a regex's escapes and anchors are removed."""
    text = route.route
    text = _NAMED_GROUP.sub(lambda match: str(values(route, match["name"])), text)
    text = _CONVERTER.sub(lambda match: str(values(route, match["name"])), text)
    text = text.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + text

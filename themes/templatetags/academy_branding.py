"""Template helpers for the academy's branding.

``academy_branding`` finds the Branding setting without ever failing: the
Wagtail admin uses it on every page, including the one where an editor fixes
a misconfigured site, so a missing default site must not take the admin down.

``BrandingSettings.primary_colour`` is free text typed by an editor; the
colour helpers only ever emit a well-formed ``#rrggbb`` value, so a typo
cannot break (or inject into) the inline ``<style>`` blocks that use it.
"""

import colorsys
import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def academy_branding():
    """The default site's ``BrandingSettings``; unsaved defaults if there is
    no default site yet. Kept in the cache (every page's header asks for it;
    see ``themes.branding``)."""
    from themes.branding import branding_current

    return branding_current()

DEFAULT_BRAND_COLOUR = "#0b5cab"
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@register.filter
def brand_colour(value):
    """``value`` as ``#rrggbb`` if it is a hex colour, else the default."""
    match = _HEX.match((value or "").strip())
    if not match:
        return DEFAULT_BRAND_COLOUR
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def _hsl(colour):
    digits = brand_colour(colour)[1:]
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    return hue * 360, saturation * 100, lightness * 100


@register.simple_tag
def wagtail_admin_colours(colour):
    """CSS custom properties that recolour the Wagtail admin from the brand colour.

    Wagtail derives every shade of its palette from the hue, saturation and
    lightness variables, so setting those three keeps hovers and tints
    consistent. Lightness is capped so white text on buttons (secondary) and
    on the sidebar (primary) stays readable whatever colour is chosen.
    """
    hue, saturation, lightness = _hsl(colour)
    secondary = (hue, saturation, min(lightness, 40.0))
    primary = (hue, min(saturation, 60.0), min(lightness, 22.0))
    lines = [":root {"]
    for name, (h, s, l) in (("primary", primary), ("secondary", secondary)):
        lines.append(
            f"  --w-color-{name}-hue: {h:.1f}; --w-color-{name}-saturation: {s:.1f}%;"
            f" --w-color-{name}-lightness: {l:.1f}%;"
        )
    lines.append("}")
    return mark_safe("\n".join(lines))


@register.simple_tag(takes_context=True)
def academy_nav(context):
    """The main navigation's links for this request's user; see
    ``lms.navigation``."""
    from lms.api import nav_links_for

    request = context.get("request")
    return nav_links_for(request) if request is not None else []


@register.inclusion_tag("themes/includes/breadcrumbs.html", takes_context=True)
def page_breadcrumbs(context, page, *extra):
    """Breadcrumbs for a Wagtail page: the home page, the page's ancestors
    below it (one query) and the page itself, then ``extra`` labels."""
    from django.utils.translation import gettext

    trail = [(gettext("Home"), "/")]
    for ancestor in page.get_ancestors().filter(depth__gt=2).specific(defer=True):
        trail.append((ancestor.title, ancestor.url))
    trail.append((page.title, page.url))
    trail += [(label, "") for label in extra]
    return {"breadcrumbs": trail}

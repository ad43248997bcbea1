"""The home page's sections, which editors add, order and fill in the admin.

Each block names its own template (``themes/blocks/``). The progress block
holds no figures: it reads the city's targets from the ledger's tallies when
the page is shown, so it is never out of date.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

NO_LINK = _("Choose a page or type a path or address for the button.")
BAD_LINK = _("Enter a path on this site, such as /certificates/verify/, or a full address starting with https://.")


class LinkTargetBlock(blocks.StructBlock):
    """A page of the site, or a path or address typed in (for the academy's
    own screens that are not Wagtail pages, such as certificate
    verification)."""

    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.CharBlock(
        label=_("or a path or address"), required=False, max_length=255,
        help_text=_("For example /certificates/verify/"),
    )

    def clean(self, value):
        value = super().clean(value)
        url = (value.get("url") or "").strip()
        if url and not url.startswith("/"):
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise blocks.StructBlockValidationError(block_errors={"url": ValidationError(BAD_LINK)})
        if url.startswith("//"):
            raise blocks.StructBlockValidationError(block_errors={"url": ValidationError(BAD_LINK)})
        return value

    class Meta:
        form_classname = "link-target-block"


def link_href(link):
    """The address a LinkTargetBlock value points to, or ''."""
    if not link:
        return ""
    page = link.get("page")
    if page is not None and page.live:
        return page.url or ""
    return (link.get("url") or "").strip()


class AnnouncementBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    date = blocks.DateBlock(label=_("date"), required=False)
    body = blocks.TextBlock(label=_("text"), required=False, max_length=500)
    link = LinkTargetBlock(label=_("read more at"))

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["href"] = link_href(value.get("link"))
        return context

    class Meta:
        icon = "info-circle"
        template = "themes/blocks/announcement.html"


class AnnouncementsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=80, default=_("Announcements"))
    items = blocks.ListBlock(AnnouncementBlock(), label=_("announcements"), min_num=1)

    class Meta:
        icon = "info-circle"
        label = _("Announcements")
        template = "themes/blocks/announcements.html"


class TargetsProgressBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=80, default=_("The city's progress"))
    intro = blocks.TextBlock(label=_("introduction"), required=False, max_length=300)

    def get_context(self, value, parent_context=None):
        from lms.api import city_target_progress_list

        context = super().get_context(value, parent_context)
        context["targets"] = city_target_progress_list()
        return context

    class Meta:
        icon = "list-ol"
        label = _("Progress toward the city's targets")
        template = "themes/blocks/targets_progress.html"


class FeaturedPagesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=80, default=_("Featured courses"))
    pages = blocks.ListBlock(blocks.PageChooserBlock(), label=_("pages"), min_num=1, max_num=12)
    more = LinkTargetBlock(label=_("see all at"))
    more_label = blocks.CharBlock(label=_("see-all link text"), required=False, max_length=40)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # Unpublished or deleted pages drop out rather than linking nowhere;
        # the pages' own fields come in one query per page type, not per page.
        from wagtail.models import Page

        ids = [page.pk for page in value.get("pages") or [] if page is not None and page.live]
        found = Page.objects.live().filter(pk__in=ids).specific().in_bulk()
        context["featured"] = [found[pk] for pk in ids if pk in found]
        context["more_href"] = link_href(value.get("more"))
        return context

    class Meta:
        icon = "pick"
        label = _("Featured pages")
        template = "themes/blocks/featured_pages.html"


class UpcomingSessionsBlock(blocks.StructBlock):
    """The next offline sessions of published courses, read when the page is
    shown (one query)."""

    heading = blocks.CharBlock(label=_("heading"), max_length=80, default=_("Upcoming offline sessions"))
    count = blocks.IntegerBlock(label=_("how many"), min_value=1, max_value=12, default=4)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["sessions"] = upcoming_sessions(limit=value.get("count") or 4)
        return context

    class Meta:
        icon = "date"
        label = _("Upcoming offline sessions")
        template = "themes/blocks/upcoming_sessions.html"


def upcoming_sessions(*, limit):
    """Sessions of live courses that have not ended, soonest first; none
    when the courses app is not installed."""
    from django.apps import apps
    from django.utils import timezone

    if not apps.is_installed("courses"):
        return []
    from courses.api import OfflineSession

    return list(
        OfflineSession.objects.filter(ends_at__gt=timezone.now(), course__live=True)
        .select_related("course")
        .order_by("starts_at")[:limit]
    )


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=80)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=300)
    button_label = blocks.CharBlock(label=_("button text"), max_length=40)
    link = LinkTargetBlock(label=_("button goes to"))

    def clean(self, value):
        value = super().clean(value)
        if not link_href(value.get("link")):
            raise blocks.StructBlockValidationError(block_errors={"link": ValidationError(NO_LINK)})
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["href"] = link_href(value.get("link"))
        return context

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "themes/blocks/call_to_action.html"


class HomeSectionsBlock(blocks.StreamBlock):
    announcements = AnnouncementsBlock()
    progress = TargetsProgressBlock()
    featured = FeaturedPagesBlock()
    sessions = UpcomingSessionsBlock()
    call_to_action = CallToActionBlock()
    text = blocks.RichTextBlock(
        label=_("Text"), features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
        template="themes/blocks/text.html",
    )

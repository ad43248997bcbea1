from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import HomeSectionsBlock


class HomePage(Page):
    """The academy's front page. Its sections grow with the product."""

    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(
        HomeSectionsBlock(),
        verbose_name=_("sections"),
        blank=True,
        help_text=_("Announcements, the city's progress, featured courses and links, in the order shown."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


@register_setting(icon="site")
class BrandingSettings(BaseSiteSetting):
    """Site branding editors change in the admin, without a deploy."""

    academy_name = models.CharField(
        _("academy name"), max_length=128, default="济南市科学教育教师网络研修学院"
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown in the site header beside the academy's name; a square or wide image on a transparent background."),
    )
    footer_text = models.CharField(_("footer text"), max_length=255, blank=True)
    icp_number = models.CharField(_("ICP filing number"), max_length=64, blank=True)
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#0b5cab",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hex digits, e.g. #0b5cab."))],
    )

    panels = [
        FieldPanel("academy_name"),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("footer_text"),
        FieldPanel("icp_number"),
    ]

    class Meta:
        verbose_name = _("branding")

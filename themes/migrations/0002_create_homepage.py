"""Replace Wagtail's placeholder welcome page with the academy's home page."""

from django.db import migrations


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("themes", "HomePage")
    Locale = apps.get_model("wagtailcore", "Locale")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    homepage_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="themes")
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="济南市科学教育教师网络研修学院",
        draft_title="济南市科学教育教师网络研修学院",
        slug="home",
        content_type=homepage_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=locale.id if locale else None,
        live=True,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="济南市科学教育教师网络研修学院")


class Migration(migrations.Migration):
    dependencies = [("themes", "0001_initial"), ("wagtailcore", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

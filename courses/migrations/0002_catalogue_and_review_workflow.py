"""The course catalogue page, the course review workflow and the trainers'
page permissions.

Trainers get "add" on the catalogue only: they create courses and lessons
and edit what they own (or were given, see courses.permissions), and submit
for moderation; academy admins approve through the "Course review"
workflow, which applies to every page under the catalogue.
"""

from django.db import migrations

CATALOGUE_TITLE = "课程中心"
CATALOGUE_SLUG = "courses"
WORKFLOW_NAME = "课程审核"
TASK_NAME = "学院管理员审核"
TRAINER_PAGE_PERMISSIONS = ["add_page"]
ADMIN_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]


def _page_permission(apps, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    page_type, _created = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    permission, _created = Permission.objects.get_or_create(
        content_type=page_type, codename=codename, defaults={"name": f"Can {codename.replace('_page', '')} page"}
    )
    return permission


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")

    home = Page.objects.filter(depth=2, content_type__app_label="themes", content_type__model="homepage").first()
    if home is None or CourseIndexPage.objects.exists():
        return
    last_child = Page.objects.filter(path__startswith=home.path, depth=3).order_by("-path").first()
    step = 4
    next_number = int(last_child.path[-step:], 36) + 1 if last_child else 1
    path = home.path + _base36(next_number).rjust(step, "0")
    catalogue = CourseIndexPage.objects.create(
        title=CATALOGUE_TITLE,
        draft_title=CATALOGUE_TITLE,
        slug=CATALOGUE_SLUG,
        content_type=ContentType.objects.get_or_create(app_label="courses", model="courseindexpage")[0],
        path=path,
        depth=3,
        numchild=0,
        url_path=f"{home.url_path}{CATALOGUE_SLUG}/",
        locale_id=home.locale_id,
        live=True,
        intro="<p>济南市科学教育教师网络研修学院的线上课程与线下研修。</p>",
    )
    home.numchild = Page.objects.filter(path__startswith=home.path, depth=3).count()
    home.save(update_fields=["numchild"])

    trainers, _created = Group.objects.get_or_create(name="Trainer")
    admins, _created = Group.objects.get_or_create(name="Academy admin")
    for group, codenames in ((trainers, TRAINER_PAGE_PERMISSIONS), (admins, ADMIN_PAGE_PERMISSIONS)):
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=catalogue.pk, permission=_page_permission(apps, codename)
            )

    task_type, _created = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    task.groups.add(admins)
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(page_id=catalogue.pk, workflow=workflow)


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
    return out or "0"


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("themes", "0002_create_homepage"),
        ("lms", "0002_roles_and_districts"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

from django.urls import path, re_path

from lms.privacy import views

app_name = "privacy"

urlpatterns = [
    path("my/data/", views.my_data, name="my_data"),
    re_path(r"^my/data/export\.(?P<export_format>json|xlsx)$", views.my_data_export, name="my_data_export"),
    path("my/data/correction/", views.correction_request, name="correction_request"),
    path("privacy/", views.notice, name="notice"),
    path("privacy/acknowledge/", views.notice_acknowledge, name="notice_acknowledge"),
]

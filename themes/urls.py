from django.urls import path

from . import views

app_name = "themes"

urlpatterns = [
    path("my/hours/", views.my_hours, name="my_hours"),
    path("my/hours/<int:year>/transcript/", views.my_hours_transcript, name="my_hours_transcript"),
]

from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("learn/<int:pk>/", views.lesson, name="lesson"),
    path("learn/<int:pk>/done/", views.lesson_done, name="lesson_done"),
    path("learn/<int:pk>/quiz/", views.quiz_submit, name="quiz_submit"),
    path("enrol/<int:pk>/", views.enrol, name="enrol"),
    path("unenrol/<int:pk>/", views.unenrol, name="unenrol"),
    path("my/learning/", views.my_learning, name="my_learning"),
    path("checkin/", views.checkin, name="checkin"),
]

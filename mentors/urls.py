from django.urls import path

from . import views

app_name = "mentors"

urlpatterns = [
    path("", views.my_pairings, name="my_pairings"),
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:mentor_pk>/apply/", views.apply, name="apply"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/accept/", views.pairing_accept, name="pairing_accept"),
    path("pairings/<int:pk>/decline/", views.pairing_decline, name="pairing_decline"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("pairings/<int:pk>/complete/", views.pairing_complete, name="pairing_complete"),
    path("pairings/<int:pk>/outputs/", views.output_add, name="output_add"),
    path("pairings/<int:pk>/log/", views.activity_log, name="activity_log"),
    path("queue/", views.queue, name="queue"),
    path("activities/<int:pk>/confirm/", views.activity_confirm, name="activity_confirm"),
    path("activities/<int:pk>/return/", views.activity_return, name="activity_return"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]

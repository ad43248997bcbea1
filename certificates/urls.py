from django.urls import path, re_path

from . import views

app_name = "certificates"

urlpatterns = [
    path("certificates/verify/", views.verify_form, name="verify"),
    path("certificates/v/<str:token>/assertion.json", views.badge_assertion, name="badge_assertion"),
    # Any path at all under v/ is answered by the same view, so a malformed
    # token looks exactly like an unknown one.
    re_path(r"^certificates/v/(?P<token>.*)/$", views.verify_token, name="verify_token"),
    path("certificates/badges/issuer.json", views.badge_issuer, name="badge_issuer"),
    path("certificates/badges/classes/<int:pk>.json", views.badge_class, name="badge_class"),
    path("certificates/badges/classes/<int:pk>.png", views.badge_image, name="badge_image"),
    path("my/certificates/", views.my_certificates, name="my_certificates"),
    path("my/certificates/<int:pk>.pdf", views.my_certificate_pdf, name="my_certificate_pdf"),
    path("my/hours/<int:year>/transcript.pdf", views.my_transcript_pdf, name="my_transcript_pdf"),
]

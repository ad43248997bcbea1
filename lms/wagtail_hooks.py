from wagtail import hooks

from .views import people_viewset_group


@hooks.register("register_admin_viewset")
def register_people_viewsets():
    return people_viewset_group


# --- imports ---

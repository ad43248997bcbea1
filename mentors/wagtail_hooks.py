from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_research_along_viewsets():
    from .admin_views import research_along_viewset_group

    return research_along_viewset_group


@hooks.register("register_admin_urls")
def register_research_along_report_urls():
    from .admin_views import admin_urls

    return admin_urls()


@hooks.register("register_admin_menu_item")
def register_research_along_report_menu_item():
    from .admin_views import report_menu_item

    return report_menu_item()

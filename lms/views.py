from wagtail.admin.viewsets.model import ModelViewSetGroup

people_viewset_group = ModelViewSetGroup()

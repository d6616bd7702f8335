from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="multinic/home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("api/", include("multinic_api.api.urls")),
    path("identity/", include("multinic_api.openstack.identity.urls")),
    path("compute/", include("multinic_api.openstack.compute.urls")),
]

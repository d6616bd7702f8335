from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from multinic_api.openstack.compute import views as compute_views
from multinic_api.openstack.identity import views as identity_views
from multinic_api.openstack.image import views as image_views

urlpatterns = [
    path("", TemplateView.as_view(template_name="multinic/home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("api/", include("multinic_api.api.urls")),
    # OpenStack clients discover versions at the bare endpoint URL, without a slash.
    path("identity", identity_views.VersionsView.as_view()),
    path("compute", compute_views.VersionsView.as_view()),
    path("image", image_views.VersionsView.as_view()),
    path("identity/", include("multinic_api.openstack.identity.urls")),
    path("compute/", include("multinic_api.openstack.compute.urls")),
    path("image/", include("multinic_api.openstack.image.urls")),
]

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from multinic_api.api import views

router = DefaultRouter()
router.register("networks", views.NetworkViewSet, basename="network")
router.register("subnets", views.SubnetViewSet, basename="subnet")
router.register("instances", views.InstanceViewSet, basename="instance")
router.register(r"instances/(?P<instance_uuid>[0-9a-fA-F-]{36})/interfaces",
                views.InterfaceViewSet, basename="interface")
router.register("vifs", views.VIFViewSet, basename="vif")

app_name = "api"
urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("macs/<str:mac>/", views.MacOwnerView.as_view(), name="mac-owner"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
]

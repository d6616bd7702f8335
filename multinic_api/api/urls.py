from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from multinic_api.api import baremetal_views, guest_views, token_view, views
from multinic_api.openstack import openapi

router = DefaultRouter()
router.register("networks", views.NetworkViewSet, basename="network")
router.register("subnets", views.SubnetViewSet, basename="subnet")
router.register("instances", views.InstanceViewSet, basename="instance")
router.register(r"instances/(?P<instance_uuid>[0-9a-fA-F-]{36})/interfaces",
                views.InterfaceViewSet, basename="interface")
router.register("vifs", views.VIFViewSet, basename="vif")
router.register("keypairs", views.KeypairViewSet, basename="keypair")
router.register("nodes", baremetal_views.NodeViewSet, basename="node")
router.register("ports", baremetal_views.PortViewSet, basename="port")
router.register("portgroups", baremetal_views.PortGroupViewSet, basename="portgroup")

app_name = "api"
urlpatterns = [
    path("auth/token/", token_view.AuthTokenView.as_view(), name="token"),
    path("instances/<uuid:uuid>/network_info/", guest_views.NetworkInfoView.as_view(),
         name="instance-network-info"),
    path("instances/<uuid:uuid>/config_drive/", guest_views.ConfigDriveListView.as_view(),
         name="instance-config-drive"),
    path("instances/<uuid:uuid>/config_drive/<path:path>",
         guest_views.ConfigDriveFileView.as_view(), name="instance-config-drive-file"),
    path("instances/<uuid:uuid>/config_drive.iso", guest_views.ConfigDriveIsoView.as_view(),
         name="instance-config-drive-iso"),
    path("instances/<uuid:uuid>/domain.xml", guest_views.DomainXmlView.as_view(),
         name="instance-domain-xml"),
    path("bonding/modes/", baremetal_views.BondingModesView.as_view(), name="bonding-modes"),
    path("macs/<str:mac>/", views.MacOwnerView.as_view(), name="mac-owner"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The OpenStack faces' own documents (compute, identity, image), beside ours.
    re_path(rf"^schema/(?P<face>{'|'.join(openapi.FACES)})/$", openapi.FaceSchemaView.as_view(),
            name="face-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
    # Anything else under /api/ is a JSON 404 too, not Django's HTML page ([\s\S], not ".":
    # a path with an encoded newline, %0A, as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]

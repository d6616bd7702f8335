from django.urls import path, re_path

from multinic_api.openstack.network import networks, ports, subnets, views

app_name = "networking"
urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    re_path(r"^v2\.0/?$", views.VersionView.as_view(), name="version"),
    path("v2.0/extensions", views.ExtensionsView.as_view()),
    path("v2.0/extensions/<str:alias>", views.ExtensionView.as_view()),
    path("v2.0/networks", networks.NetworksView.as_view(), name="networks"),
    path("v2.0/networks/<str:network_id>", networks.NetworkView.as_view()),
    path("v2.0/subnets", subnets.SubnetsView.as_view(), name="subnets"),
    path("v2.0/subnets/<str:subnet_id>", subnets.SubnetView.as_view()),
    path("v2.0/ports", ports.PortsView.as_view(), name="ports"),
    path("v2.0/ports/<str:port_id>", ports.PortView.as_view()),
    # Anything else is a JSON 404 too ([\s\S], not ".": a path with an encoded newline as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]

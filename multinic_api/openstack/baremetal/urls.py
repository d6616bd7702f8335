from django.urls import path, re_path

from multinic_api.openstack.baremetal import nodes, portgroups, ports, views

app_name = "baremetal"
urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    re_path(r"^v1/?$", views.VersionView.as_view(), name="version"),
    path("v1/nodes", nodes.NodesView.as_view(), name="nodes"),
    path("v1/nodes/detail", nodes.NodesDetailView.as_view()),
    path("v1/nodes/<str:node_id>", nodes.NodeView.as_view()),
    path("v1/nodes/<str:node_id>/ports", ports.NodePortsView.as_view()),
    path("v1/nodes/<str:node_id>/ports/detail", ports.NodePortsView.as_view(detail=True)),
    path("v1/nodes/<str:node_id>/portgroups", portgroups.NodePortGroupsView.as_view()),
    path("v1/nodes/<str:node_id>/portgroups/detail",
         portgroups.NodePortGroupsView.as_view(detail=True)),
    path("v1/ports", ports.PortsView.as_view(), name="ports"),
    path("v1/ports/detail", ports.PortsDetailView.as_view()),
    path("v1/ports/<str:port_id>", ports.PortView.as_view()),
    path("v1/portgroups", portgroups.PortGroupsView.as_view(), name="portgroups"),
    path("v1/portgroups/detail", portgroups.PortGroupsDetailView.as_view()),
    path("v1/portgroups/<str:group_id>", portgroups.PortGroupView.as_view()),
    path("v1/portgroups/<str:group_id>/ports", ports.PortGroupPortsView.as_view()),
    path("v1/portgroups/<str:group_id>/ports/detail",
         ports.PortGroupPortsView.as_view(detail=True)),
    # Anything else is a JSON 404 too ([\s\S], not ".": a path with an encoded newline as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]

from django.urls import path, re_path

from multinic_api.openstack.baremetal import nodes, portgroups, ports, views

app_name = "baremetal"

NODE = r"(?P<node_id>[^/]+)"
PORT = r"(?P<port_id>[^/]+)"
GROUP = r"(?P<group_id>[^/]+)"


def route(pattern: str, view, **kwargs):
    """A URL with or without its final slash, as Ironic answers both (ironicclient asks for
    ``/v1/ports/?node=...``)."""
    return re_path(rf"^v1/{pattern}/?$", view, **kwargs)


urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    re_path(r"^v1/?$", views.VersionView.as_view(), name="version"),
    route("nodes", nodes.NodesView.as_view(), name="nodes"),
    route("nodes/detail", nodes.NodesDetailView.as_view()),
    route(f"nodes/{NODE}", nodes.NodeView.as_view()),
    route(f"nodes/{NODE}/ports", ports.NodePortsView.as_view()),
    route(f"nodes/{NODE}/ports/detail", ports.NodePortsView.as_view(detail=True)),
    route(f"nodes/{NODE}/portgroups", portgroups.NodePortGroupsView.as_view()),
    route(f"nodes/{NODE}/portgroups/detail", portgroups.NodePortGroupsView.as_view(detail=True)),
    route("ports", ports.PortsView.as_view(), name="ports"),
    route("ports/detail", ports.PortsDetailView.as_view()),
    route(f"ports/{PORT}", ports.PortView.as_view()),
    route("portgroups", portgroups.PortGroupsView.as_view(), name="portgroups"),
    route("portgroups/detail", portgroups.PortGroupsDetailView.as_view()),
    route(f"portgroups/{GROUP}", portgroups.PortGroupView.as_view()),
    route(f"portgroups/{GROUP}/ports", ports.PortGroupPortsView.as_view()),
    route(f"portgroups/{GROUP}/ports/detail", ports.PortGroupPortsView.as_view(detail=True)),
    # Anything else is a JSON 404 too ([\s\S], not ".": a path with an encoded newline as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]

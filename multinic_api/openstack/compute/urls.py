from django.urls import path, re_path

from multinic_api.openstack.compute import views

app_name = "compute"
urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    re_path(r"^v2\.1/?$", views.VersionView.as_view(), name="version"),
    path("v2.1/flavors", views.FlavorsView.as_view()),
    path("v2.1/flavors/detail", views.FlavorsView.as_view(detail=True)),
    path("v2.1/flavors/<str:flavor_id>", views.FlavorView.as_view()),
    path("v2.1/os-keypairs", views.KeypairsView.as_view()),
    path("v2.1/os-keypairs/<str:name>", views.KeypairView.as_view()),
    path("v2.1/os-networks", views.NetworksView.as_view()),
    path("v2.1/os-networks/<str:network_id>", views.NetworkView.as_view()),
    path("v2.1/servers", views.ServersView.as_view(), name="servers"),
    path("v2.1/servers/detail", views.ServersDetailView.as_view()),
    path("v2.1/servers/<str:server_id>", views.ServerView.as_view()),
    path("v2.1/servers/<str:server_id>/os-interface", views.InterfacesView.as_view()),
    path("v2.1/servers/<str:server_id>/os-interface/<str:port_id>",
         views.InterfaceView.as_view()),
    # Anything else is a JSON 404 too ([\s\S], not ".": a path with an encoded newline as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]

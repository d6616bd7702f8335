from django.urls import path

from multinic_dashboard.dashboards.admin.baremetal import views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("create/", views.CreateNodeView.as_view(), name="create_node"),
    path("<str:node_id>/", views.DetailView.as_view(), name="detail"),
    path("<str:node_id>/update/", views.UpdateNodeView.as_view(), name="update_node"),
    path("<str:node_id>/ports/create/", views.CreatePortView.as_view(), name="create_port"),
    path("<str:node_id>/ports/<str:port_id>/update/", views.UpdatePortView.as_view(),
         name="update_port"),
    path("<str:node_id>/port_groups/create/", views.CreatePortGroupView.as_view(),
         name="create_port_group"),
    path("<str:node_id>/port_groups/<str:group_id>/update/",
         views.UpdatePortGroupView.as_view(), name="update_port_group"),
]

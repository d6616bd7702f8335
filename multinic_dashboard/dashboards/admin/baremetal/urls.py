from django.urls import path

from multinic_dashboard.dashboards.admin.baremetal import views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("<str:node_id>/", views.DetailView.as_view(), name="detail"),
    path("<str:node_id>/port_groups/create/", views.CreatePortGroupView.as_view(),
         name="create_port_group"),
    path("<str:node_id>/port_groups/<str:group_id>/update/",
         views.UpdatePortGroupView.as_view(), name="update_port_group"),
]

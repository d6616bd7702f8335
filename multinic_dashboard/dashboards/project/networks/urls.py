from django.urls import path

from . import views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("create/", views.CreateNetworkView.as_view(), name="create"),
    path("<str:network_id>/create_subnet/", views.CreateSubnetView.as_view(),
         name="create_subnet"),
    path("<str:network_id>/delete_subnet/", views.DeleteSubnetView.as_view(),
         name="delete_subnet"),
]

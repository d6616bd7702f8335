from django.urls import path

from multinic_dashboard.dashboards.project.instances import views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    path("<str:instance_id>/", views.DetailView.as_view(), name="detail"),
    path("<str:instance_id>/attach_interface/", views.AttachInterfaceView.as_view(),
         name="attach_interface"),
    path("<str:instance_id>/detach_interface/", views.DetachInterfaceView.as_view(),
         name="detach_interface"),
    path("<str:instance_id>/config_drive.iso", views.ConfigDriveIsoView.as_view(),
         name="config_drive_iso"),
]

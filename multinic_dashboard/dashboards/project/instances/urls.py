from django.urls import path

from multinic_dashboard.dashboards.project.instances import views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    # What the wizard's script asks for, through the panel (never /api/, which only the
    # standalone site serves), with the user's token.
    path("launch/preview/", views.LaunchPreviewView.as_view(), name="launch_preview"),
    path("launch/bonding-modes/", views.LaunchBondingModesView.as_view(),
         name="launch_bonding_modes"),
    path("launch/carriers/", views.LaunchCarriersView.as_view(), name="launch_carriers"),
    path("<str:instance_id>/", views.DetailView.as_view(), name="detail"),
    path("<str:instance_id>/attach_interface/", views.AttachInterfaceView.as_view(),
         name="attach_interface"),
    path("<str:instance_id>/detach_interface/", views.DetachInterfaceView.as_view(),
         name="detach_interface"),
    path("<str:instance_id>/config_drive.iso", views.ConfigDriveIsoView.as_view(),
         name="config_drive_iso"),
]

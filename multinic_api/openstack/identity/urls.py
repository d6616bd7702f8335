from django.urls import path

from multinic_api.openstack.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    path("v3", views.VersionView.as_view()),
    path("v3/", views.VersionView.as_view(), name="version"),
    path("v3/auth/tokens", views.TokensView.as_view(), name="tokens"),
]

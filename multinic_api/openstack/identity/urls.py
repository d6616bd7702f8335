from django.urls import path, re_path

from multinic_api.openstack.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    path("v3", views.VersionView.as_view()),
    path("v3/", views.VersionView.as_view(), name="version"),
    path("v3/auth/tokens", views.TokensView.as_view(), name="tokens"),
    path("v3/auth/projects", views.AuthProjectsView.as_view(), name="auth-projects"),
    path("v3/auth/domains", views.AuthDomainsView.as_view(), name="auth-domains"),
    path("v3/auth/system", views.AuthSystemView.as_view(), name="auth-system"),
    path("v3/users/<str:user_id>/projects", views.UserProjectsView.as_view(),
         name="user-projects"),
    # Anything else is a JSON 404 too ([\s\S], not ".": a path with an encoded newline as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]

import horizon
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.http import last_modified
from django.views.generic import RedirectView
from horizon.site_urls import last_modified_date

from multinic_api.openstack.baremetal import views as baremetal_views
from multinic_api.openstack.compute import views as compute_views
from multinic_api.openstack.identity import views as identity_views
from multinic_api.openstack.image import views as image_views
from multinic_api.openstack.network import views as networking_views
from multinic_site import project_switch, signin
from multinic_site.admin_login import IdentityAdminLoginForm
from multinic_site.views import JavaScriptCatalog

admin.site.login_form = IdentityAdminLoginForm

urlpatterns = [
    # Horizon has no "/" of its own; its user_home sends each user to their default dashboard.
    path("", RedirectView.as_view(pattern_name="horizon:user_home"), name="home"),
    # Browsers ask for /favicon.ico whatever the page links; a 404 there is console noise.
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg")),
    # Sign in, switch project, sign out: openstack_auth, as in every OpenStack dashboard; its
    # sign-in page behind the failed sign-in lockout (signin.py), and the project switch
    # revokes the token it replaces (project_switch.py).
    path("auth/login/", signin.login, name="login"),
    re_path(r"^auth/switch/(?P<project>[^/]+)/$",
            project_switch.ProjectSwitchByIDView.as_view(), name="switch_project_id"),
    re_path(r"^auth/switch_name/(?P<project>[^/]+)/$",
            project_switch.ProjectSwitchByNameView.as_view(), name="switch_project_name"),
    path("auth/", include("openstack_auth.urls")),
    # Horizon's admin dashboard owns /admin/; Django's admin moves aside.
    path("django-admin/", admin.site.urls),
    path("api/", include("multinic_api.api.urls")),
    # OpenStack clients discover versions at the bare endpoint URL, without a slash.
    path("identity", identity_views.VersionsView.as_view()),
    path("compute", compute_views.VersionsView.as_view()),
    path("image", image_views.VersionsView.as_view()),
    path("networking", networking_views.VersionsView.as_view()),
    path("baremetal", baremetal_views.VersionsView.as_view()),
    path("identity/", include("multinic_api.openstack.identity.urls")),
    path("compute/", include("multinic_api.openstack.compute.urls")),
    path("image/", include("multinic_api.openstack.image.urls")),
    path("networking/", include("multinic_api.openstack.network.urls")),
    path("baremetal/", include("multinic_api.openstack.baremetal.urls")),
    # Horizon's own URL and cache header for its JavaScript catalogue, resolved here first: an
    # unknown package is a 404 (horizon:jsi18n still reverses to this path).
    re_path(r"^i18n/js/(?P<packages>\S+?)/$",
            last_modified(lambda request, **kwargs: last_modified_date)(
                JavaScriptCatalog.as_view())),
    path("", horizon.urls),
]

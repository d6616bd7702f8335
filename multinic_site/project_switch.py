"""The project switch, revoking the token it replaces."""

from openstack_auth import views as auth_views

from multinic_site.apps import revoke_tokens


class RevokeReplacedToken:
    """openstack_auth's switch (a new project-scoped token, from the session's unscoped
    one), then the replaced token is revoked, as openstack_auth's switch once did (horizon
    27's only forgets it): otherwise every switch would leave a token good for the API
    until it expires, which the sign-out's revocation no longer knows of."""

    def get(self, request, project):
        before = getattr(request.session.get("token"), "id", None)
        response = super().get(request, project)
        after = getattr(request.session.get("token"), "id", None)
        if before and after != before:
            revoke_tokens(request.user.endpoint, {before})
        return response


class ProjectSwitchByIDView(RevokeReplacedToken, auth_views.ProjectSwitchByIDView):
    pass


class ProjectSwitchByNameView(RevokeReplacedToken, auth_views.ProjectSwitchByNameView):
    pass

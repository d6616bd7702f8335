import logging

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from keystoneauth1 import exceptions as ks_exceptions

LOG = logging.getLogger(__name__)


class SiteConfig(AppConfig):
    name = "multinic_site"
    label = "multinic_site"
    verbose_name = "multinic standalone site"

    def ready(self) -> None:
        if not settings.MULTINIC_KEYSTONE_CONFIG:
            # Sign-in, project switching and sign-out talk to the built-in Identity, which
            # this very site serves: openstack_auth's one factory of keystoneauth sessions
            # is given the in-process transport, as the panels' API client is.
            from keystoneauth1 import session
            from openstack_auth import utils

            from multinic_dashboard.api.multinic import transport

            def in_process_session(**kwargs) -> session.Session:
                return session.Session(session=transport(), **kwargs)

            utils.get_session = in_process_session

        user_logged_out.connect(revoke_session_tokens, dispatch_uid="multinic_revoke_on_logout")


def revoke_session_tokens(sender, request, user, **kwargs) -> None:
    """Signing out revokes the session's tokens (the project-scoped one and the unscoped one
    it was made from), as Horizon's sign-out once did: horizon 27's only forgets them, and
    they would stay good for the API until they expire."""
    if request is None or not hasattr(user, "endpoint"):
        return
    scoped = request.session.get("token")
    revoke_tokens(user.endpoint, {getattr(scoped, "id", None),
                                  request.session.get("unscoped_token")} - {None})


def revoke_tokens(endpoint: str, tokens: set[str]) -> None:
    """Revoke each token at the Identity ``endpoint`` (DELETE /v3/auth/tokens), each with
    itself as X-Auth-Token: a user may always revoke their own token. A Keystone that cannot
    be reached is logged, not raised: a sign-out or a project switch goes on."""
    from openstack_auth import utils  # its module needs the app registry ready

    session = utils.get_session()
    for token in tokens:
        try:
            session.delete(f"{endpoint.rstrip('/')}/auth/tokens", raise_exc=False,
                           headers={"X-Auth-Token": token, "X-Subject-Token": token})
        except ks_exceptions.ClientException as error:
            LOG.warning("Could not revoke a token at %s: %s", endpoint, error)

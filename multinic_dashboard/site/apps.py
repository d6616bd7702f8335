import types

from django.apps import AppConfig
from django.conf import settings


class SiteConfig(AppConfig):
    name = "multinic_dashboard.site"
    label = "multinic_site"
    verbose_name = "multinic standalone site"

    def ready(self) -> None:
        # Horizon's workflows ask openstack_auth's policy engine about every step, which
        # reads policy files of OpenStack services this site does not run. Who may do what
        # is decided by the API's services.
        from horizon.workflows import base as workflows_base

        workflows_base.policy = types.SimpleNamespace(
            check=lambda actions, request, target=None: True)

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

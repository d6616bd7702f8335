"""A benchmark process loads the site as production runs it."""

import os
import secrets


def setup_django() -> None:
    """``django.setup()`` with DEBUG off, as the servers it starts run. DEBUG off needs a
    strong key of the site's own: one for this process (its servers get theirs from
    ``support.gunicorn``)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")
    os.environ.setdefault("MULTINIC_DEBUG", "0")
    os.environ.setdefault("MULTINIC_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("MULTINIC_ALLOWED_HOSTS", "127.0.0.1")
    django.setup()

"""System checks for ``MULTINIC_*`` settings whose mistakes would otherwise surface only at
the first request that reads them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_default_vif_type(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    """``MULTINIC_DEFAULT_VIF_TYPE`` must be a type a network can have: every network created
    without one would otherwise fail to save."""
    from multinic_api.models import VifType

    value = getattr(settings, "MULTINIC_DEFAULT_VIF_TYPE", None)
    if value in VifType.values:
        return []
    return [checks.Error(
        f"MULTINIC_DEFAULT_VIF_TYPE is {value!r}; it must be one of "
        f"{', '.join(VifType.values)}.",
        hint="Set the environment variable, or the setting, to one of those VIF types.",
        id="multinic_api.E001",
    )]

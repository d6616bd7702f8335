"""The flavors and images instances are launched with: a static catalogue from settings.

This service manages networks, not compute capacity or images, so the catalogue is what the
operator lists in ``MULTINIC_FLAVORS`` and ``MULTINIC_IMAGES``; the Nova and Glance subsets
show it and launches record the references.
"""

from django.conf import settings


def flavors() -> list[dict]:
    return list(settings.MULTINIC_FLAVORS)


def find_flavor(ref: str) -> dict | None:
    ref = str(ref).rstrip("/").rsplit("/", 1)[-1]  # a flavorRef may be a link
    return next((f for f in flavors() if f["id"] == ref), None)


def images() -> list[dict]:
    return list(settings.MULTINIC_IMAGES)


def find_image(ref: str) -> dict | None:
    ref = str(ref).rstrip("/").rsplit("/", 1)[-1]
    return next((i for i in images() if i["id"] == ref), None)

"""The site's own view of Horizon's JavaScript catalogue (an OpenStack dashboard mounts
Horizon's)."""

from django.http import Http404
from django.views import i18n


class JavaScriptCatalog(i18n.JavaScriptCatalog):
    """Django's catalogue view, which Horizon mounts at ``i18n/js/<packages>/``; a package
    that is not an installed app is a 404 here (Django raises ValueError: a 500)."""

    def get_paths(self, packages: list[str]) -> list[str]:
        try:
            return super().get_paths(packages)
        except ValueError as error:
            raise Http404(str(error)) from None

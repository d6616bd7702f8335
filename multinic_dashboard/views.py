"""What every panel's views share, and the site's own view of Horizon's JavaScript
catalogue."""

from django.http import Http404
from django.shortcuts import redirect
from django.views import i18n
from horizon import messages

from multinic_dashboard.api import multinic


class APIFailureMixin:
    """A page whose API calls fail for another reason than "not found" (the API down or
    refusing) goes back to ``failure_url`` with the API's message, not to a 500. "Not found"
    is each view's own 404, raised before this sees it."""

    failure_url: str

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except multinic.APIError as error:
            messages.error(request, error.message)
            return redirect(self.failure_url)


class JavaScriptCatalog(i18n.JavaScriptCatalog):
    """Django's catalogue view, which Horizon mounts at ``i18n/js/<packages>/``; a package
    that is not an installed app is a 404 here (Django raises ValueError: a 500)."""

    def get_paths(self, packages: list[str]) -> list[str]:
        try:
            return super().get_paths(packages)
        except ValueError as error:
            raise Http404(str(error)) from None

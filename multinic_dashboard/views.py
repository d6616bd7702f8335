"""What every panel's views share."""

from django.shortcuts import redirect
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


from multinic_dashboard.api import caller as api


def caller(request) -> dict:
    """The signed-in user's project, for the top bar."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"multinic_project": api.caller(request).project}

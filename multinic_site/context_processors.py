def caller(request) -> dict:
    """The signed-in user's project and the others they may switch to, for the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "project_id"):
        return {}
    others = [p for p in getattr(user, "authorized_tenants", ()) if p.id != user.project_id]
    return {"multinic_project": {"id": user.project_id, "name": user.project_name},
            "multinic_other_projects": sorted(others, key=lambda p: p.name)}

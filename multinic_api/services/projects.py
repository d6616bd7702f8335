"""Projects as the identity service names them: recorded on first sight."""

from multinic_api.models import Project


def seen(project_id: str, name: str | None) -> Project:
    """The project a token is scoped to, recorded the first time a token names it (and its
    name kept current: Keystone may rename a project, never change its id)."""
    name = name or project_id
    project, created = Project.objects.get_or_create(pk=project_id, defaults={"name": name})
    if not created and project.name != name:
        Project.objects.filter(pk=project_id).update(name=name)
        project.name = name
    return project

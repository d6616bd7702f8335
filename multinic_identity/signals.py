"""Revocation on the changes Keystone revokes on (see services, "Revocation when what a token
stands for changes"), caught as model signals so that every path that changes a password, a
user's state or a membership revokes alike: the Django admin, ``changepassword``, code."""

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from multinic_identity import services
from multinic_identity.models import Membership, User

#: The user fields whose change ends every token of the user.
CREDENTIAL_FIELDS = ("password", "is_active")


def note_credential_change(sender: type[User], instance: User,
                           update_fields: Any = None, **kwargs: Any) -> None:
    """Before a user is saved: whether the save changes the password or deactivates the
    user (read from the row as it was; a save of other fields only costs nothing)."""
    instance._multinic_revoke = False
    if instance.pk is None or (update_fields is not None
                               and not set(update_fields) & set(CREDENTIAL_FIELDS)):
        return
    before = User.objects.filter(pk=instance.pk).values(*CREDENTIAL_FIELDS).first()
    if before is None:
        return
    # Django re-hashes a password on a successful check when its hasher or work factor has
    # changed (check_password's setter: set_password, then _password cleared, then a save of
    # the password field alone). The hash differs, but the password does not: that save
    # ends no token.
    rehashed = (update_fields is not None and set(update_fields) == {"password"}
                and getattr(instance, "_password", None) is None)
    instance._multinic_revoke = ((before["password"] != instance.password and not rehashed)
                                 or (before["is_active"] and not instance.is_active))


def revoke_on_credential_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    if getattr(instance, "_multinic_revoke", False):
        services.revoke_user_tokens(instance.pk)
        instance._multinic_revoke = False


def note_membership_move(sender: type[Membership], instance: Membership,
                         **kwargs: Any) -> None:
    """A membership edited to name another user or project ends the old one's tokens."""
    if instance.pk is None:
        return
    before = Membership.objects.filter(pk=instance.pk).values("user_id", "project_id").first()
    if before and (before["user_id"], before["project_id"]) != (instance.user_id,
                                                                  instance.project_id):
        services.revoke_project_tokens(before["user_id"], before["project_id"])


def revoke_on_membership_removal(sender: type[Membership], instance: Membership,
                                 **kwargs: Any) -> None:
    services.revoke_project_tokens(instance.user_id, instance.project_id)


def connect() -> None:
    pre_save.connect(note_credential_change, sender=User, dispatch_uid="identity_pw_note")
    post_save.connect(revoke_on_credential_change, sender=User, dispatch_uid="identity_pw")
    pre_save.connect(note_membership_move, sender=Membership, dispatch_uid="identity_mv")
    post_delete.connect(revoke_on_membership_removal, sender=Membership,
                        dispatch_uid="identity_rm")

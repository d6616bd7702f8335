"""Key pairs: a user's named public keys, resolved by ``key_name`` at launch.

Keys are imported, never generated here (as Nova since microversion 2.92): a private key
should not pass through a network service. Only OpenSSH public keys are accepted; the
fingerprint is the MD5 of the key blob in colon-separated hex, as Nova shows it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from multinic_api.exceptions import Conflict, InvalidInput, NotFound
from multinic_api.models import Keypair
from multinic_api.services import limits
from multinic_api.services.text import has_nul, refuse_nul

#: Nova's key pair name rule (microversion 2.92 and later). \Z, not $: "$" also matches
#: before a final newline, which let "laptop\n" through.
NAME = re.compile(r"[a-zA-Z0-9 @._-]+\Z")
#: How a launch's key_name is named in messages (here and in :mod:`.instances`).
KEY_NAME = "A key_name"
SSH_KEY_TYPES = frozenset({
    "ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448", "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
})


def fingerprint(public_key: str) -> str:
    """Check an OpenSSH public key line and return its MD5 fingerprint."""
    parts = public_key.strip().split(None, 2)
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise InvalidInput("public_key must be an OpenSSH public key: '<type> <base64> "
                           "[comment]' with a type such as ssh-ed25519 or ssh-rsa")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        embedded = blob[4:4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError):
        raise InvalidInput("public_key's key data is not valid base64 key material") from None
    if embedded != parts[0]:
        raise InvalidInput(f"public_key says {parts[0]} but its key data is {embedded!r}")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def import_keypair(user_id: str, name: str, public_key: str,
                   key_type: str = "ssh") -> Keypair:
    if not isinstance(name, str) or len(name) > limits.KEYPAIR_NAME or not NAME.match(name):
        raise InvalidInput(f"A key pair name is 1 to {limits.KEYPAIR_NAME} characters of "
                           "letters, digits, spaces and @ . _ -")
    if key_type != "ssh":
        raise InvalidInput("Only ssh key pairs are supported")
    if not isinstance(public_key, str) or not public_key.strip():
        raise InvalidInput("public_key is required: keys are imported, not generated here")
    # Before the key is parsed: a 2 MB "key" would be kept and copied into every launch.
    limits.check_length(public_key, limits.PUBLIC_KEY, "A public key")
    # A comment may be any text, but not one PostgreSQL cannot store (text.py).
    refuse_nul(public_key, "public_key")
    key_fingerprint = fingerprint(public_key)
    try:
        with transaction.atomic():
            return Keypair.objects.create(user_id=user_id, name=name, type=key_type,
                                          public_key=public_key.strip(),
                                          fingerprint=key_fingerprint)
    except IntegrityError:
        raise Conflict(f"Key pair '{name}' already exists") from None


def user_keypairs(user_id: str) -> QuerySet[Keypair]:
    """A user's key pairs, whichever project the user is acting in (as in Nova)."""
    return Keypair.objects.filter(user_id=user_id)


def get_keypair(user_id: str, name: str) -> Keypair:
    keypair = None if has_nul(name) else Keypair.objects.filter(user_id=user_id, name=name).first()
    if keypair is None:
        raise NotFound(f"Key pair '{name}' not found")
    return keypair


def delete_keypair(user_id: str, name: str) -> None:
    get_keypair(user_id, name).delete()


def public_key_for(user_id: str, key_name: str | None) -> str | None:
    """The public key a launch with ``key_name`` puts on the instance (400 when unknown)."""
    if key_name is None:
        return None
    limits.check_length(key_name, limits.KEYPAIR_NAME, KEY_NAME)
    try:
        return get_keypair(user_id, key_name).public_key
    except NotFound:
        # At launch an unknown key is bad input (Nova: 400), not a missing resource.
        raise InvalidInput(
            f"Invalid key_name provided: you have no key pair '{key_name}'") from None

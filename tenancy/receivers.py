"""A user's API tokens are revoked when their password changes.

The stored hash is compared before the save (``pre_save``) and the tokens deleted after it
(``post_save``), so every path that saves a new password revokes them: ``set_password`` and
``save``, the admin, the password change and reset views, ``manage.py changepassword``,
``set_unusable_password``, a hash assigned directly. Django rehashing the same password at
login (a stored hash its preferred hasher must update: a newer hasher or more iterations; it
saves without ``_password``) is not a change, nor is a hash assigned directly over such an
outdated one. ``QuerySet.update(password=...)`` sends no signal and revokes nothing.

The revocation is audited (reason "password changed", by the system: the save does not say who
changed the password) through :data:`tenancy.tokens.tokens_revoked`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import get_hasher, identify_hasher

from tenancy.tokens import PASSWORD_CHANGED, tokens_revoke

_CHANGED = "_password_changed"


def _password_changed(user: AbstractBaseUser, update_fields: Any) -> bool:
    if user.pk is None or (update_fields is not None and "password" not in update_fields):
        return False
    manager = type(user)._default_manager
    stored = manager.filter(pk=user.pk).values_list("password", flat=True).first()
    if stored is None or stored == user.password:
        return False
    if getattr(user, "_password", None) is not None:  # set_password(), even to the same one
        return True
    return not _rehash(stored)  # a hash Django's login rehash leaves _password unset


def _rehash(stored: str) -> bool:
    """Whether Django would rehash this stored password at the next login (and so may be)."""
    try:
        hasher = identify_hasher(stored)
    except ValueError:  # unusable or unknown: not something Django rehashes
        return False
    preferred = get_hasher()
    return hasher.algorithm != preferred.algorithm or preferred.must_update(stored)


def note_password_change(
    sender: type[AbstractBaseUser], instance: AbstractBaseUser, **kwargs: Any
) -> None:
    setattr(instance, _CHANGED, _password_changed(instance, kwargs.get("update_fields")))


def revoke_tokens_on_password_change(
    sender: type[AbstractBaseUser], instance: AbstractBaseUser, **kwargs: Any
) -> None:
    if getattr(instance, _CHANGED, False):
        setattr(instance, _CHANGED, False)
        tokens_revoke(user=instance, actor=None, reason=PASSWORD_CHANGED)

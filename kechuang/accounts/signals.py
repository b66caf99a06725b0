"""Login events from Django's auth signals, whatever page or endpoint they come from; a user's
password change or deactivation, however it is saved (page, admin, shell), revokes the user's
API tokens."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from kechuang.accounts import services
from kechuang.accounts.models import User


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    services.register_login_failure(str(credentials.get("username", "")), request)


@receiver(user_logged_in)
def _on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.register_login_success(user, request)


@receiver(user_logged_out)
def _on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.register_logout(user, request)


@receiver(pre_save, sender=User)
def _note_deactivation(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    instance._kc_deactivated = bool(  # type: ignore[attr-defined]
        not raw
        and instance.pk
        and not instance.is_active
        and (update_fields is None or "is_active" in update_fields)
        and User.objects.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=User)
def _after_user_saved(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    # Django keeps the raw password on the instance until save() has run the validators'
    # password_changed hooks; a hash upgrade at login clears it first, so it is not a change.
    if getattr(instance, "_password", None) is not None:
        services.password_changed(instance)
    if getattr(instance, "_kc_deactivated", False):
        services.user_deactivated(instance)

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from kechuang.accounts.services import lockout_remaining


class LockoutModelBackend(ModelBackend):
    """The model backend, refusing a locked username before its password is even checked."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get("username", "")
        if username and lockout_remaining(username) is not None:
            raise PermissionDenied  # stops here; Django sends user_login_failed
        return super().authenticate(request, username=username, password=password, **kwargs)

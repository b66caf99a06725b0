from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from kechuang.accounts.services import lockout_remaining


class LockoutModelBackend(ModelBackend):
    """The model backend, refusing a username locked for this client's address (or a locked
    address) before its password is even checked: the site's and the admin's login alike."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get("username", "")
        if lockout_remaining(username or "", request) is not None:
            raise PermissionDenied  # stops here; Django sends user_login_failed
        return super().authenticate(request, username=username, password=password, **kwargs)

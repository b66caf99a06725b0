from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from kechuang.accounts.models import ApiToken, LoginThrottle, User
from kechuang.accounts.services import unlock
from kechuang.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "area",
        "organization",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_active", "area"]
    search_fields = ["username", "display_name"]
    autocomplete_fields = ["organization"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "身份与范围",
            {"fields": ("display_name", "role", "area", "organization", "phone", "email")},
        ),
        (
            "状态",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "last_login",
                    "date_joined",
                    "password_changed_at",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("身份与范围", {"fields": ("display_name", "role", "area", "organization")}),
    )
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "user",
        "key_prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["key_hash"]


@admin.register(LoginThrottle)
class LoginThrottleAdmin(ReadOnlyAdmin):
    list_display = ["username", "address", "failures", "last_failure_at", "locked_until"]
    actions = ["unlock"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_authenticated and request.user.is_city_admin)

    @admin.action(description="解除锁定")
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        for throttle in queryset:
            unlock(throttle.username, throttle.address)
        messages.success(request, "已解除所选账户的锁定。")

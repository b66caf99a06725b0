from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from kechuang.accounts.models import ApiToken
from kechuang.accounts.selectors import AuditFilter
from kechuang.accounts.services import lockout_message, lockout_remaining, token_days_problem
from kechuang.core.models import AuditAction


def lockout_policy() -> str:
    """The lock-out rule as the settings make it (KECHUANG_LOGIN_* can change it)."""
    return (
        f"连续 {settings.LOGIN_MAX_FAILURES} 次密码错误将锁定账户 "
        f"{settings.LOGIN_LOCKOUT_MINUTES} 分钟"
    )


def session_policy() -> str:
    return f"{settings.SESSION_COOKIE_AGE // 60} 分钟无操作将自动退出"


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": f"用户名或密码错误。{lockout_policy()}。",
            "inactive": "该账户已停用，请联系市科技局管理员。",
        }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            username = self.cleaned_data.get("username") or ""
            remaining = lockout_remaining(username, self.request)
            if remaining is not None:
                raise forms.ValidationError(lockout_message(remaining), code="locked") from None
            raise


class TokenForm(forms.ModelForm):
    days = forms.IntegerField(label="有效天数", min_value=1, initial=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].max_value = limit
        self.fields["days"].initial = limit
        self.fields["days"].widget.attrs["max"] = limit
        self.fields[
            "days"
        ].help_text = f"1–{limit} 天，令牌到期自动失效；修改密码或停用账户时一并吊销。"

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        problem = token_days_problem(days)
        if problem:
            raise forms.ValidationError(problem)
        return days

    class Meta:
        model = ApiToken
        fields = ["name"]


class AuditFilterForm(forms.Form):
    """The audit page's filter bar; validated input becomes the shared `AuditFilter`."""

    actor = forms.CharField(label="操作人", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    model = forms.ChoiceField(label="对象类型", required=False)
    object_id = forms.CharField(label="对象编号", required=False)
    ip = forms.GenericIPAddressField(label="客户端地址", required=False)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label="对象/说明", required=False)

    def __init__(self, *args: Any, model_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *AuditAction.choices]
        self.fields["model"].choices = [("", "全部"), *model_choices]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    def to_filter(self) -> AuditFilter:
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        return AuditFilter(**data)

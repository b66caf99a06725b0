from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.accounts import selectors, services
from kechuang.accounts.forms import (
    AuditFilterForm,
    LoginForm,
    TokenForm,
    lockout_policy,
    session_policy,
)
from kechuang.accounts.models import ApiToken
from kechuang.accounts.selectors import AuditFilter
from kechuang.core.history import readable
from kechuang.core.pagination import page_of
from kechuang.core.permissions import VIEW_AUDIT_TRAIL, requires


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "security_notice": f"{lockout_policy()}；{session_policy()}。",
        }


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("site:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # the rules as the validators state them (settings.AUTH_PASSWORD_VALIDATORS)
        return {
            **super().get_context_data(**kwargs),
            "password_rules": password_validators_help_texts(),
        }

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        form.user.password_changed_at = timezone.now()
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "密码已修改。")
        return response


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    created_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, created_key = services.create_api_token(
            request.user, form.cleaned_data["name"], form.cleaned_data["days"]
        )
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user=request.user),
            "created_key": created_key,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(token)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("accounts:tokens")


@requires(VIEW_AUDIT_TRAIL)
def audit(request: HttpRequest) -> HttpResponse:
    model_choices = [
        (
            f"{ct.app_label}.{ct.model}",
            str(ct.model_class()._meta.verbose_name) if ct.model_class() else ct.model,
        )
        for ct in selectors.audit_models()
    ]
    form = AuditFilterForm(request.GET or None, model_choices=model_choices)
    filters = form.to_filter() if form.is_bound and form.is_valid() else AuditFilter()
    entries = selectors.audit_entries(request.user, filters)
    page = page_of(entries, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "form": form,
            "page": page,
            "entries": readable(page.object_list),
            "query": query.urlencode(),
        },
    )

import base64
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import accounts, audit, tokens
from portal.audit import request_address
from portal.http import AuthenticatedHttpRequest
from portal.models import User

TOO_MANY = _(
    "Too many requests for this address or from your network; please try again in an hour."
)


class PortalLoginView(LoginView):
    redirect_authenticated_user = True


class PortalPasswordChangeView(PasswordChangeView):
    """Changing the password is audited; the API token ends with the old password
    (``portal.signals``)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        assert isinstance(user, User)  # the view requires a signed-in user
        with transaction.atomic(durable=True):
            audit.record(user, "password_changed", user, label=user.email)
        return response


class PortalPasswordResetView(PasswordResetView):
    """The same page whether or not the address has an account, with hourly limits per
    address and per network address counted alike for both. The link goes through the outbox
    (``accounts.request_password_reset``), not from this request."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if accounts.over_hourly_limit("reset", email, request_address.get()):
            form.add_error(None, TOO_MANY)
            return self.form_invalid(form)
        accounts.request_password_reset(email)
        return redirect(self.get_success_url())


class PortalPasswordResetConfirmView(PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        with transaction.atomic(durable=True):
            audit.record(form.user, "password_reset", form.user, label=form.user.email)
        return response


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Email address"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def clean_email(self) -> str:
        # Whether the address has an account is not said here (issue 23): the holder of an
        # address already in use is told by email instead.
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password"):
            password_validation.validate_password(
                data["password"],
                User(email=data.get("email", ""), full_name=data.get("full_name", "")),
            )
        return data


def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if accounts.over_hourly_limit("register", email, request_address.get()):
            form.add_error(None, TOO_MANY)
            return render(request, "registration/register.html", {"form": form})
        pending = accounts.pending_registration(email)
        others = User.objects.filter(email=email)
        if pending is not None:
            others = others.exclude(pk=pending.pk)
        if others.exists():
            accounts.tell_holder_of_registration(email)
        else:
            accounts.register_owner(
                email,
                form.cleaned_data["password"],
                form.cleaned_data["full_name"],
                form.cleaned_data["phone"],
            )
        return render(request, "registration/register_sent.html", {"email": email})
    return render(request, "registration/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    user = accounts.verify_email(token)
    if user is None:
        return render(request, "registration/verify_failed.html", status=400)
    messages.success(request, _("Your email address is confirmed. You can sign in now."))
    return redirect("login")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return "/"
    return target


@login_required
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if user_has_device(request.user):
        return redirect("otp-verify")
    device = accounts.pending_totp_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if accounts.confirm_totp(request.user, device, form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next(request))
        form.add_error("token", _("That code is not right. Check your phone's clock and retry."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next(request),
        },
    )


@login_required
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                _audit_second_factor(request.user, "second_factor_verified")
                return redirect(_next(request))
        _audit_second_factor(request.user, "second_factor_failed")
        form.add_error("token", _("That code is not right."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


def _audit_second_factor(user: User, verb: str) -> None:
    with transaction.atomic(durable=True):
        audit.record(user, verb, user, label=user.email)


@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's API token: when it was issued and ends, and a button that ends it now."""
    if request.method == "POST":
        if tokens.revoke(request.user, request.user, "revoked"):
            messages.success(request, _("Your API token is revoked: it no longer works."))
        return redirect("api-tokens")
    token = tokens.current(request.user)
    return render(
        request,
        "registration/api_tokens.html",
        {"token": token, "expires": tokens.expires_at(token) if token else None},
    )

"""Sign-in form and the audit of sign-in events."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core.sessions import signed_in_now


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    error_messages = {
        "invalid_login": (
            "Enter a correct e-mail address and password. Passwords are case-sensitive."
        ),
        "inactive": "This account is not active. Ask your administrator to reactivate it.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


# Django sends these signals from its own authentication code; recording them here is the only
# place to hear every sign-in, whichever page or client made it.
@receiver(user_logged_in)
def _audit_sign_in(
    sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        signed_in_now(request)
    audit_record(actor=user, action=AuditAction.SIGN_IN, obj=user)


@receiver(user_logged_out)
def _audit_sign_out(
    sender: Any, request: HttpRequest, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    if user is not None:
        because = getattr(request, "signed_out_because", "")
        audit_record(actor=user, action=AuditAction.SIGN_OUT, obj=user, summary=because)


@receiver(user_login_failed)
def _audit_failed_sign_in(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The e-mail tried is kept so that repeated attempts on one account can be reviewed; the
    # password never is (Django has already masked it in `credentials`).
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        summary=f"Sign-in failed for {credentials.get('username', '')}"[:255],
    )


@receiver(user_locked_out)
def _audit_locked_out(
    sender: Any, request: HttpRequest, username: str | None, **kwargs: Any
) -> None:
    audit_record(actor=None, action=AuditAction.LOCKED_OUT, summary=f"Locked out: {username or ''}")

"""Writes on accounts: every one named, typed and atomic."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    role: str = User.Role.PARTICIPANT,
    verified: bool = True,
    home_commune=None,
) -> User:
    """Create a user with a (by default verified) primary e-mail address, as allauth keeps it."""
    is_admin = role == User.Role.ADMIN
    user = User.objects.create_user(
        email=email,
        password=password,
        display_name=display_name,
        role=role,
        home_commune=home_commune,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user

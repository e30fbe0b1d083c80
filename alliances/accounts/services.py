"""Writes on accounts: every one named, typed and atomic."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from alliances.actors.models import Membership
from alliances.core import audit
from alliances.core.models import AuditAction
from alliances.journeys.pagecache import member_pages_changed
from alliances.territories.models import Commune

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
    if role != User.Role.PARTICIPANT:
        audit.record(AuditAction.PLATFORM_ROLE, target=user,
                     target_label=audit.actor_label(user), changes={"role": role})
    return user


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, home_commune: Commune | None) -> User:
    """Change what a person may change about themselves; the platform role is not one."""
    user.display_name = display_name.strip()
    user.home_commune = home_commune
    user.save(update_fields=["display_name", "home_commune"])
    member_pages_changed(user.pk)  # their name in the cohorts' member lists
    return user


@transaction.atomic
def user_delete(*, user: User) -> User:
    """Delete an account by anonymising it in place, so what the person contributed stays.

    Every session of the account ends: the unusable password changes the session auth hash
    Django checks on each request, and inactive users are refused by the auth backends.
    The view also logs the current request out.
    """
    # Their name becomes "Deleted account" on every cohort page that lists them; bumped
    # before any app's eraser removes what ties them to a cohort.
    member_pages_changed(user.pk)
    audit.record(AuditAction.ACCOUNT_DELETED, target=user, target_label=f"#{user.pk}")
    audit.forget_person(user)  # the audit log keeps the account's number, not its address
    # The apps' erasers first: those that take the person's name out of the texts that stay
    # (accounts.gdpr.scrub) need it.
    from .gdpr import erasers  # the apps' modules import this one's models

    for erase in erasers().values():
        erase(user)
    user.email = f"deleted-{user.pk}@invalid.alliances"
    user.display_name = ""
    user.home_commune = None
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.role = User.Role.PARTICIPANT
    user.deleted_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    return user

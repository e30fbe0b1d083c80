from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliances.journeys.pagecache import member_pages_changed

from . import services
from .models import User


def _clean_unique_email(form) -> str:
    email = User.objects.normalize_email(form.cleaned_data["email"]).lower()
    others = User.objects.filter(email__iexact=email).exclude(pk=form.instance.pk)
    if others.exists():
        raise ValidationError(_("A user with this e-mail address already exists."))
    return email


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "role")
        field_classes: dict = {}

    def clean_email(self) -> str:
        return _clean_unique_email(self)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self) -> str:
        return _clean_unique_email(self)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "home_commune")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email", "display_name", "role", "usable_password", "password1", "password2"
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "deleted_at")
    list_display = ("email", "display_name", "role", "is_active", "is_staff", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    raw_id_fields = ("home_commune",)
    actions = ["anonymise"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            member_pages_changed(obj.pk)  # their name on the cohort pages
        else:
            # allauth keeps addresses in its own table; the person confirms it at first login.
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"primary": True, "verified": False}
            )

    def delete_model(self, request, obj) -> None:
        member_pages_changed(obj.pk)  # before their memberships go with them
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset) -> None:
        for pk in queryset.values_list("pk", flat=True):
            member_pages_changed(pk)
        super().delete_queryset(request, queryset)

    @admin.action(
        description=_("Delete the selected accounts (anonymise them)"), permissions=["delete"]
    )
    def anonymise(self, request, queryset) -> None:
        users = list(queryset.filter(deleted_at__isnull=True))
        for user in users:
            services.user_delete(user=user)
        count = len(users)
        self.message_user(
            request,
            ngettext("%(count)d account anonymised.", "%(count)d accounts anonymised.", count)
            % {"count": count},
            messages.SUCCESS,
        )

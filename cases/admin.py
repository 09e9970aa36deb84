"""The Django admin: organisation and settings, scoped to the administrator's kommune.

Every ModelAdmin (and inline) of every app derives from `KommuneScopedMixin`
(`KommuneScopedAdmin`, `KommuneScopedInline`); a test walks `admin.site._registry` to hold
that. Access is derived from the role, never from Django's stored model permissions:

- a superuser sees everything; an administrator of a kommune (`role=administrator`,
  `is_staff`) sees the rows of their own kommune (`kommune_field`, the lookup from the model to
  its kommune) and nothing else: other rows are absent from the lists, answer 404 on their
  pages, and are absent from the choices of every foreign key;
- `superuser_only`: case content (borger data, samtaler) and cross-kommune runs, for superusers
  only; a kommune's administrator reads and writes case content through the app, where every
  look is logged;
- `read_only`: state owned by a service (the forløb's phase, borger, team, coordinator and
  closing; flags; logs) is shown, never changed, here, also not by a superuser;
- `kommune_field = None`: shared reference data (the indsats catalogue), read by every
  administrator and changed only by a superuser, since a change reaches every kommune.

Whatever is not allowed answers 404, as in the rest of the app (never 403).
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.models import Borger, Forloeb, Kommune, Role, Team, TeamMembership, User


def is_kommune_administrator(user) -> bool:
    """A staff administrator bound to one kommune (the admin's non-superuser audience)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.role == Role.ADMINISTRATOR
        and user.kommune_id is not None
    )


def scoped_choices(request, model):
    """The rows of `model` the request's user may pick in a form, or None for "all" (superuser).
    A model without a scoped admin offers nothing to a non-superuser."""
    if request.user.is_superuser:
        return None
    model_admin = admin.site._registry.get(model)
    queryset = model._default_manager.all()
    if isinstance(model_admin, KommuneScopedMixin):
        return model_admin.scope_queryset(request, queryset)
    return queryset.none()


class KommuneScopedMixin:
    """Scoping and role-derived permissions for a ModelAdmin or an inline (see the module)."""

    kommune_field: str | None = "kommune"
    superuser_only = False
    read_only = False

    # --- who sees what -----------------------------------------------------------------
    def _may_enter(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        return not self.superuser_only and is_kommune_administrator(user)

    def _may_write(self, request) -> bool:
        if not self._may_enter(request) or self.read_only:
            return False
        return request.user.is_superuser or self.kommune_field is not None

    def scope_queryset(self, request, queryset):
        user = request.user
        if user.is_superuser:
            return queryset
        if not self._may_enter(request):
            return queryset.none()
        if self.kommune_field is None:
            return queryset
        return queryset.filter(**{self.kommune_field: user.kommune_id})

    def _in_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        if self.kommune_field is None:
            return True
        return self.scope_queryset(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return self._may_enter(request)

    def has_view_permission(self, request, obj=None):
        return self._may_enter(request) and self._in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request) and self._in_scope(request, obj)

    # --- the choices of foreign keys ------------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _not_found_instead_of_forbidden(view):
    def wrapped(self, request, *args, **kwargs):
        try:
            return view(self, request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    wrapped.__name__ = view.__name__
    return wrapped


class KommuneScopedAdmin(KommuneScopedMixin, admin.ModelAdmin):
    """The base of every ModelAdmin: scoped rows and choices, and 404 (never 403, never a
    redirect that confirms the row exists) for anything out of reach."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    changelist_view = _not_found_instead_of_forbidden(admin.ModelAdmin.changelist_view)
    changeform_view = _not_found_instead_of_forbidden(admin.ModelAdmin.changeform_view)
    delete_view = _not_found_instead_of_forbidden(admin.ModelAdmin.delete_view)
    history_view = _not_found_instead_of_forbidden(admin.ModelAdmin.history_view)


class KommuneScopedInline(KommuneScopedMixin, admin.TabularInline):
    def _in_scope(self, request, obj) -> bool:
        # `obj` is the parent, which its own (scoped) admin has already found or refused.
        return True


class ReadOnlyAdmin(KommuneScopedAdmin):
    """State owned by a service or a log: shown, never added, changed or deleted here."""

    read_only = True


# --- cases ---------------------------------------------------------------------------------


class MembershipInline(KommuneScopedInline):
    model = TeamMembership
    kommune_field = "team__kommune"
    extra = 0


@admin.register(User)
class ForloebUserAdmin(KommuneScopedAdmin, UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Forløb", {"fields": ("role", "sector", "kommune")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Forløb", {"fields": ("role", "sector", "kommune")}))
    list_display = ("username", "first_name", "last_name", "role", "sector", "kommune")
    list_filter = ("role", "sector", ("kommune", admin.RelatedOnlyFieldListFilter))
    inlines = [MembershipInline]
    # Django's stored permissions are not used (access follows the role), and only a
    # superuser makes a superuser.
    SUPERUSER_FIELDS = ("is_superuser", "groups", "user_permissions")

    # UserAdmin's own views (the password form) call PermissionDenied too.
    user_change_password = _not_found_instead_of_forbidden(UserAdmin.user_change_password)

    def scope_queryset(self, request, queryset):
        queryset = super().scope_queryset(request, queryset)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + self.SUPERUSER_FIELDS

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.kommune_id = request.user.kommune_id
        super().save_model(request, obj, form, change)


# Access follows the role, not Django's stored permissions: groups are for superusers only.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class ForloebGroupAdmin(KommuneScopedAdmin, GroupAdmin):
    superuser_only = True
    kommune_field = None


@admin.register(Kommune)
class KommuneAdmin(KommuneScopedAdmin):
    kommune_field = "pk"
    list_display = ("name", "code", "is_frikommune")

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Team)
class TeamAdmin(KommuneScopedAdmin):
    list_display = ("name", "kommune")


@admin.register(Borger)
class BorgerAdmin(KommuneScopedAdmin):
    """Borger data is case content: superusers only (administrators use the app, which logs)."""

    superuser_only = True
    kommune_field = "forloeb__kommune"
    list_display = ("last_name", "first_name")
    search_fields = ("last_name", "first_name")


@admin.register(Forloeb)
class ForloebAdmin(ReadOnlyAdmin):
    """Read-only: a forløb is opened in the app, and its phase, borger, team, coordinator and
    closing change only through the services (with their transition and assignment rows)."""

    list_display = ("borger", "sequence_no", "team", "phase", "opened_on")
    list_filter = ("phase", ("team", admin.RelatedOnlyFieldListFilter))
    raw_id_fields = ("borger", "current_coordinator")

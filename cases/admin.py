from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cases.models import Borger, Forloeb, Kommune, Team, TeamMembership, User


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0


@admin.register(User)
class ForloebUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Forløb", {"fields": ("role", "sector", "kommune")}))
    list_display = ("username", "first_name", "last_name", "role", "sector", "kommune")
    list_filter = ("role", "sector", "kommune")
    inlines = [MembershipInline]


@admin.register(Kommune)
class KommuneAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_frikommune")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kommune")


@admin.register(Borger)
class BorgerAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name")
    search_fields = ("last_name", "first_name")


@admin.register(Forloeb)
class ForloebAdmin(admin.ModelAdmin):
    list_display = ("borger", "sequence_no", "team", "phase", "opened_on")
    list_filter = ("phase", "team")
    readonly_fields = ("phase",)
    raw_id_fields = ("borger", "current_coordinator")

"""The built-in Identity's users, with the projects they are members of."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from multinic_identity.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("project",)


@admin.register(User)
class IdentityUserAdmin(UserAdmin):
    inlines = [MembershipInline]

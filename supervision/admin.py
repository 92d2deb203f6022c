"""The supervision app's data kept on the admin site."""

from django.contrib import admin

from supervision.dashboards.models import WeakRegion


@admin.register(WeakRegion)
class WeakRegionAdmin(admin.ModelAdmin):
    list_display = ("division", "note")
    search_fields = ("division__code", "division__name_zh", "note")
    raw_id_fields = ("division",)

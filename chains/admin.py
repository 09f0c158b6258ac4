from django.contrib import admin

from chains.models import ChainNote, ValueChain


class ChainNoteInline(admin.StackedInline):
    model = ChainNote
    extra = 0


@admin.register(ValueChain)
class ValueChainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "programme", "order"]
    list_filter = ["programme"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ChainNoteInline]

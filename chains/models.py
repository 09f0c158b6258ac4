"""The programme's value chains (cadenas de valor)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueChain(models.Model):
    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="chains")
    slug = models.SlugField(_("slug"), max_length=50, help_text=_("papa-nativa …"))
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("value chain")
        verbose_name_plural = _("value chains")
        ordering = ["programme", "order"]
        constraints = [models.UniqueConstraint(fields=["programme", "slug"], name="chain_slug_unique")]

    def __str__(self) -> str:
        return self.name


class ChainNote(models.Model):
    """A per-chain entry of a narrative table, e.g. the communication activities of 3.3.3.1."""

    chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="notes")
    year = models.PositiveSmallIntegerField(_("year"))
    topic = models.CharField(_("topic"), max_length=60)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("value chain note")
        verbose_name_plural = _("value chain notes")
        ordering = ["chain__order", "year", "topic"]
        constraints = [models.UniqueConstraint(fields=["chain", "year", "topic"], name="chain_note_unique")]

    def __str__(self) -> str:
        return f"{self.chain} {self.year} {self.topic}"

"""Ledgers a county keeps beside the standard ones: a copy of a standard ledger with its own columns and filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from shoudi.core.models import ChangeLoggedModel

__all__ = ["SavedLedger"]


class SavedLedger(ChangeLoggedModel):
    """A county's own ledger (本县台账): a standard ledger (``base_code``) with chosen columns and filters.

    ``columns`` is the ordered list of column keys of the standard definition; ``filters`` maps filter keys to their
    values (a toggle: true/false; a choice: the chosen value or "" for 全部). Keys the definition no longer has are
    ignored when the ledger is built, so a changed definition never breaks a saved copy. Users of the county read
    it (``scope_read_ancestors``); the county admin changes it.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="所属县",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
    )
    base_code = models.CharField("基于标准台账", max_length=40)
    title = models.CharField("台账名称", max_length=100)
    columns = models.JSONField("列（按顺序）", default=list)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    grouped = models.BooleanField("按村分组小计", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_code_field = "region__code"
    scope_read_ancestors = True  # a township or village user reads the ledgers of his county

    class Meta:
        verbose_name = verbose_name_plural = "本县台账"
        ordering = ["region__code", "title"]
        constraints = [models.UniqueConstraint(fields=["region", "title"], name="savedledger_unique_title")]

    def __str__(self) -> str:
        return self.title

    @property
    def name(self) -> str:
        """The ledger's name in URLs and on the command line (standard ledgers use their code)."""
        return f"saved-{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("ledgers:ledger_detail", args=[self.name])

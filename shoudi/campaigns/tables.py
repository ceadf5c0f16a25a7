import django_tables2 as tables

from shoudi.core.tables import BaseTable

from .models import Campaign

__all__ = ["CampaignTable"]


class CampaignTable(BaseTable):
    name = tables.Column(linkify=True, attrs={"td": {"class": "text-wrap"}})
    issuer_region = tables.Column(verbose_name="发起单位", accessor="issuer_region__name")
    start_date = tables.DateColumn(format="Y-m-d")
    end_date = tables.DateColumn(format="Y-m-d")
    state = tables.Column(verbose_name="状态", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Campaign
        fields = ("name", "document_no", "issuer_region", "start_date", "end_date", "state")

    def render_state(self, record):
        return record.state

    def value_state(self, record):
        return record.state

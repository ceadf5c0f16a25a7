"""The projects pages, by topic: the library and its steps, the annual plan / funds report / 督查, and assets."""

from .assets import AssetListView, asset_act, asset_detail, distribution_act, distribution_detail
from .library import ProjectListView, home_panel, project_act, project_add, project_detail, project_edit
from .plan import InspectionEditView, InspectionListView, annual_plan, funds_report

__all__ = [
    "AssetListView",
    "InspectionEditView",
    "InspectionListView",
    "ProjectListView",
    "annual_plan",
    "asset_act",
    "asset_detail",
    "distribution_act",
    "distribution_detail",
    "funds_report",
    "home_panel",
    "project_act",
    "project_add",
    "project_detail",
    "project_edit",
]

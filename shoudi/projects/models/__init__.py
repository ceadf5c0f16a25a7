"""The projects app's models: the 项目库 (library), implementation and funds, and assets."""

from .assets import Asset, AssetIncome, DistributionPlan, Maintenance, OperatingContract, Payout
from .implementation import Allocation, Decision, Inspection, Payment, PerformanceTarget, ProgressReport, Supervision
from .library import Objection, Project, ProjectStep, Publicity

__all__ = [
    "Allocation",
    "Asset",
    "AssetIncome",
    "Decision",
    "DistributionPlan",
    "Inspection",
    "Maintenance",
    "Objection",
    "OperatingContract",
    "Payment",
    "Payout",
    "PerformanceTarget",
    "ProgressReport",
    "Project",
    "ProjectStep",
    "Publicity",
    "Supervision",
]

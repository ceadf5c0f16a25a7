"""The forms of assets, distribution plans, 督查, the annual plan and the import."""

from __future__ import annotations

from django import forms

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.core.uploads import LimitedFileField
from shoudi.regions.models import Region

from .. import choices as c
from ..models import Inspection
from .project import MONEY, ActionForm

__all__ = [
    "AssetForm",
    "ContractForm",
    "CustodianForm",
    "DecideForm",
    "DisposeForm",
    "FileForm",
    "ImportForm",
    "IncomeForm",
    "InspectionForm",
    "MaintenanceForm",
    "PayForm",
    "PlanAmountsForm",
    "PlanDraftForm",
    "PlanPublicityForm",
    "SanziForm",
    "TransferForm",
]


class AssetForm(ActionForm):
    """登记资产 from the project's page: the place is the project's region or below it."""

    name = forms.CharField(label="资产名称", max_length=200)
    kind = forms.ChoiceField(label="资产类别", choices=c.ASSET_KIND_CHOICES)
    category = forms.CharField(label="资产类型", max_length=50, required=False, help_text="如光伏电站、道路、厂房")
    scale = forms.CharField(label="规模数量", max_length=100, required=False)
    value = forms.DecimalField(label="资产价值（元）", **MONEY)
    region = forms.ModelChoiceField(label="所在区划", queryset=None)
    location = forms.CharField(label="具体位置", max_length=200, required=False)

    def setup(self, obj) -> None:
        self.fields["region"].queryset = Region.objects.filter(code__startswith=obj.region.code).order_by("code")


class TransferForm(ActionForm):
    owner_region = forms.ModelChoiceField(label="产权归属区划", queryset=None)
    owner_name = forms.CharField(label="产权单位（接收单位）", max_length=150, help_text="如某村股份经济合作社")
    transferred_on = forms.DateField(label="确权移交日期", widget=date_widget())
    document = forms.CharField(label="移交文书编号", max_length=60, required=False)
    sanzi_no = forms.CharField(label="三资平台登记编号", max_length=60, required=False)

    def setup(self, obj) -> None:
        codes = [*obj.region.ancestors_codes, obj.region.code]
        self.fields["owner_region"].queryset = Region.objects.filter(code__in=codes).order_by("code")
        self.fields["owner_region"].initial = obj.region.pk


class SanziForm(ActionForm):
    sanzi_no = forms.CharField(label="三资平台登记编号", max_length=60)
    entered_on = forms.DateField(label="纳入日期", widget=date_widget())


class CustodianForm(ActionForm):
    custodian = forms.CharField(label="管护主体", max_length=150)
    person = forms.CharField(label="管护责任人", max_length=50, required=False)


class MaintenanceForm(ActionForm):
    done_on = forms.DateField(label="管护日期", widget=date_widget())
    content = forms.CharField(label="管护内容", widget=forms.Textarea(attrs={"rows": 2}))
    person = forms.CharField(label="管护人", max_length=50, required=False)
    cost = forms.DecimalField(label="管护费用（元）", initial=0, **MONEY)


class ContractForm(ActionForm):
    operator = forms.CharField(label="经营主体", max_length=150)
    operator_kind = forms.ChoiceField(label="经营主体类型", choices=c.OPERATOR_KIND_CHOICES)
    contract_no = forms.CharField(label="合同编号", max_length=60, required=False)
    start = forms.DateField(label="合同开始", widget=date_widget())
    end = forms.DateField(label="合同结束", widget=date_widget())
    annual_amount = forms.DecimalField(label="约定年收益（元）", initial=0, **MONEY)
    terms = forms.CharField(label="主要条款", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class IncomeForm(ActionForm):
    year = forms.IntegerField(label="收益年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="收益金额（元）", **MONEY)
    received_on = forms.DateField(label="到账日期", widget=date_widget())
    note = forms.CharField(label="说明", max_length=200, required=False)


class PlanAmountsForm(ActionForm):
    household_amount = forms.DecimalField(label="分配到户金额（元）", **MONEY)
    retained_amount = forms.DecimalField(label="集体留存及其他用途（元）", initial=0, **MONEY)
    retained_use = forms.CharField(label="留存用途", max_length=200, required=False)
    method = forms.ChoiceField(label="分配方式", choices=c.SPLIT_METHODS)


class PlanDraftForm(PlanAmountsForm):
    income = forms.ModelChoiceField(label="分配的收益", queryset=None)
    field_order = ["income", "household_amount", "retained_amount", "retained_use", "method"]

    def setup(self, obj) -> None:
        self.fields["income"].queryset = obj.incomes.filter(plan__isnull=True)


class DecideForm(ActionForm):
    decided_on = forms.DateField(label="村民代表会议决议日期", widget=date_widget())
    record = forms.CharField(
        label="四议两公开记录",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="村党组织提议、两委商议、党员大会审议、村民代表会议决议，决议公开及实施结果公开情况",
    )


class FileForm(ActionForm):
    filed_on = forms.DateField(label="备案日期", widget=date_widget())


class PayForm(ActionForm):
    paid_on = forms.DateField(label="兑付日期", widget=date_widget())


class PlanPublicityForm(ActionForm):
    start = forms.DateField(label="公示开始", widget=date_widget())
    end = forms.DateField(label="公示结束", widget=date_widget())
    place = forms.CharField(label="公示地点/渠道", max_length=200, initial="村务公开栏")
    content = forms.CharField(label="公示内容", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    photo = LimitedFileField(label="公示照片", required=False, size_only=True)


class DisposeForm(ActionForm):
    method = forms.ChoiceField(label="处置方式", choices=c.DISPOSAL_METHOD_CHOICES)
    disposed_on = forms.DateField(label="处置日期", widget=date_widget())
    reason = forms.CharField(label="处置原因及决策程序", widget=forms.Textarea(attrs={"rows": 2}))
    proceeds = forms.DecimalField(label="处置收入（元）", required=False, **MONEY)


class InspectionForm(ScopedModelForm):
    class Meta:
        model = Inspection
        fields = [
            "region",
            "year",
            "quarter",
            "inspected_on",
            "inspectors",
            "scope",
            "findings",
            "rectification",
            "amount_checked",
        ]
        widgets = {"inspected_on": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.exclude(level="village").order_by("code")


class ImportForm(StyledForm):
    file = LimitedFileField(label="项目清单（Excel 或 CSV）")

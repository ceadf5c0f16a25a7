"""The forms of the project pages: the proposal, and the form of each step of the chain, implementation and funds."""

from __future__ import annotations

from django import forms

from shoudi.core.forms import StyledForm, date_widget
from shoudi.core.uploads import LimitedFileField
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from .. import choices as c

__all__ = [
    "AcceptForm",
    "ActionForm",
    "AllocationForm",
    "CompleteForm",
    "DecisionForm",
    "EvaluateForm",
    "ExecutionForm",
    "ObjectionForm",
    "PaymentForm",
    "ProgressForm",
    "ProjectForm",
    "PublicityForm",
    "ReasonForm",
    "RequiredReasonForm",
    "ResolveForm",
    "ReviewForm",
    "SettleForm",
    "StartForm",
    "SupervisionForm",
    "TargetForm",
    "household_numbers",
]

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def household_numbers(text: str) -> list[str]:
    return [n.strip() for n in text.replace("，", ",").replace("、", ",").split(",") if n.strip()]


class ProjectForm(StyledForm):
    """申报 (and 修改) of a project."""

    name = forms.CharField(label="项目名称", max_length=200)
    project_type = forms.ChoiceField(label="项目类型", choices=c.TYPE_CHOICES)
    subtype = forms.ChoiceField(label="项目子类型", choices=c.SUBTYPE_CHOICES)
    region = forms.ModelChoiceField(label="建设地点（区划）", queryset=Region.objects.none())
    location = forms.CharField(label="具体地点", max_length=200, required=False)
    implementing_unit = forms.CharField(label="实施单位", max_length=100)
    year = forms.IntegerField(label="项目年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="计划完成年度", min_value=2000, max_value=2100, required=False)
    content = forms.CharField(label="建设内容及规模", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    budget_central = forms.DecimalField(label="中央衔接资金（元）", initial=0, **MONEY)
    budget_province = forms.DecimalField(label="省级衔接资金（元）", initial=0, **MONEY)
    budget_city = forms.DecimalField(label="市级衔接资金（元）", initial=0, **MONEY)
    budget_county = forms.DecimalField(label="县级衔接资金（元）", initial=0, **MONEY)
    budget_other = forms.DecimalField(label="其他资金（元）", initial=0, **MONEY)
    linkage = forms.CharField(
        label="联农带农机制",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="如务工就业、入股分红、订单收购、土地流转、资产收益",
    )
    beneficiaries = forms.CharField(
        label="受益农户（户编号，多个用逗号分隔）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = Region.objects.restrict(user, "view").order_by("code")
        self.fields["region"].queryset = regions

    def clean_beneficiaries(self):
        numbers = household_numbers(self.cleaned_data["beneficiaries"])
        found = {
            h.household_no: h
            for h in Household.objects.restrict(self.user, "view")
            .filter(household_no__in=numbers)
            .select_related("village")
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"没有找到户编号：{'、'.join(missing[:20])}（或不在您的管辖范围内）")
        return list(found.values())

    def clean(self):
        cleaned = super().clean()
        kind, subtype = cleaned.get("project_type"), cleaned.get("subtype")
        if kind and subtype and subtype not in c.TYPES[kind]:
            self.add_error("subtype", f"“{subtype}”不属于“{kind}”，可选：{'、'.join(c.TYPES[kind])}")
        return cleaned


class ActionForm(StyledForm):
    """A step's form; ``obj`` is the object the page is about (some forms choose among its rows)."""

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj = obj
        if obj is not None:
            self.setup(obj)

    def setup(self, obj) -> None:
        pass


class ReviewForm(ActionForm):
    text = forms.CharField(
        label="审核意见（退回或不通过时必填）", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReasonForm(ActionForm):
    text = forms.CharField(label="说明", max_length=300, required=False)


class RequiredReasonForm(ActionForm):
    text = forms.CharField(label="理由", max_length=300)


class PublicityForm(ActionForm):
    stage = forms.ChoiceField(label="公示类型", choices=c.PUBLICITY_STAGE_CHOICES, initial="入库公示")
    start = forms.DateField(label="公示开始", widget=date_widget())
    end = forms.DateField(label="公示结束", widget=date_widget())
    place = forms.CharField(label="公示地点/渠道", max_length=200, initial="村务公开栏")
    content = forms.CharField(label="公示内容", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    photo = LimitedFileField(label="公示照片", required=False, size_only=True)


class ObjectionForm(ActionForm):
    publicity = forms.ModelChoiceField(label="公示", queryset=None)
    received_on = forms.DateField(label="收到日期", widget=date_widget())
    raised_by = forms.CharField(label="提出人", max_length=100, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self, obj) -> None:
        self.fields["publicity"].queryset = obj.publicities.all()


class ResolveForm(ActionForm):
    objection = forms.ModelChoiceField(label="异议", queryset=None)
    upheld = forms.TypedChoiceField(
        label="核实结论", choices=[("0", "异议不成立"), ("1", "异议成立（退回修改）")], coerce=lambda v: v == "1"
    )
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self, obj) -> None:
        from ..models import Objection

        self.fields["objection"].queryset = Objection.objects.filter(publicity__project=obj, upheld__isnull=True)


class AllocationForm(ActionForm):
    source = forms.ChoiceField(label="资金来源", choices=c.FUND_SOURCES)
    amount = forms.DecimalField(label="下达金额（元）", **MONEY)
    allocated_on = forms.DateField(label="下达日期", widget=date_widget())
    document_no = forms.CharField(label="下达文号", max_length=60, required=False)


class ExecutionForm(ActionForm):
    allocation = forms.ModelChoiceField(label="资金批次", queryset=None)
    started_on = forms.DateField(label="预算执行开始日期", widget=date_widget())
    note = forms.CharField(label="说明（如签订合同、首笔拨付）", max_length=300, required=False)

    def setup(self, obj) -> None:
        self.fields["allocation"].queryset = obj.allocations.filter(execution_started_on__isnull=True)


class PaymentForm(ActionForm):
    kind = forms.ChoiceField(label="拨付类型", choices=c.PAYMENT_KIND_CHOICES, initial="进度款")
    amount = forms.DecimalField(label="拨付金额（元）", **MONEY)
    paid_on = forms.DateField(label="拨付日期", widget=date_widget())
    allocation = forms.ModelChoiceField(label="资金批次", queryset=None, required=False)
    voucher = forms.CharField(label="凭证号", max_length=60, required=False)

    def setup(self, obj) -> None:
        self.fields["allocation"].queryset = obj.allocations.all()


class DecisionForm(ActionForm):
    kind = forms.ChoiceField(label="方式", choices=c.DECISION_KIND_CHOICES)
    decided_on = forms.DateField(label="日期", widget=date_widget())
    steps = forms.MultipleChoiceField(
        label="四议两公开已完成环节", choices=c.FOUR_TWO_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    content = forms.CharField(label="主要内容/决议事项", widget=forms.Textarea(attrs={"rows": 2}))
    contractor = forms.CharField(label="中标（承建）单位", max_length=150, required=False)
    amount = forms.DecimalField(label="合同金额（元）", required=False, **MONEY)
    file = LimitedFileField(label="会议记录或中标通知书", required=False, size_only=True)


class StartForm(ActionForm):
    started_on = forms.DateField(label="开工日期", widget=date_widget())
    text = forms.CharField(label="说明", max_length=300, required=False)


class ProgressForm(ActionForm):
    percent = forms.IntegerField(label="形象进度（%）", min_value=0, max_value=100)
    reported_on = forms.DateField(label="日期", widget=date_widget())
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 2}))
    photo = LimitedFileField(label="现场照片", required=False, size_only=True)


class SupervisionForm(ActionForm):
    supervisor = forms.ChoiceField(label="监督主体", choices=c.SUPERVISOR_CHOICES)
    supervisor_name = forms.CharField(label="监督人", max_length=100, required=False)
    supervised_on = forms.DateField(label="日期", widget=date_widget())
    content = forms.CharField(label="监督内容", widget=forms.Textarea(attrs={"rows": 2}))
    issues = forms.CharField(label="发现问题", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    photo = LimitedFileField(label="现场照片", required=False, size_only=True)


class CompleteForm(ActionForm):
    completed_on = forms.DateField(label="竣工日期", widget=date_widget())
    text = forms.CharField(label="说明", max_length=300, required=False)


class AcceptForm(ActionForm):
    accepted_on = forms.DateField(label="验收日期", widget=date_widget())
    text = forms.CharField(label="验收意见", widget=forms.Textarea(attrs={"rows": 2}))


class SettleForm(ActionForm):
    kind = forms.ChoiceField(label="方式", choices=c.SETTLEMENT_KINDS)
    settled_on = forms.DateField(label="日期", widget=date_widget())
    amount = forms.DecimalField(label="结算金额（元）", **MONEY)


class TargetForm(ActionForm):
    level = forms.ChoiceField(label="一级指标", choices=c.TARGET_LEVEL_CHOICES)
    name = forms.CharField(label="指标名称", max_length=100)
    target = forms.CharField(label="目标值", max_length=100)


class EvaluateForm(ActionForm):
    target = forms.ModelChoiceField(label="绩效指标", queryset=None)
    actual = forms.CharField(label="完成值", max_length=100)
    achieved = forms.TypedChoiceField(
        label="是否达成", choices=[("1", "达成"), ("0", "未达成")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="评价说明", max_length=300, required=False)

    def setup(self, obj) -> None:
        self.fields["target"].queryset = obj.targets.all()

from django import forms
from django.utils import timezone

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.core.uploads import LimitedFileField

from . import choices as c
from .models import CaseAttachment, MonitoringLine, MonitoringSettings, NoticeDelivery, NoticeDocument


class ClueForm(StyledForm):
    source = forms.ChoiceField(label="发现方式", choices=c.SOURCES)
    clue_date = forms.DateField(label="线索日期", initial=timezone.localdate, widget=date_widget())
    category = forms.ChoiceField(label="监测对象类别（可稍后确定）", choices=[("", "—"), *c.CATEGORIES], required=False)
    risk_types = forms.MultipleChoiceField(
        label="致贫/返贫风险（可稍后确定）", choices=c.RISK_TYPES, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="线索说明", widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(StyledForm):
    visited_on = forms.DateField(label="入户日期", initial=timezone.localdate, widget=date_widget())
    findings = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 3}))
    signed = forms.TypedChoiceField(
        label="承诺授权书",
        choices=[("1", "农户已签署（上传扫描件）"), ("0", "农户拒绝签署")],
        coerce=lambda v: v == "1",
    )
    authorization_file = LimitedFileField(label="承诺授权书扫描件", required=False, size_only=True)


class EliminationVerifyForm(StyledForm):
    visited_on = forms.DateField(label="入户日期", initial=timezone.localdate, widget=date_widget())
    findings = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 3}))
    income_above_line = forms.BooleanField(label="人均纯收入稳定高于监测线", required=False)
    guarantees_secure = forms.BooleanField(label="“三保障”和饮水安全有保障", required=False)
    rigid_costs_resolved = forms.BooleanField(label="刚性支出问题已解决", required=False)
    measures_implemented = forms.BooleanField(label="帮扶措施已落实", required=False)
    signed = forms.BooleanField(label="核查结果已经监测户签字认可", required=False)


class VillageReviewForm(StyledForm):
    held_on = forms.DateField(label="研判/评议日期", initial=timezone.localdate, widget=date_widget())
    participants = forms.CharField(label="参加人员")
    approve = forms.TypedChoiceField(label="结论", choices=[("1", "同意"), ("0", "不同意")], coerce=lambda v: v == "1")
    category = forms.ChoiceField(label="监测对象类别", choices=[("", "—"), *c.CATEGORIES], required=False)
    risk_types = forms.MultipleChoiceField(
        label="致贫/返贫风险（1–5 项）", choices=c.RISK_TYPES, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublicityForm(StyledForm):
    start = forms.DateField(label="公示开始", widget=date_widget())
    end = forms.DateField(label="公示结束", widget=date_widget())
    photo = LimitedFileField(label="公示照片", required=False, size_only=True)
    note = forms.CharField(label="说明", required=False)


class ObjectionForm(StyledForm):
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))


class ResolveObjectionForm(StyledForm):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}))


MISSING_CONFIRMED_LABEL = "已逐项核对，缺少材料仍予通过"


class ReviewForm(StyledForm):
    """乡镇审核 / 县级审定: no conclusion is preselected, so nothing passes by default; a return needs its reason."""

    approve = forms.TypedChoiceField(
        label="结论",
        choices=[("", "请选择"), ("1", "通过"), ("0", "退回")],
        coerce=lambda v: v == "1",
        empty_value=None,
        error_messages={"required": "请选择结论"},
    )
    note = forms.CharField(label="意见（退回必填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    missing_confirmed = forms.BooleanField(label=MISSING_CONFIRMED_LABEL, required=False)

    def clean(self):
        data = super().clean()
        if data.get("approve") is False and not (data.get("note") or "").strip():
            self.add_error("note", "退回须填写原因")
        return data


class RejectForm(StyledForm):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}))


class ApplyEliminationForm(StyledForm):
    elimination_type = forms.ChoiceField(label="风险消除方式", choices=c.ELIMINATION_TYPES)
    delayed_exit_confirmed = forms.BooleanField(label="已确认缓退政策（低保/特困/残疾家庭）", required=False)
    note = forms.CharField(label="申请说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReverseForm(StyledForm):
    note = forms.CharField(label="返贫原因", widget=forms.Textarea(attrs={"rows": 2}))
    risk_types = forms.MultipleChoiceField(
        label="致贫/返贫风险", choices=c.RISK_TYPES, required=False, widget=forms.CheckboxSelectMultiple
    )


class AttachmentForm(StyledForm):
    kind = forms.ChoiceField(label="材料类型", choices=CaseAttachment.KINDS)
    file = LimitedFileField(label="文件", size_only=True)


class ScreenForm(StyledForm):
    year = forms.IntegerField(
        label="收入年度", min_value=2015, max_value=2100, initial=lambda: timezone.localdate().year - 1
    )


class MonitoringLineForm(ScopedModelForm):
    class Meta:
        model = MonitoringLine
        fields = ("region", "year", "amount", "document_no", "document_date")
        widgets = {"document_date": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")
        if self.user is not None and not self.user.is_superuser:
            self.fields["region"].required = True  # a province-wide row is for the operations account


class MonitoringSettingsForm(ScopedModelForm):
    class Meta:
        model = MonitoringSettings
        exclude = ("created_at", "updated_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")
        if self.user is not None and not self.user.is_superuser:
            self.fields["region"].required = True


# --- written notices ---------------------------------------------------------------------------------------------

NOTICE_FILE_TYPES = (".pdf", ".jpg", ".jpeg", ".png")


class NoticeDocumentForm(ScopedModelForm):
    """明白纸: the county admin uploads the county's document (a PDF or a picture)."""

    file = LimitedFileField(label="文件", size_only=True, help_text="PDF 文件或图片")

    class Meta:
        model = NoticeDocument
        fields = ("region", "title", "audience", "file", "issued_on", "active")
        widgets = {"issued_on": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")
        if self.instance.pk:
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        name = getattr(upload, "name", "") or ""
        if upload and not name.lower().endswith(NOTICE_FILE_TYPES):
            raise forms.ValidationError(f"文件“{name}”的类型不支持，请上传 PDF 文件或图片")
        return upload or self.instance.file


class DeliveryForm(StyledForm):
    """登记送达 of one notice to one household (the notice is chosen among those due for it)."""

    notice = forms.ChoiceField(label="文书")
    delivered_on = forms.DateField(label="送达日期", widget=date_widget(), initial=timezone.localdate)
    delivered_by = forms.CharField(label="送达人", max_length=50)
    recipient = forms.CharField(label="签收人", max_length=50, help_text="户主或家庭成员")
    way = forms.ChoiceField(label="送达方式", choices=NoticeDelivery.WAYS)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, notices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].choices = notices


class BatchForm(StyledForm):
    """登记整村发放: which 明白纸, when, by whom."""

    document = forms.ModelChoiceField(label="明白纸", queryset=NoticeDocument.objects.none())
    delivered_on = forms.DateField(label="发放日期", widget=date_widget(), initial=timezone.localdate)
    delivered_by = forms.CharField(label="发放人", max_length=50)
    way = forms.ChoiceField(label="送达方式", choices=NoticeDelivery.WAYS)

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents

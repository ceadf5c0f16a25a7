"""The forms of the task pages: a list, a task with its recipients, each step of an assignment."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from shoudi.accounts.models import User
from shoudi.core.forms import StyledForm, date_widget
from shoudi.core.scope import user_can
from shoudi.core.uploads import LimitedFileField
from shoudi.regions.models import Region

from . import choices as c
from .models import Assignment, TaskList

__all__ = ["GenerateForm", "ProgressForm", "ReviewForm", "StopForm", "SubmitForm", "TaskForm", "TaskListForm"]


def month_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class TaskListForm(StyledForm):
    title = forms.CharField(label="清单名称", max_length=200, help_text="例如：2026年10月巩固衔接工作清单")
    month = forms.DateField(
        label="所属月份（一月一清单）", widget=month_widget(), input_formats=["%Y-%m", "%Y-%m-%d"], required=False
    )
    document_no = forms.CharField(label="文件编号", max_length=60, required=False)
    description = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


@dataclass
class RecipientGroup:
    """A township of the recipient picker: its own box (for a county issuer) and its villages' boxes."""

    code: str
    name: str
    township: object = None
    villages: list = field(default_factory=list)


def unit_name(user) -> str:
    return user.get_department_display() if getattr(user, "department", "") else user.get_full_name()


class TaskForm(StyledForm):
    task_list = forms.ModelChoiceField(
        label="所属清单", queryset=TaskList.objects.none(), required=False, empty_label="（单项任务，不属于清单）"
    )
    title = forms.CharField(label="任务", max_length=200)
    description = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    result_kind = forms.ChoiceField(label="成果形式", choices=c.RESULT_CHOICES, initial=c.TEXT)
    result_description = forms.CharField(
        label="成果要求", max_length=300, required=False, help_text="例如：报送走访记录表；报送已走访户数"
    )
    focus = forms.BooleanField(label="本周重点（一周一重点）", required=False)
    regions = forms.ModelMultipleChoiceField(
        label="承办乡镇、村", queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.ModelMultipleChoiceField(
        label="本级承办单位（部门及其责任人）",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recurrence = forms.ChoiceField(label="重复", choices=c.RECURRENCE_CHOICES, required=False)
    due_date = forms.DateField(label="完成时限（日期，不重复的任务）", widget=date_widget(), required=False)
    due_workdays = forms.IntegerField(
        label="或：工作日数",
        min_value=1,
        max_value=3660,
        required=False,
        help_text="不重复：下发后几个工作日内；每周、每月：每期第几个工作日（按节假日和调休计算）",
    )
    due_weekday = forms.TypedChoiceField(
        label="每周完成日",
        choices=[("", "—"), *c.WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="默认周五；遇节假日顺延至下一个工作日",
    )
    due_monthday = forms.IntegerField(
        label="每月完成日（几日）", min_value=1, max_value=31, required=False, help_text="遇节假日顺延至下一个工作日"
    )
    starts_on = forms.DateField(label="重复开始日期（默认今天）", widget=date_widget(), required=False)
    ends_on = forms.DateField(label="重复结束日期", widget=date_widget(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        own = getattr(user, "region_id", None)
        self.fields["task_list"].queryset = TaskList.objects.restrict(user, "change").filter(issuer_region=own)
        below = Region.objects.restrict(user, "view").exclude(pk=own).exclude(level="county")
        self.fields["regions"].queryset = below.select_related("parent").order_by("code")
        colleagues = User.objects.filter(region=own, is_active=True).exclude(pk=user.pk).order_by("username")
        able = [u.pk for u in colleagues if user_can(u, Assignment, "change")]
        self.fields["units"].queryset = colleagues.filter(pk__in=able)
        self.fields["units"].label_from_instance = lambda u: f"{unit_name(u)}（{u.get_full_name()}）"

    def recipient_groups(self) -> list[RecipientGroup]:
        """The region boxes by township, for the picker (a county issuer may also tick a township itself)."""
        groups: dict[str, RecipientGroup] = {}
        for box in self["regions"]:
            region = box.data["value"].instance
            code = region.code[:9]
            group = groups.get(code)
            if group is None:
                name = region.name if region.level == "township" else (region.parent.name if region.parent else code)
                group = groups[code] = RecipientGroup(code, name)
            if region.level == "township":
                group.township = box
            else:
                group.villages.append(box)
        return list(groups.values())

    def clean(self):
        cleaned = super().clean()
        recurrence = cleaned.get("recurrence") or ""
        if not cleaned.get("regions") and not cleaned.get("units"):
            self.add_error("regions", "请选择承办的乡镇、村或本级单位")
        if not recurrence and not cleaned.get("due_date") and not cleaned.get("due_workdays"):
            self.add_error("due_date", "请填写完成时限，或下发后几个工作日内")
        if recurrence == c.MONTHLY and not cleaned.get("due_monthday") and not cleaned.get("due_workdays"):
            self.add_error("due_monthday", "每月重复的任务请填写每月完成日，或每月第几个工作日")
        return cleaned

    def service_arguments(self) -> dict:
        """What ``services.issue_task`` takes, from the cleaned form."""
        data = dict(self.cleaned_data)
        data["units"] = [(unit_name(person), person) for person in data.pop("units")]
        data["recurrence"] = data["recurrence"] or c.ONCE
        return data


class ProgressForm(StyledForm):
    text = forms.CharField(label="工作进展", widget=forms.Textarea(attrs={"rows": 3}))
    figure = forms.DecimalField(label="数字（如已完成户数）", max_digits=14, decimal_places=2, required=False)
    file = LimitedFileField(label="附件（照片或文件）", required=False, size_only=True)


class SubmitForm(StyledForm):
    text = forms.CharField(label="完成情况", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    figure = forms.DecimalField(label="报送数字", max_digits=14, decimal_places=2, required=False)
    file = LimitedFileField(label="成果文件", required=False, size_only=True)


class ReviewForm(StyledForm):
    text = forms.CharField(label="审核意见（退回时必填）", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class GenerateForm(StyledForm):
    which = forms.ChoiceField(label="生成", choices=[("current", "本期"), ("next", "下一期")], initial="current")


class StopForm(StyledForm):
    """停止重复: no field; the button says it."""

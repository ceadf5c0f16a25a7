"""The forms of 送教上门: enrolling a child (by his ID number), correcting the teacher and school, ending an
enrolment, recording a visit."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.core.idnumbers import parse_id_number
from shoudi.registry.models import Member

from .models import HomeTeaching

__all__ = ["EndForm", "EnrolForm", "HomeTeachingForm", "VisitForm"]


class EnrolForm(StyledForm):
    id_number = forms.CharField(label="儿童证件号码", max_length=30, help_text="本辖区家庭成员的身份证号")
    school = forms.CharField(label="学籍学校", max_length=100)
    teacher = forms.CharField(label="送教教师", max_length=50)
    teacher_phone = forms.CharField(label="教师电话", max_length=30, required=False)
    start_date = forms.DateField(label="开始送教日期", widget=date_widget(), initial=timezone.localdate)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.member = None

    def clean_id_number(self):
        try:
            number = parse_id_number(self.cleaned_data["id_number"])
        except ValueError as exc:
            raise forms.ValidationError(f"证件号码有误：{exc}") from None
        member = Member.objects.restrict(self.user, "view").filter(id_number=number).first()
        if member is None:
            raise forms.ValidationError("本辖区没有该证件号码的家庭成员")
        self.member = member
        return number


class HomeTeachingForm(ScopedModelForm):
    class Meta:
        model = HomeTeaching
        fields = ("school", "teacher", "teacher_phone", "note")


class EndForm(StyledForm):
    end_date = forms.DateField(label="结束日期", widget=date_widget(), initial=timezone.localdate)
    reason = forms.CharField(label="结束原因", max_length=100, help_text="如：入校就读、年满16周岁、迁出")


class VisitForm(StyledForm):
    taught_on = forms.DateField(label="送教日期", widget=date_widget(), initial=timezone.localdate)
    teacher = forms.CharField(label="送教教师", max_length=50, required=False, help_text="不填则为登记的送教教师")
    content = forms.CharField(label="送教内容", widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(label="课时", max_digits=4, decimal_places=1, min_value=0, required=False)

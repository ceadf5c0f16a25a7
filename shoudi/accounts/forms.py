from django import forms
from django.contrib.auth import password_validation

from shoudi.core.forms import ScopedModelForm

from .models import User


class UserForm(ScopedModelForm):
    password1 = forms.CharField(
        label="密码", widget=forms.PasswordInput, required=False, help_text="新建用户必填；修改时留空表示不改密码"
    )
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput, required=False)

    class Meta:
        model = User
        fields = ("username", "name", "role", "region", "department", "phone", "is_active")

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if not self.instance.pk and not p1:
            self.add_error("password1", "请设置密码")
        if p1 or p2:
            if p1 != p2:
                self.add_error("password2", "两次输入的密码不一致")
            else:
                try:
                    password_validation.validate_password(p1, self.instance)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user

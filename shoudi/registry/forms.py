from django import forms

from shoudi.core.forms import ScopedModelForm, date_widget
from shoudi.core.idnumbers import RESIDENT_ID, RESIDENT_ID_TYPES, IdNumberError, validate_id_number

from . import vocabularies as v
from .models import Household, IncomeRecord, Member, ResettlementSite, SiteInspection
from .pickers import pick_household


class VocabularyChoices:
    """Fields chosen from a code table: the table's values, and the stored value even if the table lacks it.

    An imported value the table does not know is kept as written (docs/adr/0009); editing the record must neither
    drop it silently nor refuse the form because of it.
    """

    vocabulary_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, vocabulary in self.vocabulary_fields.items():
            field = self.fields.get(name)
            if field is None:
                continue
            current = self.initial.get(name) or getattr(self.instance, name, "") or ""
            blank = None if field.required else "---------"
            self.fields[name] = forms.ChoiceField(
                label=field.label,
                required=field.required,
                help_text=field.help_text,
                choices=vocabulary.choices(current, blank=blank),
                widget=forms.Select(attrs={"class": "form-select"}),
            )


class HouseholdForm(VocabularyChoices, ScopedModelForm):
    vocabulary_fields = {"household_type": v.HOUSEHOLD_TYPE}

    class Meta:
        model = Household
        fields = (
            "household_no",
            "village",
            "group_name",
            "address",
            "phone",
            "household_type",
            "lifted_year",
            "relocated",
            "resettlement_site",
            "no_labour_guarantee",
            "housing_secure",
            "housing_checked_on",
            "water_secure",
            "water_checked_on",
            "education_secure",
            "education_checked_on",
            "insurance_secure",
            "insurance_checked_on",
        )
        widgets = {
            f: date_widget()
            for f in ("housing_checked_on", "water_checked_on", "education_checked_on", "insurance_checked_on")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = self.fields["village"].queryset.filter(level="village")
        # a household of one village may live in a site of another: the county's sites (their names only)
        county = self.user.region.code[:6] if self.user is not None and self.user.region_id else None
        sites = ResettlementSite.objects.order_by("name")
        if county:
            sites = sites.filter(county__code=county)
        elif not getattr(self.user, "is_superuser", False):
            sites = sites.none()
        self.fields["resettlement_site"].queryset = sites

    def clean(self):
        data = super().clean()
        if data.get("household_type") == "脱贫户" and not data.get("lifted_year"):
            self.add_error("lifted_year", "脱贫户请填写脱贫年度")
        return data


class MemberForm(VocabularyChoices, ScopedModelForm):
    vocabulary_fields = {
        "id_type": v.ID_TYPE,
        "relation": v.RELATION,
        "political_status": v.POLITICAL,
        "education": v.EDUCATION,
        "student_status": v.STUDENT_STATUS,
        "disability_category": v.DISABILITY_CATEGORY,
        "disability_grade": v.DISABILITY_GRADE,
        "labour_skill": v.LABOUR_SKILL,
        "dibao": v.DIBAO,
        "tekun": v.TEKUN,
    }

    class Meta:
        model = Member
        fields = (
            "household",
            "name",
            "id_type",
            "id_number",
            "relation",
            "ethnicity",
            "political_status",
            "education",
            "student_status",
            "out_of_school_reason",
            "health",
            "disability_category",
            "disability_grade",
            "labour_skill",
            "employed",
            "work_place",
            "work_months",
            "public_welfare_job",
            "phone",
            "resident_medical",
            "employee_medical",
            "critical_illness",
            "resident_pension",
            "employee_pension",
            "medical_aid",
            "dibao",
            "tekun",
            "status",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pick_household(self)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if self.cleaned_data.get("id_type", RESIDENT_ID) not in RESIDENT_ID_TYPES:
            return value.strip().upper()
        try:
            return validate_id_number(value)
        except IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        household, id_number = data.get("household"), data.get("id_number")
        if household and id_number:
            clash = Member.objects.filter(household=household, id_number=id_number).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("id_number", "该户已有相同证件号码的成员")
        if data.get("relation") == "户主" and household:
            other_head = household.members.filter(relation="户主", status="正常").exclude(pk=self.instance.pk)
            if other_head.exists():
                self.add_error("relation", "该户已有户主")
        return data


class IncomeRecordForm(ScopedModelForm):
    class Meta:
        model = IncomeRecord
        fields = (
            "household",
            "year",
            "wage",
            "business",
            "property_income",
            "transfer",
            "business_cost",
            "compliant_medical",
            "household_size",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pick_household(self)


class ResettlementSiteForm(ScopedModelForm):
    """A 易地扶贫搬迁安置点: the county and the community it lies in (inside the user's scope)."""

    class Meta:
        model = ResettlementSite
        fields = (
            "county",
            "name",
            "community",
            "address",
            "planned_households",
            "planned_persons",
            "leader_name",
            "leader_phone",
            "manager_name",
            "manager_phone",
            "note",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = self.fields["county"].queryset.filter(level="county")
        self.fields["community"].queryset = self.fields["community"].queryset.filter(level="village")


class SiteInspectionForm(forms.Form):
    """One quarterly 排查 of a site; each line of 发现的问题 becomes a problem to rectify (问题整改)."""

    year = forms.IntegerField(label="年度", min_value=2015, max_value=2100)
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, choices=SiteInspection._meta.get_field("quarter").choices
    )
    inspected_on = forms.DateField(label="排查日期", widget=date_widget())
    inspector = forms.CharField(label="排查人", max_length=100)
    findings = forms.CharField(label="排查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(
        label="需整改的问题",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个问题，将作为“专项排查”问题下发给安置点所在社区整改；没有可不填",
    )
    category = forms.ChoiceField(label="问题类别", choices=())
    due_workdays = forms.IntegerField(label="整改期限（工作日）", min_value=1, max_value=250, initial=20)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c, c) for c in categories]
        self.fields["category"].initial = "其他"
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        day, year, quarter = data.get("inspected_on"), data.get("year"), data.get("quarter")
        if day and year and quarter and (day.year, (day.month - 1) // 3 + 1) < (year, quarter):
            self.add_error("inspected_on", "排查日期不能早于所排查的季度")
        return data

    def problem_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("problems", "").splitlines() if line.strip()]

"""The registry: households (户), their members (家庭成员) and yearly incomes, as the national system keeps them."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse

from shoudi.core.dates import age_on
from shoudi.core.idnumbers import RESIDENT_ID, RESIDENT_ID_TYPES, birth_date_of, gender_of
from shoudi.core.models import ChangeLoggedModel
from shoudi.core.scope import RestrictedManager

from . import choices, vocabularies
from .pinyin import initials_of

__all__ = [
    "Household",
    "HouseholdImport",
    "ImportLayout",
    "IncomeRecord",
    "Member",
    "ResettlementSite",
    "SiteInspection",
    "compute_income",
]

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class ResettlementSite(ChangeLoggedModel):
    """A 易地扶贫搬迁安置点 (S000 附件1 三.5, S004 (十一)): where it lies, its size, its 挂点领导 and community manager.

    Its households link to it (``Household.resettlement_site``); their number and persons are counted from them.
    The name is unique within the county. Scoped by the community (village) it lies in, or by the county while
    that is not known (a site an import created from a name); ``region_code`` keeps the code the scope reads."""

    county = models.ForeignKey(
        "regions.Region",
        verbose_name="所属县",
        on_delete=models.PROTECT,
        related_name="resettlement_sites",
        limit_choices_to={"level": "county"},
    )
    name = models.CharField("安置点名称", max_length=100)
    community = models.ForeignKey(
        "regions.Region",
        verbose_name="所在社区（村）",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"level": "village"},
    )
    address = models.CharField("安置点地址", max_length=200, blank=True)
    planned_households = models.PositiveIntegerField("安置规模（户）", null=True, blank=True)
    planned_persons = models.PositiveIntegerField("安置规模（人）", null=True, blank=True)
    leader_name = models.CharField("挂点领导", max_length=50, blank=True)
    leader_phone = models.CharField("挂点领导电话", max_length=30, blank=True)
    manager_name = models.CharField("社区管理负责人", max_length=50, blank=True)
    manager_phone = models.CharField("社区管理负责人电话", max_length=30, blank=True)
    note = models.TextField("备注", blank=True)
    region_code = models.CharField("区划代码", max_length=12, editable=False, db_index=True)

    scope_code_field = "region_code"
    personal_fields = {"leader_phone": "phone", "manager_phone": "phone"}

    class Meta:
        verbose_name = verbose_name_plural = "易地扶贫搬迁安置点"
        ordering = ["region_code", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="resettlement_site_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:resettlementsite_detail", args=[self.pk])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.community_id and self.county_id and not self.community.code.startswith(self.county.code):
            raise ValidationError({"community": "所在社区（村）应在所属县内"})

    def save(self, *args, **kwargs):
        self.region_code = self.scope_code_of(self.county, self.community)
        super().save(*args, **kwargs)

    @staticmethod
    def scope_code_of(county, community) -> str:
        """The code the scope reads: the community's, else the county's."""
        return community.code if community is not None else county.code


class SiteInspection(ChangeLoggedModel):
    """A quarterly 排查 of a site (S004 (十一): 住房质量、基础设施、环境卫生、管理机构): who, when, what was found.

    The problems it finds are raised on work's one life cycle (问题整改, 销号) by ``sites.record_inspection``."""

    site = models.ForeignKey(
        ResettlementSite, verbose_name="安置点", on_delete=models.PROTECT, related_name="inspections"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField(
        "季度", choices=[(q, f"第{'一二三四'[q - 1]}季度") for q in (1, 2, 3, 4)]
    )
    inspected_on = models.DateField("排查日期")
    inspector = models.CharField("排查人", max_length=100)
    findings = models.TextField("排查发现", blank=True, help_text="没有发现问题可不填")

    scope_code_field = "site__region_code"

    class Meta:
        verbose_name = verbose_name_plural = "安置点排查"
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_quarter_display()}排查"

    def get_absolute_url(self) -> str:
        return reverse("registry:resettlementsite_detail", args=[self.site_id]) + f"#inspection-{self.pk}"

    def audit_parent(self):
        return self.site


class Household(ChangeLoggedModel):
    """A household (户), keyed by the national system's 户编号, living in one village."""

    household_no = models.CharField("户编号", max_length=30, unique=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name="行政村",
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": "village"},
    )
    group_name = models.CharField("村民小组", max_length=50, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    phone = models.CharField("户联系电话", max_length=30, blank=True)
    household_type = models.CharField("户类型", max_length=50)
    lifted_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    size = models.PositiveSmallIntegerField("家庭人口数", null=True, blank=True)
    relocated = models.BooleanField("是否易地扶贫搬迁户", default=False)
    resettlement_site = models.ForeignKey(
        "registry.ResettlementSite",
        verbose_name="安置区",
        on_delete=models.PROTECT,
        related_name="households",
        null=True,
        blank=True,
    )
    no_labour_guarantee = models.BooleanField("整户无劳动能力兜底保障户", default=False)
    housing_secure = models.BooleanField("住房安全", null=True, blank=True)
    housing_checked_on = models.DateField("住房安全核查日期", null=True, blank=True)
    water_secure = models.BooleanField("饮水安全", null=True, blank=True)
    water_checked_on = models.DateField("饮水安全核查日期", null=True, blank=True)
    education_secure = models.BooleanField("义务教育无失学辍学", null=True, blank=True)
    education_checked_on = models.DateField("义务教育核查日期", null=True, blank=True)
    insurance_secure = models.BooleanField("全员参加基本医疗保险", null=True, blank=True)
    insurance_checked_on = models.DateField("参保核查日期", null=True, blank=True)
    national_data = models.JSONField(
        "国家系统监测与帮扶信息",
        default=dict,
        blank=True,
        help_text="导入时国家系统导出文件中的监测对象、帮扶措施等列，供监测模块使用",
    )

    scope_code_field = "village__code"
    personal_fields = {"phone": "phone", "national_data": "mapping"}

    class Meta:
        verbose_name = verbose_name_plural = "农户"
        ordering = ["village__code", "household_no"]

    def __str__(self) -> str:
        # the change log's name for the household (the bulk writers build the same text in SQL); pages use ``label``
        head = self.head
        return f"{head.name if head else ''}户（{self.household_no}）" if head else f"户 {self.household_no}"

    @property
    def head_label(self) -> str:
        """The head's name (a list's ``head_name`` annotation when it has one), or 无户主."""
        if "head_name" in self.__dict__:
            return self.__dict__["head_name"] or "无户主"
        head = self.head
        return head.name if head else "无户主"

    @property
    def short_no(self) -> str:
        """户编号 within the village: the national 17-digit number without its 12-digit village code."""
        village_code = self.village.code if self.village_id else ""
        number = self.household_no
        if village_code and number.startswith(village_code) and len(number) > len(village_code):
            return number[len(village_code) :]
        return number

    @property
    def label(self) -> str:
        """How every page names a household: 户主姓名 · 村 · short 户编号 ("王建国 · 高南村 · 00017")."""
        village = self.village.name if self.village_id else ""
        return " · ".join(part for part in (self.head_label, village, self.short_no) if part)

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.pk])

    @property
    def head(self) -> Member | None:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("members")
        members = cached if cached is not None else self.members.filter(relation="户主")
        return next((m for m in members if m.relation == "户主"), None)

    def current_size(self) -> int:
        return self.members.filter(status="正常").count()


class Member(ChangeLoggedModel):
    """A member of a household (家庭成员), keyed by 证件号码 within the household."""

    # no index of its own: the unique (household, id_number) index serves lookups by household
    household = models.ForeignKey(
        Household, verbose_name="所属农户", on_delete=models.PROTECT, related_name="members", db_index=False
    )
    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("姓名拼音首字母", max_length=20, blank=True, editable=False, db_index=True)
    id_type = models.CharField("证件类型", max_length=50, default=RESIDENT_ID)
    id_number = models.CharField("证件号码", max_length=18, db_index=True)
    gender = models.CharField("性别", max_length=50, blank=True, editable=False)
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False)
    relation = models.CharField("与户主关系", max_length=50)
    ethnicity = models.CharField("民族", max_length=50, blank=True)
    political_status = models.CharField("政治面貌", max_length=50, blank=True)
    education = models.CharField("文化程度", max_length=50, blank=True)
    student_status = models.CharField("在校生状况", max_length=50, blank=True)
    out_of_school_reason = models.CharField("义务教育阶段未上学原因", max_length=50, blank=True)
    health = models.CharField("健康状况", max_length=50, blank=True, help_text="可多选，用逗号分隔")
    disability_category = models.CharField("残疾类别", max_length=50, blank=True)
    disability_grade = models.CharField("残疾等级", max_length=50, blank=True)
    labour_skill = models.CharField("劳动技能", max_length=50, blank=True)
    employed = models.BooleanField("是否已务工", null=True, blank=True)
    work_place = models.CharField("务工所在地", max_length=100, blank=True)
    work_months = models.PositiveSmallIntegerField("务工时间（月）", null=True, blank=True)
    public_welfare_job = models.CharField("公益性岗位", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    resident_medical = models.BooleanField("参加城乡居民基本医疗保险", null=True, blank=True)
    employee_medical = models.BooleanField("参加城镇职工基本医疗保险", null=True, blank=True)
    critical_illness = models.BooleanField("参加大病保险", null=True, blank=True)
    resident_pension = models.BooleanField("参加城乡居民基本养老保险", null=True, blank=True)
    employee_pension = models.BooleanField("参加城镇职工基本养老保险", null=True, blank=True)
    medical_aid = models.BooleanField("接受医疗救助", null=True, blank=True)
    dibao = models.CharField("享受低保政策情况", max_length=50, blank=True)
    tekun = models.CharField("享受特困供养政策情况", max_length=50, blank=True)
    status = models.CharField("状态", max_length=4, choices=choices.MEMBER_STATUS, default="正常")
    extra = models.JSONField("其他信息", default=dict, blank=True, help_text="导入文件中系统不识别的列")

    scope_code_field = "household__village__code"
    # the birth date is digits 7–14 of the ID number a masked ID hides: masked with it (to its year)
    personal_fields = {"id_number": "id_number", "phone": "phone", "birth_date": "birth_date", "extra": "mapping"}

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "id_number"], name="member_unique_id_in_household"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id]) + f"#member-{self.pk}"

    def audit_parent(self):
        return self.household

    def save(self, *args, **kwargs):
        self.derive_from_id()
        super().save(*args, **kwargs)

    def derive_from_id(self) -> None:
        """Gender and birth date come from the ID number, never typed in; pinyin initials from the name."""
        self.name_initials = initials_of(self.name)
        if self.id_type in RESIDENT_ID_TYPES or len(self.id_number) == 18:
            self.gender = gender_of(self.id_number) or self.gender
            self.birth_date = birth_date_of(self.id_number) or self.birth_date

    @property
    def has_labour(self) -> bool:
        return bool(self.labour_skill) and self.labour_skill not in choices.NO_LABOUR

    def age_on(self, day) -> int | None:
        return age_on(self.birth_date, day)

    @property
    def disability_text(self) -> str:
        """残疾类别 and 等级 by their standard names ("肢体二级"); a value the code table lacks as written."""
        if not self.disability_category:
            return ""
        category = vocabularies.DISABILITY_CATEGORY.name_of(self.disability_category)
        return category + vocabularies.DISABILITY_GRADE.name_of(self.disability_grade)


def compute_income(*, wage, business, property_, transfer, business_cost, size) -> tuple[Decimal, Decimal]:
    """家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出; 人均 = 家庭纯收入 ÷ 家庭人口 (DOMAIN §3)."""
    net = Decimal(wage) + Decimal(business) + Decimal(property_) + Decimal(transfer) - Decimal(business_cost)
    per_capita = (net / size).quantize(Decimal("0.01")) if size else Decimal("0.00")
    return net.quantize(Decimal("0.01")), per_capita


class IncomeRecord(ChangeLoggedModel):
    """A household's income of one year, with 家庭纯收入 and 人均纯收入 computed by the DOMAIN §3 formula."""

    # no index of its own: the unique (household, year) index serves lookups by household
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="incomes", db_index=False
    )
    year = models.PositiveSmallIntegerField("年度")
    wage = models.DecimalField("工资性收入", **MONEY)
    business = models.DecimalField("生产经营性收入", **MONEY)
    property_income = models.DecimalField("财产性收入", **MONEY)
    transfer = models.DecimalField("转移性收入", **MONEY)
    business_cost = models.DecimalField("生产经营性支出", **MONEY)
    compliant_medical = models.DecimalField("合规自付支出", **MONEY)
    household_size = models.PositiveSmallIntegerField("计算人口数")
    net_income = models.DecimalField("家庭纯收入", max_digits=12, decimal_places=2, editable=False, default=0)
    per_capita = models.DecimalField("人均纯收入", max_digits=12, decimal_places=2, editable=False, default=0)

    scope_code_field = "household__village__code"
    personal_fields = {}

    class Meta:
        verbose_name = verbose_name_plural = "收入记录"
        ordering = ["household_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_unique_year")]
        indexes = [models.Index(fields=["year", "per_capita"])]

    def __str__(self) -> str:
        return f"{self.year} 年收入"

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id]) + "#incomes"

    def audit_parent(self):
        return self.household

    def compute(self) -> None:
        self.net_income, self.per_capita = compute_income(
            wage=self.wage,
            business=self.business,
            property_=self.property_income,
            transfer=self.transfer,
            business_cost=self.business_cost,
            size=self.household_size,
        )

    def save(self, *args, **kwargs):
        self.compute()
        super().save(*args, **kwargs)


def import_path(instance, filename: str) -> str:
    return f"imports/households/{instance.token}/{filename}"


class HouseholdImport(models.Model):
    """One upload of the national export: previewed by a job, then committed (or not) by the user who sent it."""

    PREVIEWING, PREVIEWED, COMMITTING = "previewing", "previewed", "committing"
    COMMITTED, FAILED = "committed", "failed"
    STATUS_CHOICES = [
        (PREVIEWING, "检查中"),
        (PREVIEWED, "待确认"),
        (COMMITTING, "导入中"),
        (COMMITTED, "已导入"),
        (FAILED, "失败"),
    ]

    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField("文件", upload_to=import_path)
    file_name = models.CharField("文件名", max_length=200)
    user = models.ForeignKey("accounts.User", verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区划代码", max_length=12, db_index=True)
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default=PREVIEWING)
    income_year = models.PositiveSmallIntegerField("收入年度", null=True, blank=True)
    create_regions = models.BooleanField("新建缺少的乡镇/村", default=False)
    preview = models.JSONField("检查结果", default=dict, blank=True)
    result = models.JSONField("导入结果", default=dict, blank=True)
    preview_job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    commit_job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    # what the steps after the commit (core registry: post_import_steps) work on, and those already done: a retry
    # (the steps job) runs only the others, without importing again
    household_ids = models.JSONField("导入涉及的农户", default=list, blank=True, editable=False)
    steps_done = models.JSONField("已完成的后续步骤", default=list, blank=True, editable=False)
    steps_job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    scope_code_field = "region_code"
    objects = RestrictedManager()

    class Meta:
        verbose_name = verbose_name_plural = "农户信息导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("registry:import_detail", args=[self.pk])


class ImportLayout(models.Model):
    """The columns of one committed household import, as its file had them: what the county's export writes.

    ``columns`` lists ``[header, target]`` in the file's order, the header exactly as written (县 or 县(市、区、旗))
    and the target a ``national.Column.target``, or "" for a column Shoudi does not know (its cells are kept in
    the member's ``extra`` under the header). One row per county the file's households are in; the newest is the
    county's layout (``latest_for``). Written by the web import and the command line alike.
    """

    county_code = models.CharField("县级区划代码", max_length=12)
    columns = models.JSONField("列", default=list)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    household_import = models.ForeignKey(
        HouseholdImport, verbose_name="导入", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入文件的列"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["county_code", "-created_at"], name="registry_layout_county")]

    def __str__(self) -> str:
        return f"{self.county_code} {self.file_name}"

    @classmethod
    def latest_for(cls, region_code: str) -> ImportLayout | None:
        """The layout of the file the region's county imported last, or None when it never imported one."""
        return cls.objects.filter(county_code=region_code[:6]).order_by("-created_at", "-pk").first()

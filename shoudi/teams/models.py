"""驻村工作队: the 后盾单位, one team per village and its members (with their history), the settings of the rules, and
what the team records: check-ins, leave and 公出, work logs, meetings, the units' visits and funds, assessments and
training."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel
from shoudi.regions.settings import RegionSettings

from . import choices as c

__all__ = [
    "Absence",
    "CheckIn",
    "Evaluation",
    "Meeting",
    "SupportUnit",
    "Team",
    "TeamMember",
    "TeamSettings",
    "Training",
    "UnitFund",
    "UnitVisit",
    "WorkLog",
    "WorkLogPhoto",
]

MEMBER_CODE = "member__team__village__code"


class SupportUnit(ChangeLoggedModel):
    """A 后盾单位 (派出单位): the unit that sends the team's members and supports its village, with its leaders."""

    name = models.CharField("单位名称", max_length=100)
    level = models.CharField("单位层级", max_length=4, choices=c.UNIT_LEVELS, default="县")
    main_leader = models.CharField("主要领导", max_length=50, blank=True)
    deputy_leader = models.CharField("分管领导", max_length=50, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属县", on_delete=models.PROTECT, related_name="support_units"
    )

    scope_code_field = "region__code"
    scope_read_ancestors = True  # a township or village user reads the units of his county
    personal_fields = {"phone": "phone"}

    class Meta:
        verbose_name = verbose_name_plural = "后盾单位"
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="support_unit_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:supportunit_detail", args=[self.pk])


class Team(ChangeLoggedModel):
    """The 驻村工作队 of one village, supported by its 后盾单位; the place it stays (村部) is where check-ins are
    compared with."""

    village = models.OneToOneField(
        "regions.Region", verbose_name="驻村", on_delete=models.PROTECT, related_name="stationed_team"
    )
    unit = models.ForeignKey(SupportUnit, verbose_name="后盾单位", on_delete=models.PROTECT, related_name="teams")
    formed_on = models.DateField("组建日期", default=timezone.localdate)
    address = models.CharField("驻村地点", max_length=100, blank=True, help_text="如：村委会、村部")
    latitude = models.DecimalField("驻村地点纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("驻村地点经度", max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.TextField("备注", blank=True)

    scope_code_field = "village__code"

    class Meta:
        verbose_name = verbose_name_plural = "驻村工作队"
        ordering = ["village__code"]

    def __str__(self) -> str:
        return f"{self.village.name}驻村工作队"

    def get_absolute_url(self) -> str:
        return reverse("teams:team_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.village_id and self.village.level != "village":
            raise ValidationError({"village": "驻村工作队应驻在行政村"})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "请同时填写纬度和经度"})

    @property
    def has_site(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class TeamMember(ChangeLoggedModel):
    """One member's assignment to a team (第一书记, 队长 or 队员): a new assignment is a new row, so the history of
    who served where stays. A current assignment has no ``end_date``. The member may log in (``user``) and may also
    be a pairing cadre (``cadre``): his visits are then the cadre's visits, counted once."""

    team = models.ForeignKey(Team, verbose_name="工作队", on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("队内职务", max_length=4, choices=c.POSTS, default=c.MEMBER)
    unit = models.ForeignKey(SupportUnit, verbose_name="派出单位", on_delete=models.PROTECT, related_name="members")
    position = models.CharField("单位职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    start_date = models.DateField("驻村开始日期", default=timezone.localdate)
    end_date = models.DateField("驻村结束日期", null=True, blank=True)
    term_years = models.PositiveSmallIntegerField("任期（年）", default=2)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_assignments",
    )
    cadre = models.ForeignKey(
        "assistance.Cadre",
        verbose_name="兼任结对帮扶干部",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_assignments",
    )

    scope_code_field = "team__village__code"
    personal_fields = {"phone": "phone", "id_number": "id_number"}

    class Meta:
        verbose_name = verbose_name_plural = "驻村工作队员"
        ordering = ["team__village__code", "post", "start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(end_date__isnull=True, user__isnull=False),
                name="team_member_one_current_per_user",
                violation_error_message="该登录账号已是另一支工作队的在岗队员",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_post_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("teams:teammember_detail", args=[self.pk])

    def audit_parent(self):
        return self.team

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    @property
    def term_ends_on(self) -> datetime.date:
        start = self.start_date
        try:
            return start.replace(year=start.year + self.term_years)
        except ValueError:  # 29 February
            return start.replace(year=start.year + self.term_years, day=28)


class TeamSettings(RegionSettings):
    """The rules of S004 (一) and county practice as configuration: days in the village, the weekly 住四晚干五天, who
    approves leave of which length, when a check-in is doubtful, and when the units' funds are due."""

    min_days = models.PositiveSmallIntegerField("每月驻村不少于（天）", default=20)
    week_days = models.PositiveSmallIntegerField("每周在村工作（天）", default=5)
    week_nights = models.PositiveSmallIntegerField("每周在村住宿（晚）", default=4)
    township_leave_days = models.PositiveSmallIntegerField(
        "乡镇可批准的请假天数（含）", default=5, help_text="更长的请假由县委组织部审批"
    )
    far_metres = models.PositiveIntegerField("签到距驻村地点超过（米）即存疑", default=3000)
    max_speed_kmh = models.PositiveSmallIntegerField("两次签到间折合时速超过（公里/时）即存疑", default=120)
    night_from_hour = models.PositiveSmallIntegerField("晚间签到起始时刻（时）", default=19)
    night_until_hour = models.PositiveSmallIntegerField("凌晨签到截止时刻（时）", default=6)
    fund_due_month = models.PositiveSmallIntegerField("后盾单位帮扶资金拨付截止（月）", default=8)
    fund_due_day = models.PositiveSmallIntegerField("后盾单位帮扶资金拨付截止（日）", default=31)

    class Meta(RegionSettings.Meta):
        verbose_name = verbose_name_plural = "驻村管理参数"

    def clean(self) -> None:
        super().clean()
        if not 0 <= self.night_until_hour < self.night_from_hour <= 23:
            raise ValidationError({"night_from_hour": "晚间签到起始时刻应晚于凌晨截止时刻，且在 0–23 时之间"})
        try:
            datetime.date(2025, self.fund_due_month, self.fund_due_day)
        except ValueError:
            raise ValidationError({"fund_due_day": "拨付截止日期不存在"}) from None

    def fund_due(self, year: int) -> datetime.date:
        return datetime.date(year, self.fund_due_month, self.fund_due_day)


def checkin_photo_path(instance, filename: str) -> str:
    return f"teams/checkins/{instance.member_id}/{filename}"


class CheckIn(ChangeLoggedModel):
    """签到: the member was in the village on ``day`` — a tap on his phone at the server's time ``at``, with the
    position the phone gave (evidence: a position far from the village, or too far from the last one for the time
    between, is flagged, never silently trusted), or a manager's 补录 with its reason. A check-in in the evening or
    early morning also proves a night spent in the village (``night_of``: the evening's date)."""

    member = models.ForeignKey(TeamMember, verbose_name="队员", on_delete=models.PROTECT, related_name="checkins")
    kind = models.CharField("方式", max_length=2, choices=c.CHECKIN_KINDS, default=c.PHONE)
    day = models.DateField("在村日期")
    at = models.DateTimeField("登记时间", default=timezone.now)
    night_of = models.DateField(
        "在村住宿（当晚）", null=True, blank=True, help_text="晚间或凌晨的签到证明了哪一晚住在村里"
    )
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy = models.PositiveIntegerField("定位精度（米）", null=True, blank=True)
    distance = models.PositiveIntegerField("距驻村地点（米）", null=True, blank=True)
    flagged = models.BooleanField("存疑", default=False)
    flag_note = models.CharField("存疑原因", max_length=300, blank=True)
    photo = models.FileField("现场照片", upload_to=checkin_photo_path, blank=True)
    reason = models.CharField("补录原因", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "签到记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "day"], name="checkin_member_day")]

    def __str__(self) -> str:
        return f"{self.member.name} {self.day:%Y-%m-%d} {self.get_kind_display()}"

    def audit_parent(self):
        return self.member

    def get_absolute_url(self) -> str:
        return reverse("teams:teammember_detail", args=[self.member_id]) + "#attendance"


class Absence(ChangeLoggedModel):
    """请假 (approved by length: the township up to N days, the county's 组织部 beyond) or 公出 (a meeting or
    training reported before it starts: those days count as in the village). ``days`` are calendar days."""

    member = models.ForeignKey(TeamMember, verbose_name="队员", on_delete=models.PROTECT, related_name="absences")
    category = models.CharField("类别", max_length=2, choices=c.CATEGORIES, default=c.LEAVE)
    kind = models.CharField("事由类型", max_length=4)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    days = models.PositiveSmallIntegerField("天数")
    reason = models.CharField("事由", max_length=300)
    destination = models.CharField("去向", max_length=100, blank=True)
    state = models.CharField("状态", max_length=20, choices=c.ABSENCE_STATES)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    township_by = models.CharField("乡镇审批人", max_length=50, blank=True)
    township_at = models.DateTimeField("乡镇审批时间", null=True, blank=True)
    township_opinion = models.CharField("乡镇意见", max_length=300, blank=True)
    county_by = models.CharField("县委组织部审批人", max_length=50, blank=True)
    county_at = models.DateTimeField("县委组织部审批时间", null=True, blank=True)
    county_opinion = models.CharField("县委组织部意见", max_length=300, blank=True)
    returned_on = models.DateField("销假日期", null=True, blank=True, help_text="回到村里的日期")

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "请假与公出"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["member", "start_date"], name="absence_member_start")]

    def __str__(self) -> str:
        return f"{self.member.name} {self.kind}{self.days}天（{self.start_date:%m-%d}起）"

    def audit_parent(self):
        return self.member

    def get_absolute_url(self) -> str:
        return reverse("teams:absence_detail", args=[self.pk])

    @property
    def is_leave(self) -> bool:
        return self.category == c.LEAVE

    @property
    def last_day_away(self) -> datetime.date:
        """The last day the absence covers: the end, or the day before an earlier 销假."""
        if self.returned_on is not None:
            return min(self.end_date, self.returned_on - datetime.timedelta(days=1))
        return self.end_date


def log_photo_path(instance, filename: str) -> str:
    return f"teams/logs/{instance.log_id}/{filename}"


class WorkLog(ChangeLoggedModel):
    """驻村工作日志: one member's entry for one day — the work done, the problems found, the plan for next — with the
    households it concerns and the visits it records."""

    member = models.ForeignKey(TeamMember, verbose_name="队员", on_delete=models.PROTECT, related_name="logs")
    day = models.DateField("日期", default=timezone.localdate)
    work_done = models.TextField("当日工作")
    problems = models.TextField("发现的问题", blank=True)
    next_plan = models.TextField("下步计划", blank=True)
    households = models.ManyToManyField("registry.Household", verbose_name="涉及农户", blank=True, related_name="+")
    visits = models.ManyToManyField("assistance.Visit", verbose_name="关联走访", blank=True, related_name="+")

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "驻村工作日志"
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "day"], name="worklog_one_per_day", violation_error_message="该日已有工作日志"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.day:%Y-%m-%d} 工作日志"

    def audit_parent(self):
        return self.member

    def get_absolute_url(self) -> str:
        return reverse("teams:worklog_detail", args=[self.pk])


class WorkLogPhoto(models.Model):
    log = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=log_photo_path)

    class Meta:
        verbose_name = verbose_name_plural = "工作日志照片"

    def __str__(self) -> str:
        return self.image.name


class Meeting(ChangeLoggedModel):
    """A team's 周例会 (or 党课, 领学, the 包村领导's check) in its village, or the township's monthly 讲评 of its
    teams (``region`` is then the township)."""

    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=c.MEETING_KINDS, default=c.WEEKLY_MEETING)
    held_on = models.DateField("日期", default=timezone.localdate)
    host = models.CharField("主持人", max_length=50)
    attendees = models.CharField("参加人员", max_length=300, blank=True)
    content = models.TextField("内容")
    decisions = models.TextField("议定事项 / 讲评意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "会议与讲评"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.region.name}{self.get_kind_display()}（{self.held_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("teams:meeting_list") + f"?area={self.region.code}"


class UnitVisit(ChangeLoggedModel):
    """A 后盾单位 leader's visit to the village (主要/分管领导, each quarter) and the 谈心谈话 held with the team."""

    team = models.ForeignKey(Team, verbose_name="工作队", on_delete=models.PROTECT, related_name="unit_visits")
    unit = models.ForeignKey(SupportUnit, verbose_name="后盾单位", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("到村日期", default=timezone.localdate)
    leader = models.CharField("领导姓名", max_length=50)
    leader_post = models.CharField("领导类别", max_length=4, choices=c.LEADER_POSTS)
    talk_held = models.BooleanField("开展谈心谈话", default=True)
    content = models.TextField("指导内容")

    scope_code_field = "team__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "后盾单位到村指导"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.leader}到村（{self.visited_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("teams:unitvisit_list")


class UnitFund(ChangeLoggedModel):
    """The 后盾单位's 帮扶资金 for the year, paid to the village (due by the configured date, S004: end of August)."""

    team = models.ForeignKey(Team, verbose_name="工作队", on_delete=models.PROTECT, related_name="funds")
    unit = models.ForeignKey(SupportUnit, verbose_name="后盾单位", on_delete=models.PROTECT, related_name="funds")
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    purpose = models.CharField("用途", max_length=200, blank=True)

    scope_code_field = "team__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "后盾单位帮扶资金"
        ordering = ["-year", "team__village__code"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}年帮扶资金"

    def get_absolute_url(self) -> str:
        return reverse("teams:unitfund_list")


class Evaluation(ChangeLoggedModel):
    """年度考核 or 期满考核 of a member, with its grade (the result goes back to his unit)."""

    member = models.ForeignKey(TeamMember, verbose_name="队员", on_delete=models.PROTECT, related_name="evaluations")
    kind = models.CharField("考核类型", max_length=4, choices=c.ASSESSMENT_KINDS)
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("等次", max_length=4, choices=c.ASSESSMENT_GRADES)
    evaluated_on = models.DateField("考核日期", default=timezone.localdate)
    note = models.TextField("考核意见", blank=True)

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "驻村考核"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "year"],
                name="evaluation_one_per_year",
                violation_error_message="该队员该年度已有此类考核",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.year}年{self.kind}：{self.grade}"

    def audit_parent(self):
        return self.member

    def get_absolute_url(self) -> str:
        return reverse("teams:teammember_detail", args=[self.member_id])


class Training(ChangeLoggedModel):
    """A training a member attended (each needs at least one at county level or above, S001 48)."""

    member = models.ForeignKey(TeamMember, verbose_name="队员", on_delete=models.PROTECT, related_name="trainings")
    title = models.CharField("培训名称", max_length=100)
    level = models.CharField("培训层级", max_length=4, choices=c.TRAINING_LEVELS, default="县级")
    organizer = models.CharField("主办单位", max_length=100, blank=True)
    start_date = models.DateField("开始日期")
    days = models.PositiveSmallIntegerField("天数", default=1)

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "驻村干部培训"
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.member.name}：{self.title}"

    def audit_parent(self):
        return self.member

    def get_absolute_url(self) -> str:
        return reverse("teams:teammember_detail", args=[self.member_id])

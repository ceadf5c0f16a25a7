"""The standard ledgers: the items of S000 附件1/2 (乡镇、村级内业资料清单) that Shoudi's data supports.

Each is a ``LedgerDefinition`` registered with the engine, in the order the centre lists them. Rows are ordered by
codes and ids only (never by Chinese text or nullable dates, which SQLite and PostgreSQL sort differently), so a
ledger comes out the same on both databases.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery

from shoudi.assistance import choices as ac
from shoudi.assistance.models import GuaranteeProblem, Measure, Pairing, Visit
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.policy import lines_by_county, settings_for
from shoudi.registry import choices as rc
from shoudi.registry.models import Household, IncomeRecord, Member

from .engine import SEQ, Column, Filter, LedgerContext, LedgerDefinition, Lookup, Param, register

__all__ = ["NOT_IN_SCHOOL", "age_on", "years_before"]

H = "household__"
NOT_IN_SCHOOL = ("", "学龄前儿童", "学前教育")  # 在校生状况 of a child who attends no compulsory or higher grade
VOCATIONAL = tuple(v for v, _ in rc.STUDENT_STATUS if v.startswith(("中职", "高职高专", "技师学院")))
DIBAO = ("农村低保", "城市低保")
TEKUN = ("农村特困", "城市特困")
MEASURE_ORDER = {category: i for i, category in enumerate(ac.MEASURE_CATEGORIES)}
NOTHING = Q(pk__in=[])


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    """Full years of age on ``day`` (周岁)."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- lookups: one query each over the ledger's households --------------------

def _heads(ctx: LedgerContext, ids) -> dict:
    """户主 of each household: (name, ID number); a head still registered wins over one who died or moved out."""
    heads = {}
    rows = Member.objects.filter(household_id__in=ids, relation="户主").order_by("household_id", "id")
    for hid, name, id_number, status in rows.values_list("household_id", "name", "id_number", "status"):
        if hid not in heads or status == "正常":
            heads[hid] = (name, id_number)
    return heads


def _cases(ctx: LedgerContext, ids) -> dict:
    """The latest identified case of each household: (category, risk eliminated?)."""
    rows = (MonitoringCase.objects.filter(household_id__in=ids, identified_on__isnull=False)
            .order_by("household_id", "identified_on", "id").values_list("household_id", "category", "step"))
    return {hid: (category, step == mc.ELIMINATED) for hid, category, step in rows}


def _cadres(ctx: LedgerContext, ids) -> dict:
    """The current 帮扶干部 of each household: (name, unit, position, phone)."""
    rows = Pairing.objects.filter(household_id__in=ids, end_date__isnull=True).order_by("household_id", "id")
    return {hid: rest for hid, *rest in rows.values_list("household_id", "cadre__name", "cadre__unit",
                                                          "cadre__position", "cadre__phone")}


def _measures(category: str | None = None):
    """Measures not ended, per household: "产业帮扶（种植业、养殖业）；…", or for one category "危房改造（已落实）"."""

    def fetch(ctx: LedgerContext, ids) -> dict:
        qs = Measure.objects.filter(household_id__in=ids).exclude(status="终止")
        if category:
            qs = qs.filter(category=category)
        found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for hid, cat, item, status in qs.order_by("household_id", "id").values_list(
                "household_id", "category", "sub_item", "status"):
            text = f"{item}（{status}）" if category else item
            if text not in found[hid][cat]:
                found[hid][cat].append(text)
        result = {}
        for hid, by_category in found.items():
            ordered = sorted(by_category.items(), key=lambda kv: MEASURE_ORDER.get(kv[0], 99))
            if category:
                result[hid] = "、".join(text for _, items in ordered for text in items)
            else:
                result[hid] = "；".join(f"{cat}（{'、'.join(items)}）" for cat, items in ordered)
        return result

    return fetch


def _problems(kind: str):
    """Open guarantee problems of one kind, per household: "2025-03-01 房屋漏雨；…"."""

    def fetch(ctx: LedgerContext, ids) -> dict:
        found: dict[int, list[str]] = defaultdict(list)
        rows = GuaranteeProblem.objects.filter(household_id__in=ids, kind=kind, resolved_on__isnull=True)
        for hid, description, opened_on in rows.order_by("household_id", "opened_on", "id").values_list(
                "household_id", "description", "opened_on"):
            found[hid].append(f"{opened_on:%Y-%m-%d} {description or kind}")
        return {hid: "；".join(items) for hid, items in found.items()}

    return fetch


def _last_visits(ctx: LedgerContext, ids) -> dict:
    rows = Visit.objects.filter(household_id__in=ids).order_by().values("household_id").annotate(last=Max("visited_on"))
    return {row["household_id"]: row["last"] for row in rows}


def _students(ctx: LedgerContext, ids) -> dict:
    """Members in 中职/高职/技师学院 (those 雨露计划 supports): "张三（中职二年级）、…"."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Member.objects.filter(household_id__in=ids, status="正常", student_status__in=VOCATIONAL)
    for hid, name, status in rows.order_by("household_id", "id").values_list("household_id", "name", "student_status"):
        found[hid].append(f"{name}（{status}）")
    return {hid: "、".join(items) for hid, items in found.items()}


def _employed(ctx: LedgerContext, ids) -> dict:
    rows = (Member.objects.filter(household_id__in=ids, status="正常", employed=True).order_by()
            .values("household_id").annotate(n=Count("id")))
    return {row["household_id"]: row["n"] for row in rows}


HEAD = Lookup("registry.member", _heads)
CASE = Lookup("monitoring.monitoringcase", _cases)
CADRE = Lookup("assistance.pairing", _cadres)
MEASURES = Lookup("assistance.measure", _measures())
LAST_VISIT = Lookup("assistance.visit", _last_visits)


# --- columns used by several ledgers --------------------

def _part(lookup: str, index: int):
    def get(row, ctx):
        value = row[lookup]
        return value[index] if value is not None else None

    return get


def _value(lookup: str):
    def get(row, ctx):
        return row[lookup]

    return get


def _case_label(row, ctx):
    case = row["case"]
    if case is None:
        return None
    category, eliminated = case
    return f"{category}（已消除）" if eliminated else category


def _age(row, ctx):
    return age_on(row["birth_date"], ctx.params.get("reference") or ctx.today)


def _disability(row, ctx):
    value = row["disability_category"]
    return dict(rc.DISABILITY_CATEGORIES).get(value, value) or None


def _disability_grade(row, ctx):
    value = row["disability_grade"]
    return dict(rc.DISABILITY_GRADES).get(value, value) or None


def seq() -> Column:
    return Column("seq", "序号", SEQ, kind="int", width=6)


def place(h: str = H, *, group: bool = True) -> list[Column]:
    columns = [Column("township", "乡镇", f"{h}village__parent__name", width=10),
               Column("village", "行政村", f"{h}village__name", width=10)]
    if group:
        columns.append(Column("group_name", "村民小组", f"{h}group_name", width=9))
    return columns


def household_columns(h: str = H, *, phone: bool = True, size: bool = True, kind: bool = True) -> list[Column]:
    return [
        Column("household_no", "户编号", f"{h}household_no", kind="code"),
        Column("household_type", "户类型", f"{h}household_type", width=9, default=kind),
        Column("size", "家庭人口数", f"{h}size", kind="int", width=7, default=size),
        Column("household_phone", "户联系电话", f"{h}phone", kind="phone", mask_model="registry.household",
               default=phone),
        Column("address", "家庭住址", f"{h}address", width=24, default=False),
    ]


def head_columns(*, id_number: bool = True) -> list[Column]:
    return [
        Column("head_name", "户主姓名", _part("head", 0), lookups=("head",), width=9),
        Column("head_id", "户主证件号码", _part("head", 1), kind="id", lookups=("head",), default=id_number),
    ]


def case_column(*, default: bool = True) -> Column:
    return Column("case_category", "监测对象类别", _case_label, lookups=("case",), width=16, default=default)


def cadre_columns(*, default: bool = True, details: bool = True) -> list[Column]:
    return [
        Column("cadre_name", "帮扶干部", _part("cadre", 0), lookups=("cadre",), width=9, default=default),
        Column("cadre_unit", "干部单位", _part("cadre", 1), lookups=("cadre",), width=18,
               default=default and details),
        Column("cadre_phone", "干部电话", _part("cadre", 3), kind="phone", lookups=("cadre",),
               mask_model="assistance.cadre", default=default and details),
    ]


def person_columns(*, relation: bool = True) -> list[Column]:
    columns = [
        Column("name", "姓名", "name", width=9),
        Column("gender", "性别", "gender", width=5),
        Column("id_number", "证件号码", "id_number", kind="id"),
    ]
    if relation:
        columns.append(Column("relation", "与户主关系", "relation", width=9))
    return columns


def household_type_filter(h: str = H) -> Filter:
    return Filter("household_type", "户类型", lambda ctx, v: Q(**{f"{h}household_type": v}),
                  choices=tuple(rc.HOUSEHOLD_TYPES))


def monitored_filter(h: str = H) -> Filter:
    def q(ctx, value):
        outer = OuterRef("pk") if not h else OuterRef(h.rstrip("_"))
        monitored = Exists(MonitoringCase.objects.filter(household=outer, is_open=True, identified_on__isnull=False))
        return monitored if value == "yes" else ~monitored

    return Filter("monitored", "是否监测对象（未消除）", q, choices=(("yes", "是"), ("no", "否")))


def in_register() -> Filter:
    return Filter("in_register", "仅在册人员（不含死亡、迁出）", lambda ctx, v: Q(status="正常"), default=True)


def reference_date() -> Param:
    return Param("reference", "参考日期", "date", lambda ctx: ctx.today)


# --- 1. 监测对象台账 --------------------

def _risks(row, ctx):
    return "、".join(row["risk_types"] or ()) or None


def _step(row, ctx):
    return mc.STEP_LABELS.get((row["chain"], row["step"])) or dict(mc.STEPS).get(row["step"], row["step"])


def _eliminated_filter(ctx, value):
    return Q(step=mc.ELIMINATED) if value == "yes" else ~Q(step=mc.ELIMINATED)


register(LedgerDefinition(
    code="monitoring",
    title="监测对象台账",
    description="“三类人员”监测和帮扶台账：类别、风险、识别程序各环节日期、风险消除、帮扶干部和帮扶措施",
    model=MonitoringCase,
    unit="户",
    columns=(
        seq(), *place(), *household_columns(), *head_columns(),
        Column("category", "监测对象类别", "category", width=14),
        Column("risks", "致贫/返贫风险", _risks, fields=("risk_types",), width=18),
        Column("source", "发现方式", "source", width=12),
        Column("clue_date", "线索日期", "clue_date", kind="date"),
        Column("publicity_start", "公示开始", "publicity_start", kind="date"),
        Column("publicity_end", "公示结束", "publicity_end", kind="date"),
        Column("identified_on", "识别监测时间", "identified_on", kind="date"),
        Column("step", "当前环节", _step, fields=("chain", "step"), width=14),
        Column("eliminated", "风险是否已消除", lambda row, ctx: row["step"] == mc.ELIMINATED, kind="bool",
               fields=("step",)),
        Column("elimination_type", "风险消除方式", "elimination_type", width=10),
        Column("eliminated_on", "风险消除时间", "eliminated_on", kind="date"),
        *cadre_columns(),
        Column("measures", "帮扶措施", _value("measures"),
               lookups=("measures",), width=40),
        Column("last_visit", "最近走访日期", _value("visit"), kind="date", lookups=("visit",),
               default=False),
    ),
    filters=(
        Filter("identified", "仅已纳入监测（含已消除）", lambda ctx, v: Q(identified_on__isnull=False), default=True),
        Filter("eliminated", "风险是否已消除", _eliminated_filter, choices=(("no", "未消除"), ("yes", "已消除"))),
        Filter("category", "监测对象类别", lambda ctx, v: Q(category=v), choices=tuple(mc.CATEGORIES)),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "clue_date", "id"),
    lookups={"head": HEAD, "cadre": CADRE, "measures": MEASURES, "visit": LAST_VISIT},
))


# --- 2. 脱贫户台账 --------------------

register(LedgerDefinition(
    code="lifted",
    title="脱贫户台账",
    description="脱贫户家庭成员花名册（一人一行，户信息重复），含健康、劳动力、务工和监测情况",
    model=Member,
    unit="人",
    columns=(
        seq(), *place(),
        Column("household_no", "户编号", "household__household_no", kind="code"),
        Column("lifted_year", "脱贫年度", "household__lifted_year", kind="int", width=7),
        Column("size", "家庭人口数", "household__size", kind="int", width=7),
        Column("household_phone", "户联系电话", "household__phone", kind="phone", mask_model="registry.household"),
        *person_columns(),
        Column("birth_date", "出生日期", "birth_date", kind="date", default=False),
        Column("ethnicity", "民族", "ethnicity", width=8, default=False),
        Column("education", "文化程度", "education", width=10, default=False),
        Column("student_status", "在校生状况", "student_status", width=12),
        Column("health", "健康状况", "health", width=12),
        Column("labour_skill", "劳动技能", "labour_skill", width=12),
        Column("employed", "是否务工", "employed", kind="bool"),
        Column("work_place", "务工所在地", "work_place", width=14),
        Column("work_months", "务工时间（月）", "work_months", kind="int", default=False),
        Column("public_welfare_job", "公益性岗位", "public_welfare_job", width=10, default=False),
        Column("phone", "本人联系电话", "phone", kind="phone", default=False),
        case_column(),
        *cadre_columns(default=False),
    ),
    filters=(
        in_register(),
        Filter("heads_only", "仅列户主（一户一行）", lambda ctx, v: Q(relation="户主")),
        monitored_filter(),
    ),
    base=lambda ctx: Q(household__household_type="脱贫户"),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE, "cadre": CADRE},
))


# --- 3. 结对帮扶台账 --------------------

register(LedgerDefinition(
    code="pairing",
    title="结对帮扶台账",
    description="脱贫户和“三类人员”结对帮扶干部安排：干部、单位、职务、联系电话、结对日期、最近走访",
    model=Pairing,
    unit="户",
    columns=(
        seq(), *place(group=False), *household_columns(), *head_columns(id_number=False), case_column(),
        Column("cadre_name", "帮扶干部", "cadre__name", width=9),
        Column("cadre_unit", "单位", "cadre__unit", width=18),
        Column("cadre_position", "职务", "cadre__position", width=10),
        Column("cadre_phone", "干部联系电话", "cadre__phone", kind="phone", mask_model="assistance.cadre"),
        Column("start_date", "结对日期", "start_date", kind="date"),
        Column("end_date", "结束日期", "end_date", kind="date", default=False),
        Column("reason", "结对/调整原因", "reason", width=16),
        Column("last_visit", "最近走访日期", _value("visit"), kind="date", lookups=("visit",)),
    ),
    filters=(
        Filter("current", "仅当前结对", lambda ctx, v: Q(end_date__isnull=True), default=True),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "start_date", "id"),
    lookups={"head": HEAD, "case": CASE, "visit": LAST_VISIT},
))


# --- 4. 帮扶措施台账 --------------------

def measure_columns(*, amount_label: str = "金额（元）") -> list[Column]:
    return [
        Column("category", "措施类别", "category", width=12),
        Column("sub_item", "具体项目", "sub_item", width=12),
        Column("content", "措施内容", "content", width=30),
        Column("amount", amount_label, "amount", kind="money", total=True),
        Column("department", "责任部门", "department", width=12),
        Column("planned_on", "计划日期", "planned_on", kind="date"),
        Column("implemented_on", "落实日期", "implemented_on", kind="date"),
        Column("status", "状态", "status", width=8),
    ]


def not_ended() -> Filter:
    return Filter("not_ended", "不含已终止的措施", lambda ctx, v: ~Q(status="终止"), default=True)


def measure_status_filter() -> Filter:
    return Filter("status", "措施状态", lambda ctx, v: Q(status=v), choices=tuple(ac.MEASURE_STATUS))


register(LedgerDefinition(
    code="measures",
    title="帮扶措施台账",
    description="每户的帮扶措施：类别、项目、内容、金额、责任部门、计划和落实日期、状态",
    model=Measure,
    unit="条",
    columns=(seq(), *place(group=False), *household_columns(phone=False, size=False),
             *head_columns(id_number=False), case_column(), *measure_columns()),
    filters=(
        not_ended(), measure_status_filter(),
        Filter("category", "措施类别", lambda ctx, v: Q(category=v), choices=tuple(ac.CATEGORY_CHOICES)),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE},
))


# --- 5. 走访台账 --------------------

def _in_year(ctx, value):
    year = ctx.params["year"]
    return Q(visited_on__gte=datetime.date(year, 1, 1), visited_on__lte=datetime.date(year, 12, 31))


register(LedgerDefinition(
    code="visits",
    title="走访台账",
    description="帮扶干部入户、电话、微信走访记录和“两不愁三保障”及饮水安全核查结果",
    model=Visit,
    unit="次",
    columns=(
        seq(), *place(group=False), *household_columns(phone=False, size=False), *head_columns(id_number=False),
        case_column(),
        Column("visited_on", "走访日期", "visited_on", kind="date"),
        Column("kind", "方式", "kind", width=6),
        Column("visitor", "走访人", "visitor", width=9),
        Column("cadre", "帮扶干部", "cadre__name", width=9, default=False),
        Column("content", "走访内容", "content", width=36),
        *(Column(key, label, key, kind="bool", width=10) for key, label in ac.CHECKLIST.items()),
    ),
    params=(Param("year", "年度", "year", lambda ctx: ctx.today.year),),
    filters=(
        Filter("in_year", "仅统计年度内的走访", _in_year, default=True),
        Filter("kind", "走访方式", lambda ctx, v: Q(kind=v), choices=tuple(ac.VISIT_KINDS)),
    ),
    order_by=("household__village__code", "household__household_no", "visited_on", "id"),
    lookups={"head": HEAD, "case": CASE},
))


# --- 6. 控辍保学台账 --------------------

def _school_age_not_in_school(ctx):
    day = ctx.params["reference"]
    return Q(status="正常", birth_date__lte=years_before(day, 6), birth_date__gt=years_before(day, 17),
             student_status__in=NOT_IN_SCHOOL)


register(LedgerDefinition(
    code="dropout",
    title="控辍保学台账",
    description="参考日期时 6–16 周岁、在校生状况为空或学龄前的义务教育阶段适龄儿童少年，含未上学原因",
    model=Member,
    unit="人",
    columns=(
        seq(), *place(), *household_columns(), *head_columns(id_number=False),
        *person_columns(),
        Column("birth_date", "出生日期", "birth_date", kind="date"),
        Column("age", "年龄（周岁）", _age, kind="int", fields=("birth_date",), width=7),
        Column("student_status", "在校生状况", "student_status", width=12),
        Column("out_of_school_reason", "义务教育阶段未上学原因", "out_of_school_reason", width=22),
        Column("health", "健康状况", "health", width=12),
        Column("disability", "残疾类别", _disability, fields=("disability_category",), width=8),
        case_column(default=False),
        *cadre_columns(default=False),
    ),
    params=(reference_date(),),
    base=_school_age_not_in_school,
    filters=(
        Filter("no_reason", "仅未说明未上学原因的", lambda ctx, v: Q(out_of_school_reason="")),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE, "cadre": CADRE},
    note=lambda ctx: "口径：参考日期时 6–16 周岁，在校生状况为空、学龄前儿童或学前教育",
))


# --- 7. 参保台账 --------------------

register(LedgerDefinition(
    code="insurance",
    title="参保台账",
    description="未参加基本医疗保险的人员（城乡居民医保和职工医保均未参加或未填写）",
    model=Member,
    unit="人",
    columns=(
        seq(), *place(), *household_columns(), case_column(),
        *person_columns(),
        Column("age", "年龄（周岁）", _age, kind="int", fields=("birth_date",), width=7),
        Column("resident_medical", "城乡居民基本医疗保险", "resident_medical", kind="bool", width=11),
        Column("employee_medical", "城镇职工基本医疗保险", "employee_medical", kind="bool", width=11),
        Column("critical_illness", "大病保险", "critical_illness", kind="bool"),
        Column("medical_aid", "医疗救助", "medical_aid", kind="bool"),
        Column("dibao", "享受低保政策情况", "dibao", width=10, default=False),
        Column("tekun", "享受特困供养政策情况", "tekun", width=10, default=False),
        Column("health", "健康状况", "health", width=12),
        Column("status", "人员状态", "status", width=8, default=False),
    ),
    base=lambda ctx: ~Q(resident_medical=True) & ~Q(employee_medical=True),
    filters=(in_register(), household_type_filter(), monitored_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE},
    note=lambda ctx: "口径：城乡居民基本医疗保险、城镇职工基本医疗保险均不为“是”",
))


# --- 8./9. 住房安全台账、饮水安全台账 --------------------

def _open_problem(kind: str):
    def q(ctx, value):
        return Exists(GuaranteeProblem.objects.filter(household=OuterRef("pk"), kind=kind, resolved_on__isnull=True))

    return q


def guarantee_ledger(*, code: str, title: str, what: str, secure: str, checked: str, problem: str,
                     measure: str) -> LedgerDefinition:
    return LedgerDefinition(
        code=code,
        title=title,
        description=f"脱贫户和监测对象{what}：核查结论为不安全或有未解决的{what}问题的户，含问题和帮扶措施",
        model=Household,
        unit="户",
        columns=(
            seq(), *place(""), *household_columns(""), *head_columns(), case_column(),
            Column(secure, f"{what}（核查结论）", secure, kind="bool", width=10),
            Column(checked, "核查日期", checked, kind="date"),
            Column("problems", f"未解决的{what}问题", _value("problems"), lookups=("problems",),
                   width=30),
            Column("measures", f"{measure}措施", _value("measures"), lookups=("measures",),
                   width=24),
            *cadre_columns(details=False),
        ),
        filters=(
            Filter("unsafe", f"{what}核查结论为不安全", lambda ctx, v: Q(**{secure: False}), default=True,
                   group="which"),
            Filter("problem", f"有未解决的{what}问题", _open_problem(problem), default=True, group="which"),
            Filter("unchecked", f"尚未核查{what}", lambda ctx, v: Q(**{f"{secure}__isnull": True}), group="which"),
            household_type_filter(""),
        ),
        order_by=("village__code", "household_no"),
        household="",
        lookups={"head": HEAD, "case": CASE, "cadre": CADRE,
                 "problems": Lookup("assistance.guaranteeproblem", _problems(problem)),
                 "measures": Lookup("assistance.measure", _measures(measure))},
    )


register(guarantee_ledger(code="housing", title="住房安全台账", what="住房安全", secure="housing_secure",
                          checked="housing_checked_on", problem=ac.CHECKLIST["housing_ok"], measure="住房安全保障"))
register(guarantee_ledger(code="water", title="饮水安全台账", what="饮水安全", secure="water_secure",
                          checked="water_checked_on", problem=ac.CHECKLIST["water_ok"], measure="饮水安全保障"))


# --- 10. 兜底保障台账 --------------------

register(LedgerDefinition(
    code="welfare",
    title="兜底保障台账",
    description="享受低保、特困供养的人员，残疾人，整户无劳动能力兜底保障户成员：应保尽保落实情况",
    model=Member,
    unit="人",
    columns=(
        seq(), *place(), *household_columns(), case_column(),
        *person_columns(),
        Column("age", "年龄（周岁）", _age, kind="int", fields=("birth_date",), width=7),
        Column("dibao", "享受低保政策情况", "dibao", width=10),
        Column("tekun", "享受特困供养政策情况", "tekun", width=10),
        Column("disability", "残疾类别", _disability, fields=("disability_category",), width=8),
        Column("disability_grade", "残疾等级", _disability_grade, fields=("disability_grade",), width=8),
        Column("health", "健康状况", "health", width=12),
        Column("labour_skill", "劳动技能", "labour_skill", width=12),
        Column("no_labour_guarantee", "整户无劳动能力兜底保障户", "household__no_labour_guarantee", kind="bool",
               width=12),
        Column("measures", "综合保障措施", _value("measures"), lookups=("measures",), width=24),
    ),
    filters=(
        in_register(),
        Filter("dibao", "享受低保", lambda ctx, v: Q(dibao__in=DIBAO), default=True, group="kind"),
        Filter("tekun", "享受特困供养", lambda ctx, v: Q(tekun__in=TEKUN), default=True, group="kind"),
        Filter("disabled", "残疾人", lambda ctx, v: ~Q(disability_category="") | Q(health__contains="残疾"),
               default=True, group="kind"),
        Filter("no_labour", "整户无劳动能力兜底保障户", lambda ctx, v: Q(household__no_labour_guarantee=True),
               default=True, group="kind"),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE, "measures": Lookup("assistance.measure", _measures("综合保障"))},
))


# --- 11. 易地搬迁台账 --------------------

register(LedgerDefinition(
    code="relocation",
    title="易地搬迁台账",
    description="易地扶贫搬迁户：安置区、人口、务工人数、监测情况、后续扶持措施",
    model=Household,
    unit="户",
    columns=(
        seq(), *place(""), *household_columns(""), *head_columns(),
        Column("lifted_year", "脱贫年度", "lifted_year", kind="int", width=7),
        Column("resettlement_site", "安置区", "resettlement_site", width=18),
        case_column(),
        Column("employed", "务工人数", lambda row, ctx: row["employed"] or 0, kind="int", lookups=("employed",),
               total=True),
        Column("measures", "后续扶持措施", _value("measures"), lookups=("measures",), width=24),
        *cadre_columns(details=False),
    ),
    base=lambda ctx: Q(relocated=True),
    filters=(household_type_filter(""),),
    order_by=("village__code", "household_no"),
    household="",
    lookups={"head": HEAD, "case": CASE, "cadre": CADRE, "employed": Lookup("registry.member", _employed),
             "measures": Lookup("assistance.measure", _measures("搬迁"))},
))


# --- 12. 公益性岗位清单 --------------------

def _contact(row, ctx):
    return row["phone"] or row["household__phone"] or None


register(LedgerDefinition(
    code="public-jobs",
    title="公益性岗位清单",
    description="在公益性岗位就业的人员：岗位、劳动技能、健康状况、联系电话",
    model=Member,
    unit="人",
    columns=(
        seq(), *place(), *household_columns(phone=False), case_column(),
        *person_columns(relation=False),
        Column("age", "年龄（周岁）", _age, kind="int", fields=("birth_date",), width=7),
        Column("public_welfare_job", "公益性岗位", "public_welfare_job", width=12),
        Column("labour_skill", "劳动技能", "labour_skill", width=12),
        Column("health", "健康状况", "health", width=12),
        Column("contact", "联系电话", _contact, kind="phone", fields=("phone", "household__phone")),
        Column("measures", "公益岗位帮扶措施", _value("measures"), lookups=("measures",), width=24,
               default=False),
    ),
    base=lambda ctx: ~Q(public_welfare_job__in=("", "否", "无")),
    filters=(in_register(), household_type_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE, "measures": Lookup("assistance.measure", _measures("公益岗位帮扶"))},
))


# --- 13./14. 小额信贷清单、雨露计划清单 --------------------

register(LedgerDefinition(
    code="microcredit",
    title="小额信贷清单",
    description="脱贫户和监测对象小额信贷：贷款内容、金额、放贷部门、发放日期，按村小计",
    model=Measure,
    unit="笔",
    columns=(
        seq(), *place(group=False), *household_columns(size=False), *head_columns(), case_column(),
        Column("content", "贷款内容（用途）", "content", width=28),
        Column("amount", "贷款金额（元）", "amount", kind="money", total=True),
        Column("department", "放贷机构/责任部门", "department", width=14),
        Column("planned_on", "计划日期", "planned_on", kind="date", default=False),
        Column("implemented_on", "发放日期", "implemented_on", kind="date"),
        Column("status", "状态", "status", width=8),
    ),
    base=lambda ctx: Q(category="金融帮扶", sub_item="小额信贷"),
    filters=(not_ended(), measure_status_filter(), household_type_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE},
    grouped=True,
))

register(LedgerDefinition(
    code="yulu",
    title="雨露计划清单",
    description="“雨露计划”资助落实清单：受助家庭、在读中职/高职学生、资助金额和日期",
    model=Measure,
    unit="笔",
    columns=(
        seq(), *place(group=False), *household_columns(size=False), *head_columns(id_number=False), case_column(),
        Column("students", "在读学生（中职/高职）", _value("students"), lookups=("students",),
               width=24),
        Column("content", "资助内容", "content", width=24),
        Column("amount", "资助金额（元）", "amount", kind="money", total=True),
        Column("implemented_on", "资助日期", "implemented_on", kind="date"),
        Column("status", "状态", "status", width=8),
        Column("department", "责任部门", "department", width=12, default=False),
    ),
    base=lambda ctx: Q(category="其他教育帮扶", sub_item="雨露计划"),
    filters=(not_ended(), measure_status_filter(), household_type_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE, "students": Lookup("registry.member", _students)},
))


# --- 15. 收入核算台账 --------------------

def _latest_income_year(ctx) -> int:
    qs = IncomeRecord.objects.all()
    if ctx.region is not None:
        qs = qs.filter(household__village__code__startswith=ctx.region.code)
    return qs.aggregate(latest=Max("year"))["latest"] or ctx.today.year - 1


def _lines(ctx) -> dict:
    year = ctx.params["year"]
    return ctx.memo(f"lines-{year}", lambda: lines_by_county(ctx.counties(), year))


def _floors(ctx) -> dict:
    year = ctx.params["year"]
    return ctx.memo(f"floors-{year}", lambda: {code: settings_for(code, year).low_income_floor
                                               for code in ctx.counties()})


def _per_county(values: dict) -> Q:
    q = NOTHING
    for county, amount in values.items():
        if amount is not None:
            q |= Q(household__village__code__startswith=county, per_capita__lt=amount)
    return q


def _previous_per_capita(ctx) -> dict:
    previous = IncomeRecord.objects.filter(household=OuterRef("household"), year=ctx.params["year"] - 1)
    return {"prev_per_capita": Subquery(previous.values("per_capita")[:1])}


def _line_of(row, ctx):
    return _lines(ctx).get(row["household__village__code"][:6])


def _change(row, ctx):
    prev = row["prev_per_capita"]
    return None if prev is None else row["per_capita"] - prev


def _warnings(row, ctx):
    county = row["household__village__code"][:6]
    per_capita, prev = row["per_capita"], row["prev_per_capita"]
    line, floor = _lines(ctx).get(county), _floors(ctx).get(county)
    hits = []
    if line is not None and per_capita < line:
        hits.append("低于监测线")
    if floor is not None and per_capita < floor:
        hits.append(f"低于{floor:,.0f}元")
    if prev is not None and per_capita < prev:
        hits.append("收入不增反降")
    return "、".join(hits) or None


def _income_note(ctx) -> str:
    year = ctx.params["year"]
    lines = set(_lines(ctx).values())
    floors = set(_floors(ctx).values())
    if lines == {None}:
        line_text = f"{year} 年未设置监测线"
    elif len(lines) == 1:
        line_text = f"{year} 年监测线：{next(iter(lines)):,.0f} 元/人·年"
    else:
        line_text = "监测线：按各县标准"
    floor_text = f"低收入预警线：{next(iter(floors)):,.0f} 元" if len(floors) == 1 else "低收入预警线：按各县标准"
    return f"{line_text}；{floor_text}"


MONEY_FIELDS = (("wage", "工资性收入"), ("business", "生产经营性收入"), ("property_income", "财产性收入"),
                ("transfer", "转移性收入"), ("business_cost", "生产经营性支出"))

register(LedgerDefinition(
    code="income",
    title="收入核算台账",
    description="年度收入核算：人均纯收入低于监测线、低于 1 万元或比上年下降（不增反降）的户",
    model=IncomeRecord,
    unit="户",
    columns=(
        seq(), *place(group=False), *household_columns(phone=False, size=False), *head_columns(id_number=False),
        case_column(),
        Column("household_size", "计算人口数", "household_size", kind="int", width=7),
        *(Column(key, label, key, kind="money", default=key != "business_cost") for key, label in MONEY_FIELDS),
        Column("net_income", "家庭纯收入", "net_income", kind="money"),
        Column("per_capita", "人均纯收入", "per_capita", kind="money"),
        Column("prev_per_capita", "上年人均纯收入", "prev_per_capita", kind="money"),
        Column("change", "比上年增减", _change, kind="money", fields=("per_capita", "prev_per_capita")),
        Column("line", "监测线", _line_of, kind="money", fields=("household__village__code",)),
        Column("compliant_medical", "合规自付支出", "compliant_medical", kind="money", default=False),
        Column("warnings", "预警情形", _warnings, width=24,
               fields=("household__village__code", "per_capita", "prev_per_capita")),
    ),
    params=(Param("year", "收入年度", "year", _latest_income_year),),
    annotate=_previous_per_capita,
    base=lambda ctx: Q(year=ctx.params["year"]),
    filters=(
        Filter("below_line", "人均纯收入低于监测线", lambda ctx, v: _per_county(_lines(ctx)), default=True,
               group="rule"),
        Filter("below_floor", "人均纯收入低于 1 万元（低收入预警线）", lambda ctx, v: _per_county(_floors(ctx)),
               default=True, group="rule"),
        Filter("dropped", "人均纯收入比上年下降", lambda ctx, v: Q(prev_per_capita__isnull=False,
                                                                     per_capita__lt=F("prev_per_capita")),
               default=True, group="rule"),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no"),
    lookups={"head": HEAD, "case": CASE},
    note=_income_note,
))

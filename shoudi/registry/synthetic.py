"""Believable, deterministic households in the national export format (DOMAIN.md §2, §3, §8).

``generate_rows`` yields one dict per person, keyed by the national headers of ``national.COLUMNS`` with the
household's columns repeated on every member's row, exactly like a county's export; ``write_national_xlsx`` writes
them with the title and export-details rows above the header. The same seed always gives the same rows, so tests,
the benchmark and the demo county share one generator. About 400,000 persons a minute are far inside its reach
(≈ 10 s on the benchmark machine).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from shoudi.core.dates import SchoolAgeRule
from shoudi.core.idnumbers import RESIDENT_ID, check_character

from .models import compute_income
from .national import write_national_xlsx

__all__ = ["VillageSpec", "generate_rows", "id_number_for", "village_specs", "write_national_xlsx"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢龙石"
)
GIVEN_MALE = "伟强军磊洋勇杰涛明超华平刚辉鹏飞斌波建国文志海林峰成亮俊东兵云贵发福全德荣顺"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲桂兰萍红梅琴燕云琳雪莉凤珍翠花慧巧美春"
ETHNICITIES = ("汉族",) * 14 + ("苗族",) * 3 + ("布依族",) * 2 + ("侗族", "彝族", "土家族")
WORK_PLACES = ("县内", "省内县外", "浙江省宁波市", "广东省东莞市", "福建省泉州市", "贵阳市", "江苏省苏州市", "上海市")
WELFARE_JOBS = ("护林员", "保洁员", "公路养护员", "水管员", "护河员")
OTHER_ADDRESS_CODES = ("520103", "520111", "522401", "522601", "530102")
RISKS = (
    "因病",
    "因残",
    "因学",
    "因自然灾害",
    "因意外事故",
    "因产业项目失败",
    "因务工就业不稳",
    "缺劳动力",
    "因安全住房",
    "其他",
)
MEASURES = {
    "产业帮扶": ("种植业", "养殖业", "种植业,养殖业", "产业奖补"),
    "就业帮扶": ("就业帮扶车间", "技能培训", "劳务输出", "外出务工补贴"),  # the code table's sub-items
    "金融帮扶": ("小额信贷",),
    "公益岗位帮扶": ("公益性岗位",),
    "健康帮扶": ("医疗救助", "家庭医生签约", "大病专项救治"),
    "其他教育帮扶": ("雨露计划",),
    "综合保障": ("低保", "残疾人补贴", "特困供养"),
    "住房安全保障": ("危房改造",),
}
SCHOOL_BY_AGE = {
    6: "小学",
    7: "小学",
    8: "小学",
    9: "小学",
    10: "小学",
    11: "小学",
    12: "七年级",
    13: "八年级",
    14: "九年级",
    15: "九年级",
}


@dataclass(frozen=True)
class VillageSpec:
    """A village as the national file names it: its code, its name, its township's and its county's names."""

    code: str
    name: str
    township: str
    county: str


def village_specs(villages: Iterable) -> list[VillageSpec]:
    """Accept ``VillageSpec``s, (code, name, township, county) tuples or village ``Region`` objects.

    For regions, select their ``parent__parent`` beforehand to spare two queries a village.
    """
    specs = []
    for v in villages:
        if isinstance(v, VillageSpec):
            specs.append(v)
        elif isinstance(v, tuple | list):
            specs.append(VillageSpec(*v))
        else:
            township = v.parent
            specs.append(VillageSpec(v.code, v.name, township.name, township.parent.name))
    return specs


def id_number_for(address: str, born: datetime.date, sequence: int) -> str:
    """A valid GB 11643 number: 6-digit address code, birth date, 3-digit sequence (odd = male), check character."""
    first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


SCHOOL_AGE = SchoolAgeRule()  # the default cut-off (31 August): a generated county has no settings yet


class _Generator:
    def __init__(self, seed: int, year: int):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
        self.year = year
        self.last_day = min(datetime.date(year, 12, 31), timezone.localdate())
        self.used_ids: set[str] = set()

    # --- people ---

    def birth(self, age: int) -> datetime.date:
        start = datetime.date(self.year - age, 1, 1).toordinal()
        day = datetime.date.fromordinal(start + self.rng.randrange(365))
        return min(day, self.last_day)

    def id_number(self, county_code: str, born: datetime.date, male: bool) -> str:
        rng = self.rng
        address = county_code if rng.random() < 0.93 else rng.choice(OTHER_ADDRESS_CODES)
        while True:
            sequence = rng.randrange(500) * 2 + (1 if male else 0)
            number = id_number_for(address, born, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def name(self, surname: str, male: bool) -> str:
        rng = self.rng
        pool = GIVEN_MALE if male else GIVEN_FEMALE
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        return surname + given

    def family(self) -> list[tuple[str, bool, int]]:
        """(relation, male, age) of every member, the head first: 1–7 people with believable ages."""
        rng = self.rng
        head_male = rng.random() < 0.85
        head_age = rng.randint(28, 82)
        size = rng.choices((1, 2, 3, 4, 5, 6, 7), weights=(6, 13, 18, 24, 20, 12, 7))[0]
        people = [("户主", head_male, head_age)]
        if size >= 2 and rng.random() < 0.9:
            people.append(("配偶", not head_male, max(20, head_age + rng.randint(-5, 5))))
        young_head = head_age < 50
        if young_head and len(people) < size and rng.random() < 0.5:
            parent_age = head_age + rng.randint(22, 32)
            people.append(("之父", True, parent_age))
            if len(people) < size:
                people.append(("之母", False, parent_age - rng.randint(0, 5)))
        while len(people) < size:
            child_male = rng.random() < 0.52
            child_age = max(0, head_age - rng.randint(20, 38))
            if head_age > 58 and rng.random() < 0.5:
                grandchild_age = max(0, child_age - rng.randint(22, 32)) if child_age > 22 else rng.randint(0, 12)
                people.append(("之孙子" if child_male else "之孙女", child_male, grandchild_age))
            elif child_age >= 22 and rng.random() < 0.25 and not any(r in ("之儿媳", "之女婿") for r, _m, _a in people):
                people.append(("之子", True, child_age))
                if len(people) < size:
                    people.append(("之儿媳", False, max(20, child_age + rng.randint(-4, 3))))
            else:
                people.append(("之子" if child_male else "之女", child_male, child_age))
        return people[:size]

    def person(
        self,
        relation: str,
        male: bool,
        age: int,
        surname: str,
        county_code: str,
        *,
        dibao: bool,
        tekun: bool,
        lifted: bool,
    ) -> dict:
        # Every draw below comes in the same order as ever: the same seed must give the same rows.
        rng = self.rng
        born = self.birth(age)
        number = self.id_number(county_code, born, male)
        same_surname = relation in ("户主", "之子", "之女", "之孙子", "之孙女", "之父") or rng.random() < 0.05
        own_surname = surname if same_surname else rng.choice(SURNAMES)
        health, category, grade = self.health(age)
        student = self.student(age, SCHOOL_AGE.age(born, self.last_day))
        education = self.education(age, student)
        labour = self.labour(age, student, health, disabled_severe=bool(category) and grade in ("1", "2"))
        employed, place, months, welfare_job = self.work(age, student, labour)

        insured = rng.random() < 0.985
        adult = age >= 16 and not student
        return {
            "姓名": self.name(own_surname, male),
            "性别": "男" if male else "女",
            "证件类型": RESIDENT_ID,
            "证件号码": number,
            "与户主关系": relation,
            "民族": rng.choice(ETHNICITIES),
            "政治面貌": self.political_status(age, adult=adult),
            "文化程度": education,
            "在校生状况": student,
            "义务教育阶段未上学原因": "",
            "健康状况": health,
            "残疾类别": category,
            "残疾等级": grade,
            "劳动技能": labour,
            "是否已务工": employed,
            "务工所在地": place,
            "务工时间（月）": months,
            "公益性岗位": welfare_job,
            "家庭成员联系电话": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            if adult and rng.random() < 0.6
            else "",
            "是否参加城乡居民基本医疗保险": "是" if insured else "否",
            "是否参加城镇职工基本医疗保险": "否",
            "是否参加大病保险": "是" if insured else "否",
            "是否参加城乡居民基本养老保险": "是" if adult and rng.random() < 0.9 else "否",
            "是否参加城镇职工基本养老保险": "否",
            "是否接受医疗救助": "是" if health != "健康" and (lifted or dibao) and rng.random() < 0.6 else "否",
            "享受低保政策情况": "农村低保" if dibao else "未享受",
            "享受特困供养政策情况": "农村特困" if tekun else "不享受",
        }

    def health(self, age: int) -> tuple[str, str, str]:
        """(健康状况, 残疾类别, 残疾等级): chronic illness grows with age; about 4.5 % are disabled."""
        rng = self.rng
        roll = rng.random()
        health, category, grade = "健康", "", ""
        if (age >= 45 and roll < 0.16) or roll < 0.05:
            health = "长期慢性病"
        elif roll < 0.2 and age >= 30:
            health = "患有大病"
        if rng.random() < 0.045:
            category, grade = str(rng.randint(1, 7)), str(rng.choices((1, 2, 3, 4), weights=(1, 2, 3, 4))[0])
            health = "残疾,长期慢性病" if health == "长期慢性病" else "残疾"
        return health, category, grade

    def student(self, age: int, school_age: int) -> str:
        """在校生状况 for the age: pre-school, compulsory school by the school year, then high school or college.

        ``school_age`` is the age by the school year (``SchoolAgeRule``): a child turning 6 after 31 August is still
        in 学前教育. It changes no draw, so a seed gives the same rows as before.
        """
        rng = self.rng
        if age < 3:
            return "学龄前儿童"
        if school_age < 6:
            return "学前教育"
        if age <= 15:
            grade_age = min(school_age, 15)
            return SCHOOL_BY_AGE[grade_age] if age != 15 or rng.random() < 0.3 else "普通高中一年级"
        if age <= 18 and rng.random() < 0.7:
            grade_no = "一二三"[min(2, age - 16)]
            return f"普通高中{grade_no}年级" if rng.random() < 0.6 else f"中职{grade_no}年级"
        if age <= 22 and rng.random() < 0.3:
            return rng.choice(
                ("本科一年级", "本科二年级", "本科三年级", "本科四年级", "高职高专一年级", "高职高专二年级")
            )
        return ""

    def education(self, age: int, student: str) -> str:
        """文化程度: what a student has finished so far; the elderly mostly little schooling."""
        if student in ("学龄前儿童", "学前教育"):
            return ""
        if student:
            return "小学" if age < 12 else "初中" if age < 15 else "高中"
        if age >= 65:
            return self.rng.choice(("文盲或半文盲", "文盲或半文盲", "小学", "小学", "初中"))
        return self.rng.choices(
            ("文盲或半文盲", "小学", "初中", "高中", "大专", "本科及以上"), weights=(3, 20, 45, 20, 8, 4)
        )[0]

    def labour(self, age: int, student: str, health: str, *, disabled_severe: bool) -> str:
        """劳动技能 from age, schooling, health and a severe (grade 1 or 2) disability."""
        rng = self.rng
        if age < 16 or student:
            return "无劳动力"
        if disabled_severe or (health == "患有大病" and rng.random() < 0.6):
            return "丧失劳动力"
        if age > 70:
            return "丧失劳动力" if rng.random() < 0.6 else "无劳动力"
        if age > 60 or health != "健康":
            return "弱劳动力或半劳动力"
        return rng.choices(("普通劳动力", "技能劳动力", "弱劳动力或半劳动力"), weights=(70, 25, 5))[0]

    def work(self, age: int, student: str, labour: str) -> tuple[str, str, int | None, str]:
        """(是否已务工, 务工所在地, 务工时间（月）, 公益性岗位) of a person with the given labour."""
        rng = self.rng
        can_work = labour in ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")
        employed, place, months, welfare_job = "否", "", None, ""
        if can_work and age <= 60 and rng.random() < 0.62:
            employed, place, months = "是", rng.choice(WORK_PLACES), rng.randint(3, 12)
        if can_work and not student and employed == "否" and rng.random() < 0.1:
            welfare_job = rng.choice(WELFARE_JOBS)
        if age < 16 or student:
            employed = ""
        return employed, place, months, welfare_job

    def political_status(self, age: int, *, adult: bool) -> str:
        rng = self.rng
        if adult and rng.random() < 0.06:
            return "中共党员"
        if 14 <= age <= 28 and rng.random() < 0.3:
            return "共青团员"
        return "群众"

    # --- households ---

    def yearmonth(self, first_year: int, last_year: int) -> tuple[int, int]:
        return self.rng.randint(first_year, last_year), self.rng.randint(1, 12)

    def household(self, village: VillageSpec, number: str, group: int, county_code: str) -> list[dict]:
        rng = self.rng
        lifted = rng.random() < 0.25
        people = self.family()
        alone_elderly = len(people) == 1 and people[0][2] >= 60
        tekun = alone_elderly and rng.random() < 0.35
        dibao = not tekun and rng.random() < (0.22 if lifted else 0.05)
        surname = rng.choice(SURNAMES)
        members = [
            self.person(rel, male, age, surname, county_code, dibao=dibao, tekun=tekun, lifted=lifted)
            for rel, male, age in people
        ]
        size = len(members)

        monitored = rng.random() < (0.09 if lifted else 0.04)
        low_income = rng.random() < (0.35 if monitored else 0.04)
        per_capita_target = (
            rng.uniform(4500, 7999) if low_income else min(30000.0, max(8000.0, rng.lognormvariate(9.55, 0.35)))
        )
        net_target = per_capita_target * size
        transfer = round(net_target * rng.uniform(0.08, 0.3) + (1800 if dibao or tekun else 0))
        property_income = round(net_target * rng.uniform(0, 0.03))
        business = round(net_target * rng.uniform(0.05, 0.3))
        business_cost = round(business * rng.uniform(0.15, 0.45))
        wage = max(0, round(net_target - transfer - property_income - business + business_cost))
        compliant_medical = (
            round(rng.uniform(300, 12000))
            if any(m["健康状况"] != "健康" for m in members) and rng.random() < 0.5
            else 0
        )
        net, per_capita = compute_income(
            wage=wage,
            business=business,
            property_=property_income,
            transfer=transfer,
            business_cost=business_cost,
            size=size,
        )

        uninsured = any(m["是否参加城乡居民基本医疗保险"] == "否" for m in members)
        dropout = any(6 <= a <= 15 for _r, _m, a in people) and rng.random() < 0.003
        relocated = lifted and rng.random() < 0.12
        no_labour = all(m["劳动技能"] in ("丧失劳动力", "无劳动力") for m in members) and rng.random() < 0.7
        household = {
            "县": village.county,
            "乡": village.township,
            "村": village.name,
            "村民小组": f"{group}组",
            "户编号": number,
            "户类型": "脱贫户" if lifted else "一般农户",
            "脱贫年度": rng.randint(2014, 2020) if lifted else None,
            "家庭人口数": size,
            "户联系电话": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            "家庭住址": f"{village.county}{village.township}{village.name}{group}组{rng.randint(1, 200)}号",
            "是否易地扶贫搬迁户": "是" if relocated else "否",
            "安置区": f"{village.county}{_site_side(village.township)}安置点" if relocated else "",
            "整户无劳动能力兜底保障户": "是" if no_labour else "否",
            "工资性收入": wage,
            "生产经营性收入": business,
            "财产性收入": property_income,
            "转移性收入": transfer,
            "生产经营性支出": business_cost,
            "家庭纯收入": float(net),
            "人均纯收入（元）": float(per_capita),
            "合规自付支出": compliant_medical,
            "是否危房户": "是" if rng.random() < 0.004 else "否",
            "是否解决安全饮用水": "否" if rng.random() < 0.004 else "是",
            "是否义务教育阶段适龄儿童少年失学辍学": "是" if dropout else "否",
            "是否有家庭成员未参加城乡居民（职工）基本医疗保险": "是" if uninsured else "否",
        }
        if monitored:
            sudden = rng.random() < 0.12
            category = "突发严重困难户" if sudden else "脱贫不稳定户" if lifted else "边缘易致贫户"
            y, m = self.yearmonth(2021, self.year)
            risks = rng.sample(RISKS, rng.choice((1, 1, 1, 2, 2, 3)))
            household.update({"监测对象类别": category, "识别监测时间": f"{y}{m:02d}"})
            for i, risk in enumerate(risks, start=1):
                household[f"致贫/返贫风险{i}"] = risk
            if rng.random() < 0.45 and y < self.year:
                ey, em = self.yearmonth(y + 1, self.year)
                household.update(
                    {
                        "风险是否已消除": "是",
                        "风险消除时间": f"{ey}{em:02d}",
                        "风险消除方式": "帮扶消除" if rng.random() < 0.8 else "自然消除",
                    }
                )
            else:
                household["风险是否已消除"] = "否"
        if lifted or monitored:
            for header, values in MEASURES.items():
                if rng.random() < 0.3:
                    household[header] = rng.choice(values)
        rows = []
        for member in members:
            row = dict(household)
            row.update(member)
            rows.append(row)
        return rows


def _site_side(township: str) -> str:
    """The county's two 易地扶贫搬迁安置点 (城南, 城北): each township's relocated households live in one of them."""
    return ("城南", "城北")[sum(map(ord, township)) % 2]


def generate_rows(
    villages: Iterable,
    *,
    households: int,
    seed: int = 0,
    year: int = 2025,
    start_no: int = 1,
) -> Iterator[dict]:
    """Yield the person rows of ``households`` households spread evenly over ``villages``, village after village.

    ``villages``: see ``village_specs``. 户编号 is the village code followed by a 5-digit number counted from
    ``start_no`` in each village (pass a higher ``start_no`` to add households to villages already filled). ``year``
    is the income year and the reference for ages. The county code in ID numbers is the first six digits of the
    village code for about 93 % of people. Deterministic for a given seed.
    """
    specs = village_specs(villages)
    if not specs:
        return
    generator = _Generator(seed, year)
    per_village, extra = divmod(households, len(specs))
    for index, village in enumerate(specs):
        count = per_village + (1 if index < extra else 0)
        groups = max(1, min(12, count // 25 or 1))
        for n in range(count):
            number = f"{village.code}{start_no + n:05d}"
            yield from generator.household(village, number, 1 + n * groups // max(count, 1), village.code[:6])


def income_net(row: dict) -> Decimal:
    """家庭纯收入 of a generated row (for tests)."""
    return Decimal(str(row["家庭纯收入"]))

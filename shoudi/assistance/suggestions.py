"""Measures suggested by need (S003 三(一)2): from the household's risks and its members' labour. Never applied
automatically: the page lists them for the cadre to choose."""

from __future__ import annotations

from shoudi.registry.choices import NO_LABOUR

from .models import GuaranteeProblem

__all__ = ["suggest_measures"]

BY_RISK = {
    "因病": [("健康帮扶", "医疗救助", "因病：落实健康帮扶政策")],
    "因残": [("综合保障", "残疾人补贴", "因残：落实残疾人两项补贴")],
    "因学": [("义务教育保障", "教育资助", "因学：落实教育资助"), ("其他教育帮扶", "雨露计划", "因学：雨露计划")],
    "因自然灾害": [("社会帮扶", "防贫保险", "因灾：保险理赔、救灾救助")],
    "因意外事故": [("社会帮扶", "防贫保险", "因意外：保险、救助")],
    "因产业项目失败": [("产业帮扶", "产业奖补", "产业失败：调整产业"), ("金融帮扶", "小额信贷", "产业失败：信贷支持")],
    "因务工就业不稳": [("就业帮扶", "劳务输出", "务工不稳：稳岗就业")],
    "因安全住房": [("住房安全保障", "危房改造", "住房不安全：危房改造")],
    "因安全饮水": [("饮水安全保障", "饮水工程", "饮水不安全：饮水工程")],
}


# an open guarantee problem (its kind, as a visit opens it) → what resolves it
BY_PROBLEM = {
    "住房安全有保障": ("住房安全保障", "危房改造", "存在未解决的住房安全问题：危房改造"),
    "饮水安全有保障": ("饮水安全保障", "饮水工程", "存在未解决的饮水安全问题：饮水工程"),
    "义务教育有保障": ("义务教育保障", "控辍保学", "存在未解决的义务教育问题：控辍保学"),
    "基本医疗有保障": ("健康帮扶", "医疗救助", "存在未解决的基本医疗问题：健康帮扶"),
    "不愁吃、不愁穿": ("综合保障", "临时救助", "存在未解决的吃穿问题：临时救助"),
}
# the registry's own flags (是否危房户 …), when they say the guarantee is missing
BY_FLAG = {
    "housing_secure": (*BY_PROBLEM["住房安全有保障"][:2], "住房不安全：危房改造"),
    "water_secure": (*BY_PROBLEM["饮水安全有保障"][:2], "饮水不安全：饮水工程"),
    "education_secure": (*BY_PROBLEM["义务教育有保障"][:2], "有失学辍学：控辍保学"),
}


def suggest_measures(household) -> list[tuple[str, str, str]]:
    """(category, sub-item, why) suggestions, without duplicates, most specific first: open guarantee problems,
    then the registry's guarantee flags, then the open case's risks, then the members' labour."""
    case = household.cases.filter(is_open=True).order_by("-clue_date").first()
    risks = case.risk_types if case else []
    members = [m for m in household.members.all() if m.status == "正常"]
    out: list[tuple[str, str, str]] = []
    problems = set(GuaranteeProblem.objects.unclosed().filter(household=household).values_list("kind", flat=True))
    out.extend(item for kind, item in BY_PROBLEM.items() if kind in problems)
    out.extend(item for flag, item in BY_FLAG.items() if getattr(household, flag) is False)
    for risk in risks:
        out.extend(BY_RISK.get(risk, []))
    skills = {m.labour_skill for m in members}
    if skills & {"普通劳动力", "技能劳动力"}:
        out += [("产业帮扶", "种植业", "有劳动力：发展产业"), ("就业帮扶", "技能培训", "有劳动力：就业帮扶")]
    elif "弱劳动力或半劳动力" in skills:
        out.append(("公益岗位帮扶", "公益性岗位", "弱劳动力/半劳动力：公益岗位就业"))
    elif members and all(m.labour_skill in NO_LABOUR or not m.labour_skill for m in members):
        out.append(("综合保障", "低保", "无劳动力：社会保障兜底"))
    seen, unique = set(), []
    for item in out:
        if item[:2] not in seen:
            seen.add(item[:2])
            unique.append(item)
    return unique

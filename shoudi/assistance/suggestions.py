"""Measures suggested by need (S003 三(一)2): from the household's risks and its members' labour. Never applied
automatically: the page lists them for the cadre to choose."""

from __future__ import annotations

from shoudi.registry.choices import NO_LABOUR

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


def suggest_measures(household) -> list[tuple[str, str, str]]:
    """(category, sub-item, why) suggestions, without duplicates, most specific first."""
    case = household.cases.filter(is_open=True).order_by("-clue_date").first()
    risks = case.risk_types if case else []
    members = [m for m in household.members.all() if m.status == "正常"]
    out: list[tuple[str, str, str]] = []
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

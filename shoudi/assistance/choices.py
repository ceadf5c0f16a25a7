"""Assistance vocabulary (DOMAIN.md §4)."""

MEASURE_CATEGORIES = {
    "产业帮扶": ("种植业", "养殖业", "加工业", "乡村旅游", "产业奖补", "其他"),
    "就业帮扶": ("技能培训", "劳务输出", "外出务工补贴", "就业帮扶车间", "其他"),
    "金融帮扶": ("小额信贷", "其他"),
    "公益岗位帮扶": ("公益性岗位", "其他"),
    "健康帮扶": ("医疗救助", "家庭医生签约", "大病专项救治", "慢病签约服务", "其他"),
    "义务教育保障": ("控辍保学", "送教上门", "教育资助", "其他"),
    "其他教育帮扶": ("雨露计划", "其他"),
    "综合保障": ("低保", "特困供养", "残疾人补贴", "临时救助", "其他"),
    "住房安全保障": ("危房改造", "农房抗震改造", "其他"),
    "饮水安全保障": ("饮水工程", "其他"),
    "社会帮扶": ("东西部协作", "定点帮扶", "社会捐赠", "防贫保险", "其他"),
    "搬迁": ("易地扶贫搬迁后续扶持", "其他"),
    "生产生活条件改善": ("改厨改厕", "道路硬化", "其他"),
    "基础设施建设": ("其他",),
    "扶志扶智": ("技能培训", "教育引导", "其他"),
}
CATEGORY_CHOICES = [(k, k) for k in MEASURE_CATEGORIES]
MEASURE_STATUS = [(v, v) for v in ("计划", "实施中", "已落实", "终止")]
VISIT_KINDS = [(v, v) for v in ("入户", "电话", "微信")]
INCOME_TRENDS = [(v, v) for v in ("上升", "持平", "下降")]
RISK_STATUS = [(v, v) for v in ("稳定", "未稳定", "建议消除")]
# The visit checklist: 两不愁三保障 and water. A "no" opens a guarantee problem of that kind.
CHECKLIST = {
    "food_clothing_ok": "不愁吃、不愁穿",
    "education_ok": "义务教育有保障",
    "medical_ok": "基本医疗有保障",
    "housing_ok": "住房安全有保障",
    "water_ok": "饮水安全有保障",
}
PROBLEM_KINDS = [(v, v) for v in CHECKLIST.values()]
CHECKLIST_BLANK = "两不愁三保障及饮水情况未填写：请对{}逐项选择是或否".format(
    "、".join(f"「{label}」" for label in CHECKLIST.values())
)

# 一户一画像 (S004 (二)二): the three groups that need one before anyone decides.
NEW_DIBAO, DISPERSED_TEKUN, DIBAO_EDGE = "新申请低保", "分散供养特困", "低保边缘"
PORTRAIT_GROUPS = [(v, v) for v in (NEW_DIBAO, DISPERSED_TEKUN, DIBAO_EDGE)]
# 五看五防止: the seed names the rule without its items; these are the items county practice uses. 五看: what the
# visit looked at, each written down (rigid spending on illness and schooling among them, as S004 asks); 五防止: what
# the person who decides confirms, the first being the seed's own 坚决杜绝以纳入低保为由不识别为监测对象.
FIVE_LOOKS = {
    "look_housing": "一看房：住房是否安全，居住条件",
    "look_grain": "二看粮：吃穿是否不愁，家庭收入来源",
    "look_labour": "三看劳动力：劳动力强不强，务工就业情况",
    "look_students": "四看读书郎：家中有无上学子女及教育支出",
    "look_illness": "五看病人：家中有无患病、残疾成员及医疗支出",
}
FIVE_PREVENTS = {
    "prevent_dibao_instead": "防止以纳入低保代替监测（低保不能替代防返贫监测）",
    "prevent_income_only": "防止只看收入、不看患病上学等刚性支出",
    "prevent_missed": "防止应纳未纳、漏识漏评",
    "prevent_wrongly_included": "防止不符合条件的农户纳入（优亲厚友、错识错评）",
    "prevent_skipped_steps": "防止不按程序识别（未入户核实、未民主评议、未公示）",
}
PORTRAIT_INCOMPLETE = "一户一画像须完成“五看五防止”：{}"

"""The code tables of the teams app: unit levels, team posts, check-in and absence kinds and states."""

from __future__ import annotations

__all__ = [
    "ABSENCE_STATES",
    "ASSESSMENT_GRADES",
    "ASSESSMENT_KINDS",
    "CHECKIN_KINDS",
    "LEAVE_TYPES",
    "MEETING_KINDS",
    "OFFICIAL_TYPES",
    "POSTS",
    "TRAINING_LEVELS",
    "UNIT_LEVELS",
]

UNIT_LEVELS = [(v, v) for v in ("中央", "省", "市", "县", "乡镇", "其他")]

FIRST_SECRETARY, LEADER, MEMBER = "第一书记", "队长", "队员"
POSTS = [(FIRST_SECRETARY, FIRST_SECRETARY), (LEADER, LEADER), (MEMBER, MEMBER)]

PHONE, MAKE_UP = "签到", "补录"
CHECKIN_KINDS = [(PHONE, "手机签到"), (MAKE_UP, "补录")]

# an absence is either leave (请假, approved by length) or an official trip (公出: a meeting or training reported in
# advance, which counts as a day in the village)
LEAVE, OFFICIAL = "请假", "公出"
CATEGORIES = [(LEAVE, LEAVE), (OFFICIAL, OFFICIAL)]
LEAVE_TYPES = [(v, v) for v in ("事假", "病假", "年休假", "婚假", "丧假", "产假", "探亲假", "其他")]
OFFICIAL_TYPES = [(v, v) for v in ("会议", "培训", "公务")]
TYPES = {LEAVE: [v for v, _ in LEAVE_TYPES], OFFICIAL: [v for v, _ in OFFICIAL_TYPES]}

PENDING_TOWNSHIP = "pending_township"
PENDING_COUNTY = "pending_county"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
RETURNED = "returned"
REPORTED = "reported"
ABSENCE_STATES = [
    (PENDING_TOWNSHIP, "待乡镇审批"),
    (PENDING_COUNTY, "待县委组织部审批"),
    (APPROVED, "已批准"),
    (REJECTED, "未批准"),
    (WITHDRAWN, "已撤回"),
    (RETURNED, "已销假"),
    (REPORTED, "已报备"),
]
PENDING_STATES = (PENDING_TOWNSHIP, PENDING_COUNTY)
LEAVE_GRANTED = (APPROVED, RETURNED)  # leave that counts as leave days
ACTIVE_STATES = (PENDING_TOWNSHIP, PENDING_COUNTY, APPROVED, RETURNED, REPORTED)  # may not overlap another

WEEKLY_MEETING, MONTHLY_REVIEW = "周例会", "乡镇月度讲评"
MEETING_KINDS = [
    (WEEKLY_MEETING, WEEKLY_MEETING),
    (MONTHLY_REVIEW, MONTHLY_REVIEW),
    ("党课", "第一书记党课"),
    ("理论领学", "理论和政策领学"),
    ("包村领导检查", "包村领导检查指导"),
]
TOWNSHIP_MEETINGS = (MONTHLY_REVIEW,)

ASSESSMENT_KINDS = [(v, v) for v in ("年度考核", "期满考核")]
ASSESSMENT_GRADES = [(v, v) for v in ("优秀", "称职", "基本称职", "不称职")]
TRAINING_LEVELS = [(v, v) for v in ("中央", "省级", "市级", "县级", "乡镇")]
COUNTY_OR_ABOVE = ("中央", "省级", "市级", "县级")

LEADER_POSTS = [(v, v) for v in ("主要领导", "分管领导")]

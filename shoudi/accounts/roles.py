"""The roles and the region level each is assigned to."""

COUNTY_ADMIN = "county_admin"
DEPARTMENT = "department"
TOWNSHIP_REVIEWER = "township_reviewer"
VILLAGE_OFFICER = "village_officer"
CADRE = "cadre"
INSPECTOR = "inspector"
# the village-stationed teams (驻村工作队, the teams app): a member, the township's manager, the county's 组织部
TEAM_MEMBER = "team_member"
TEAM_MANAGER = "team_manager"
ORGANIZATION = "organization"

ROLE_CHOICES = [
    (COUNTY_ADMIN, "县级管理员"),
    (DEPARTMENT, "行业部门"),
    (TOWNSHIP_REVIEWER, "乡镇审核员"),
    (VILLAGE_OFFICER, "村级信息员"),
    (CADRE, "帮扶干部"),
    (INSPECTOR, "督查(只读)"),
    (TEAM_MEMBER, "驻村工作队员"),
    (TEAM_MANAGER, "乡镇驻村管理员"),
    (ORGANIZATION, "县委组织部"),
]
ROLES = [r for r, _ in ROLE_CHOICES]
ROLE_LABELS = dict(ROLE_CHOICES)

# The region level a role works at; None = any level.
ROLE_LEVEL = {
    COUNTY_ADMIN: "county",
    DEPARTMENT: "county",
    TOWNSHIP_REVIEWER: "township",
    VILLAGE_OFFICER: "village",
    CADRE: None,
    INSPECTOR: None,
    TEAM_MEMBER: "village",
    TEAM_MANAGER: "township",
    ORGANIZATION: "county",
}

DEPARTMENT_CHOICES = [
    ("medical_insurance", "医保"),
    ("civil_affairs", "民政"),
    ("disabled_federation", "残联"),
    ("education", "教育"),
    ("housing", "住建"),
    ("human_resources", "人社"),
    ("health", "卫健"),
    ("emergency", "应急管理"),
    ("rural_revitalization", "乡村振兴"),
]

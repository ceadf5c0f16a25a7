"""One demo user per role in the demo county; the passwords are printed by `shoudi demo`."""

from shoudi.regions.models import Region

from .models import User
from .roles import (
    CADRE,
    COUNTY_ADMIN,
    DEPARTMENT,
    INSPECTOR,
    ORGANIZATION,
    ROLE_LABELS,
    TEAM_MANAGER,
    TEAM_MEMBER,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)

DEMO_PASSWORD = "shoudi-demo-2026"  # noqa: S105 - printed for the demo county on purpose
COUNTY_CODE = "520199"

# username, role, region code, name, extra
DEMO_USERS = [
    ("admin", COUNTY_ADMIN, COUNTY_CODE, "县乡村振兴局管理员", {}),
    ("yibao", DEPARTMENT, COUNTY_CODE, "县医保局经办人", {"department": "medical_insurance"}),
    ("shenhe", TOWNSHIP_REVIEWER, COUNTY_CODE + "001", "青山镇审核员", {}),
    ("xinxiyuan", VILLAGE_OFFICER, COUNTY_CODE + "001001", "村级信息员", {}),
    ("ganbu", CADRE, COUNTY_CODE + "001001", "帮扶干部", {}),
    ("ducha", INSPECTOR, COUNTY_CODE, "县督查组", {}),
    ("zhucun", TEAM_MEMBER, COUNTY_CODE + "001001", "驻村第一书记", {}),
    ("zhucunguan", TEAM_MANAGER, COUNTY_CODE + "001", "青山镇驻村管理员", {}),
    ("zuzhibu", ORGANIZATION, COUNTY_CODE, "县委组织部", {}),
]


def build(ctx) -> None:
    for username, role, code, name, extra in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            name=name,
            role=role,
            region=Region.objects.get(code=code),
            phone=f"139{ctx.rng.randrange(10**8):08d}",
            **extra,
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
    logins(ctx)


def logins(ctx) -> None:
    regions = {r.code: r for r in Region.objects.filter(code__in=[u[2] for u in DEMO_USERS])}
    for username, role, code, _name, _extra in DEMO_USERS:
        region = regions.get(code)
        ctx.logins.append((ROLE_LABELS[role], username, DEMO_PASSWORD, region.full_name if region else code))

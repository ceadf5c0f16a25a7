"""The demo county 守望县 (fictional): 8 townships, 80 villages, codes nested as 统计用区划代码."""

from .models import Region

COUNTY_CODE = "520199"
COUNTY_NAME = "守望县"
TOWNSHIPS = ["青山镇", "白水镇", "石门乡", "龙潭镇", "桃源乡", "红岩镇", "松林乡", "金竹镇"]
VILLAGE_FIRST = "安宝长大东丰凤高光和红花黄金九乐联龙马明南平青仁三山上石水顺松太桃田望新兴杨油永玉云中竹"
VILLAGE_SECOND = "坝坪村沟湾岭寨口河塘冲溪庄堡桥坡田"


def has_data() -> bool:
    """Whether the database already holds regions (``shoudi demo --if-empty`` then builds nothing)."""
    return Region.objects.exists()


def build(ctx) -> None:
    county, _ = Region.objects.get_or_create(code=COUNTY_CODE, defaults={"name": COUNTY_NAME})
    used = set(Region.objects.filter(code__startswith=COUNTY_CODE, level="village").values_list("name", flat=True))
    new = 0
    for t, township_name in enumerate(TOWNSHIPS, start=1):
        township, created = Region.objects.get_or_create(
            code=f"{COUNTY_CODE}{t:03d}", defaults={"name": township_name, "parent": county}
        )
        new += created
        for v in range(1, 11):
            code = f"{township.code}{v:03d}"
            if Region.objects.filter(code=code).exists():
                continue
            while True:
                name = ctx.rng.choice(VILLAGE_FIRST) + ctx.rng.choice(VILLAGE_FIRST) + "村"
                if name not in used:
                    used.add(name)
                    break
            Region.objects.create(code=code, name=name, parent=township)
            new += 1
    ctx.shared["county"] = county
    ctx.say(f"区划：{COUNTY_NAME}，新增 {new} 个乡镇/村。")

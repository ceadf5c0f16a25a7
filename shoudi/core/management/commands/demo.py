from django.core.management.base import BaseCommand
from django.db import transaction

from shoudi.core.context import acting_as
from shoudi.core.democounty import DemoContext, demo_modules


class Command(BaseCommand):
    help = "建立演示县（固定随机种子，可重复运行，不会重复生成数据），并打印各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有区划时不再生成，只打印演示账号")

    def handle(self, *args, seed, if_empty, **options):
        ctx = DemoContext(seed=seed, stdout=self.stdout)
        modules = demo_modules()
        # an app's demo may say whether the database already has data (core knows no domain model)
        build = not (if_empty and any(module.has_data() for module in modules if hasattr(module, "has_data")))
        with acting_as(None, source="cli"):
            for module in modules:
                if build:
                    with transaction.atomic():
                        module.build(ctx)
                elif hasattr(module, "logins"):
                    module.logins(ctx)
        if not build:
            self.stdout.write("数据库已有数据，未重新生成演示县。")
        if ctx.logins:
            self.stdout.write("")
            self.stdout.write("演示账号（登录 http://127.0.0.1:8000/login/）：")
            for role, username, password, region in ctx.logins:
                self.stdout.write(f"  {role:<8}\t{username:<12}\t{password}\t{region}")

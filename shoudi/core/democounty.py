"""The demo county framework: `shoudi demo` runs every installed app's ``demo.build(ctx)`` in INSTALLED_APPS order.

Each app adds its own data and must be idempotent (get-or-create by natural keys) and deterministic (use
``ctx.rng`` / ``ctx.faker``, both seeded), so that re-running the command duplicates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from faker import Faker

__all__ = ["DemoContext", "demo_modules"]


@dataclass
class DemoContext:
    seed: int
    stdout: object
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # role, username, password, region
    shared: dict = field(default_factory=dict)  # what one app's demo hands to the next (e.g. the county)

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible demo data, not secrets
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(self.seed)

    def say(self, line: str) -> None:
        self.stdout.write(line)


def demo_modules() -> list:
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("shoudi.") and module_has_submodule(config.module, "demo"):
            modules.append(import_module(f"{config.name}.demo"))
    return modules

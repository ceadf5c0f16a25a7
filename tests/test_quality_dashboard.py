"""The dashboards' data-quality card: the open problems by severity, each figure the count of the list it links to,
and the quality score (problems per 100 households); a run or a confirmed waiver moves it."""

from __future__ import annotations

import re

from django.test import RequestFactory

from shoudi.core.nightly import run_frequent_steps
from shoudi.dashboards.refresh import rebuild
from shoudi.dashboards.views import cards_for
from shoudi.quality.engine import run
from shoudi.quality.models import Hit
from shoudi.quality.testing import clean_family
from shoudi.registry.models import Member
from shoudi.work import services as work

ROW_COUNT = re.compile(r'id="row-count">(\d+)<')


def _card(user, region):
    request = RequestFactory().get("/")
    request.user = user
    return next(data for card, data in cards_for(request, region) if card.key == "quality")


def test_the_card_counts_open_problems_by_severity_with_the_score(
    world, client_for, django_capture_on_commit_callbacks
):
    for village in (world.village_a, world.village_b):
        _, members = clean_family(village)
        Member.objects.filter(pk=members[2].pk).update(employed=True)  # 错误: 3_01_010
        Member.objects.filter(pk=members[1].pk).update(phone="12345")  # 提示: 7_01_020
    clean_family(world.village_a2)
    with django_capture_on_commit_callbacks(execute=True):
        run(region=world.county)
    rebuild()
    data = _card(world.admin, world.county)
    assert data.categories == ["错误", "疑点", "提示"]
    assert data.series[0].values == [2, 0, 2]
    assert data.notes == ["质量得分：每百户待整改问题 133.3 个（3 户，4 个问题）"]
    client = client_for(world.admin)
    for value, link in zip(data.series[0].values, data.series[0].links, strict=True):
        listed = int(ROW_COUNT.search(client.get(link).content.decode()).group(1))
        assert listed == value, link
    township = _card(world.reviewer_a, world.township_a)
    assert township.series[0].values == [1, 0, 1]

    problem = Hit.objects.get(rule="7_01_020", village=world.village_a).problem
    work.request_waiver(problem=problem, user=world.officer_a, reason="村委会座机")
    work.decide_closure(problem=problem, user=world.reviewer_a, approve=True)
    run_frequent_steps()  # what the worker does within seconds: the changed problem's village, then its figures
    run_frequent_steps()
    assert _card(world.admin, world.county).series[0].values == [2, 0, 1]

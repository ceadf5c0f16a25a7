"""Filtering a list refreshes only its table (htmx), for the generic list and for a list that extends it."""

import pytest

from shoudi.registry.testing import make_household

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "object-list"}


@pytest.mark.parametrize("url", ["/registry/households/", "/registry/members/"])
def test_filtering_answers_with_the_table_alone(world, client_for, url):
    make_household(world.village_a, head="王小明")
    make_household(world.village_a, head="李四")
    client = client_for(world.admin)
    response = client.get(url, {"q": "王小明"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="object-list">') and "<html" not in html
    assert "王小明" in html and "李四" not in html

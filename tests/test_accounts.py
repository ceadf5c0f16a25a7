"""Login, throttling, sessions, CSRF: what a user at the login page notices."""

from django.conf import settings
from django.test import Client

from shoudi.accounts.testing import PASSWORD


def test_login_with_the_form_and_see_own_region(client, world):
    response = client.post("/login/", {"username": "officer_a", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "甲村信息员" in html and "测试县甲镇甲村" in html


def test_wrong_password_is_refused_in_chinese(client, world):
    response = client.post("/login/", {"username": "officer_a", "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_login_is_locked_after_repeated_failures(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "officer_a", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/login/", {"username": "officer_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_expire_when_idle_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_csrf_is_enforced_on_forms(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    response = client.post(
        f"/regions/{world.village_a.pk}/edit/",
        {"code": world.village_a.code, "name": "无令牌", "parent": world.township_a.pk},
    )
    assert response.status_code == 403
    world.village_a.refresh_from_db()
    assert world.village_a.name == "甲村"


def test_login_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "officer_a", "password": PASSWORD}).status_code == 403


def test_logout_ends_the_session(client_for, world):
    client = client_for(world.officer_a)
    client.post("/logout/")
    assert client.get("/regions/").status_code == 302


def test_menu_shows_only_what_the_role_may_open(client_for, world):
    officer = client_for(world.officer_a).get("/").content.decode()
    assert "行政区划" in officer and "/users/" not in officer and "敏感信息访问记录" not in officer
    admin = client_for(world.admin).get("/").content.decode()
    assert "/users/" in admin and "敏感信息访问记录" in admin


def test_password_change_validates(client_for, world):
    client = client_for(world.officer_a)
    response = client.post("/me/password/", {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    world.officer_a.refresh_from_db()
    assert world.officer_a.check_password(PASSWORD)

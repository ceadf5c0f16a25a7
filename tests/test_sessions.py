"""Issue 15: pages for a signed-in user are never cached (no-store), and polling a job does not keep an idle session
alive; HTTPS deployments get HSTS and the proxy's protocol header."""

from __future__ import annotations

import subprocess
import sys

from django.contrib.sessions.models import Session


def test_signed_in_pages_and_unmasked_values_are_not_cached(client_for, world):
    admin = client_for(world.admin)
    for url in ("/", f"/users/{world.officer_a.pk}/phone/", "/registry/households/"):
        assert "no-store" in admin.get(url)["Cache-Control"], url


def test_a_poll_does_not_keep_the_session_alive(client_for, world):
    client = client_for(world.admin)
    client.get("/")
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(expire_date=session.expire_date.replace(year=2030))
    client.get("/system/jobs/", headers={"X-Shoudi-Poll": "1"})
    assert Session.objects.get().expire_date.year == 2030  # not refreshed by the poll
    client.get("/system/jobs/")
    assert Session.objects.get().expire_date.year != 2030  # refreshed by a real request


def test_https_deployments_get_hsts_and_the_proxy_protocol(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='shoudi.settings'; django.setup();"
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {"PATH": "/usr/bin:/bin", "SHOUDI_DATA_DIR": str(tmp_path), "SHOUDI_SECURE_COOKIES": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["31536000", "('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_the_polling_job_page_marks_its_polls(client_for, world):
    from shoudi.core.jobs import start_job

    job = start_job(kind="registry.export", user=world.admin, params={"region_code": "520102"}, title="导出")
    html = client_for(world.admin).get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s" hx-headers=\'{"X-Shoudi-Poll": "1"}\'' in html

"""The steps after a household import (national cases, national measures): run and logged by the import job; a
failing step fails the job with its message while the households stay imported, and 重试后续步骤 runs only the steps
left, without importing again."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from shoudi.assistance.models import Measure
from shoudi.core.models import Job
from shoudi.core.registry import PostImportStep, registry
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household, HouseholdImport
from shoudi.registry.synthetic import generate_rows, write_national_xlsx

# the import hands its households to the steps after its commit: no test transaction around it
pytestmark = pytest.mark.django_db(transaction=True)

HOUSEHOLDS = 60


@pytest.fixture
def immediate_jobs(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def national_file(tmp_path, world):
    path = tmp_path / "农户.xlsx"
    write_national_xlsx(
        path,
        generate_rows([world.village_a], households=HOUSEHOLDS, seed=3, year=2025),
        title="测试县2025年度农户信息",
        details="导出时间：2026-03-01",
    )
    return path


class FlakyStep:
    """A step that fails (民政数据暂不可用) until it is told the data is back."""

    def __init__(self):
        self.calls = 0
        self.failing = True

    def __call__(self, *, household_ids, user):
        self.calls += 1
        if self.failing:
            raise RuntimeError("民政数据暂不可用")
        return {"核对": len(household_ids)}


def import_through_the_pages(client, path) -> HouseholdImport:
    with path.open("rb") as fh:
        client.post("/registry/import/", {"file": fh})
    record = HouseholdImport.objects.get()
    assert record.status == "previewed"
    client.post(f"/registry/import/{record.pk}/commit/")
    record.refresh_from_db()
    return record


def monitored_households():
    return Household.objects.filter(national_data__has_key="identified_on")


def imported_measures():
    return Measure.objects.filter(content="国家系统导入")


def test_an_import_runs_its_steps_and_logs_them(client_for, world, national_file, immediate_jobs):
    record = import_through_the_pages(client_for(world.officer_a), national_file)

    assert record.status == "committed" and Household.objects.count() == HOUSEHOLDS
    assert record.steps_done == ["national_cases", "national_measures", "dashboard_figures", "quality_run"]
    assert sorted(record.household_ids) == sorted(Household.objects.values_list("pk", flat=True))
    cases = MonitoringCase.objects.filter(imported=True)
    assert monitored_households().exists() and cases.count() == monitored_households().count()
    assert imported_measures().exists()
    job = record.commit_job
    job.refresh_from_db()
    assert job.status == Job.SUCCEEDED
    assert f"生成国家系统监测对象：新增 {cases.count()}" in job.log
    assert f"导入国家系统帮扶措施：新增 {imported_measures().count()}" in job.log
    page = client_for(world.officer_a).get(record.get_absolute_url()).content.decode()
    assert "已导入" in page and "重试后续步骤" not in page


def test_a_failing_step_fails_the_job_and_a_retry_runs_only_the_steps_left(
    client_for, world, national_file, immediate_jobs
):
    flaky = FlakyStep()
    client = client_for(world.officer_a)
    with registry.added(
        "post_import_steps", PostImportStep("civil_check", "核对民政数据", flaky), key="civil_check", order=15
    ):
        record = import_through_the_pages(client, national_file)
        job = Job.objects.get(pk=record.commit_job_id)

        # the job failed visibly with the step's message; the households and the steps before it are in
        assert job.status == Job.FAILED and job.error == "后续步骤“核对民政数据”未完成：民政数据暂不可用"
        assert record.status == "committed" and Household.objects.count() == HOUSEHOLDS
        assert record.steps_done == ["national_cases"]
        cases = MonitoringCase.objects.filter(imported=True).count()
        assert cases and not imported_measures().exists()  # the step after the failed one has not run
        page = client.get(record.get_absolute_url()).content.decode()
        assert "民政数据暂不可用" in page and "重试后续步骤" in page and "核对民政数据、导入国家系统帮扶措施" in page

        client.post(f"/registry/import/{record.pk}/retry-steps/")  # still failing
        record.refresh_from_db()
        steps_job = record.steps_job
        assert steps_job.kind == "registry.import_steps" and steps_job.status == Job.FAILED
        assert steps_job.error == job.error and flaky.calls == 2 and record.steps_done == ["national_cases"]
        assert "重试后续步骤" in client.get(record.get_absolute_url()).content.decode()

        flaky.failing = False
        client.post(f"/registry/import/{record.pk}/retry-steps/")
        steps_job.refresh_from_db()
        record.refresh_from_db()
        assert record.steps_job == steps_job and steps_job.status == Job.SUCCEEDED and flaky.calls == 3
        assert record.steps_done == [
            "national_cases",
            "civil_check",
            "national_measures",
            "dashboard_figures",
            "quality_run",
        ]
        assert imported_measures().exists() and MonitoringCase.objects.filter(imported=True).count() == cases
        # nothing imported again, and the step done before the failure did not run again
        assert Household.objects.count() == HOUSEHOLDS
        assert "导入文件" not in steps_job.log and "生成国家系统监测对象" not in steps_job.log
        assert "继续未完成的后续步骤" in steps_job.log and f"核对民政数据：核对 {HOUSEHOLDS}" in steps_job.log
        job.refresh_from_db()
        assert job.status == Job.FAILED and "导入文件" in job.log  # the commit job keeps its history
        page = client.get(record.get_absolute_url()).content.decode()
        assert "重试后续步骤" not in page and "已导入" in page
        client.post(f"/registry/import/{record.pk}/retry-steps/")  # nothing left to retry
        assert flaky.calls == 3


def test_retrying_the_commit_job_itself_does_not_import_again(client_for, world, national_file, immediate_jobs):
    from shoudi.core.jobs import retry_job

    flaky = FlakyStep()
    with registry.added(
        "post_import_steps", PostImportStep("civil_check", "核对民政数据", flaky), key="civil_check", order=15
    ):
        record = import_through_the_pages(client_for(world.officer_a), national_file)
        flaky.failing = False
        retry_job(job=record.commit_job, user=world.officer_a)  # the job page's 重新运行
    job = Job.objects.get(pk=record.commit_job_id)
    record.refresh_from_db()
    assert job.status == Job.SUCCEEDED and job.log.count("导入文件") == 1 and flaky.calls == 2
    assert record.steps_done == [
        "national_cases",
        "civil_check",
        "national_measures",
        "dashboard_figures",
        "quality_run",
    ]


def test_only_the_importer_retries_and_only_a_failed_import(client_for, world, national_file, immediate_jobs):
    record = import_through_the_pages(client_for(world.officer_a), national_file)
    assert client_for(world.officer_b).post(f"/registry/import/{record.pk}/retry-steps/").status_code == 404
    response = client_for(world.officer_a).post(f"/registry/import/{record.pk}/retry-steps/", follow=True)
    assert "该导入没有需要重试的后续步骤" in response.content.decode()


def test_the_command_line_runs_the_steps_and_fails_with_the_message(world, national_file):
    flaky = FlakyStep()
    with registry.added(
        "post_import_steps", PostImportStep("civil_check", "核对民政数据", flaky), key="civil_check", order=15
    ):
        out = io.StringIO()
        message = "后续步骤“核对民政数据”未完成：民政数据暂不可用（农户信息已导入）"
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("import_households", str(national_file), stdout=out)
    assert Household.objects.count() == HOUSEHOLDS and "生成国家系统监测对象：新增" in out.getvalue()
    assert MonitoringCase.objects.filter(imported=True).exists() and not imported_measures().exists()

"""The generated permission contract (issue 15): every URL of the URL conf, with GET and — where the view takes it —
POST, for an anonymous visitor, each role in scope, and each permitted role on another county's object.
Built from the URL conf, tests/permission_contract.py and the permission registry; a URL without an entry fails."""

from __future__ import annotations

import datetime
import secrets
import shutil
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shoudi.accounts.roles import (
    CADRE,
    COUNTY_ADMIN,
    DEPARTMENT,
    INSPECTOR,
    ORGANIZATION,
    ROLES,
    TEAM_MANAGER,
    TEAM_MEMBER,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)
from shoudi.accounts.testing import make_user, make_world
from shoudi.core.registry import registry

from .permission_contract import CONTRACT, OBJECT_MODELS, Entry


def url_names(patterns=None, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            names += url_names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


URL_NAMES = sorted(set(url_names()))


def test_every_url_has_an_entry():
    missing = [name for name in URL_NAMES if name not in CONTRACT]
    stale = [name for name in CONTRACT if name not in URL_NAMES]
    assert not missing, f"URLs without a permission-contract entry (tests/permission_contract.py): {missing}"
    assert not stale, f"entries for URLs that no longer exist: {stale}"


# --- the objects the URLs are about, in scope (village A of county 520102) and of another county (520103) --------


class ContractWorld:
    def __init__(self, world):
        from shoudi.assistance import services as assistance
        from shoudi.assistance.models import Cadre, GuaranteeProblem, Measure, Portrait, RhythmSettings
        from shoudi.core.models import Holiday, Synonym
        from shoudi.ledgers.models import SavedLedger
        from shoudi.matching.models import MatchingSettings
        from shoudi.monitoring import choices as mc
        from shoudi.monitoring.models import MonitoringCase, MonitoringLine, MonitoringSettings, ScreeningBatch
        from shoudi.registry.testing import make_household, make_income, make_site
        from shoudi.work.models import Problem

        self.world = world
        self.users = {
            COUNTY_ADMIN: world.admin,
            DEPARTMENT: make_user("dept", DEPARTMENT, world.county, department="medical_insurance"),
            TOWNSHIP_REVIEWER: world.reviewer_a,
            VILLAGE_OFFICER: world.officer_a,
            CADRE: make_user("cadre_a", CADRE, world.village_a, name="帮扶干部甲"),
            INSPECTOR: world.inspector,
            TEAM_MEMBER: make_user("team_member_a", TEAM_MEMBER, world.village_a, name="驻村队员甲"),
            TEAM_MANAGER: make_user("team_manager_a", TEAM_MANAGER, world.township_a, name="甲镇驻村管理员"),
            ORGANIZATION: make_user("organization", ORGANIZATION, world.county, name="县委组织部"),
        }
        self.other_user = make_user("other_admin", COUNTY_ADMIN, world.other_county, name="邻县管理员")
        self.objects: dict[str, dict] = {}
        today = datetime.date.today()
        for side, village, county in (("in", world.village_a, world.county), ("out", world.other_village, None)):
            county = county or world.other_county
            household = make_household(village, household_no=f"{side}-1", head=f"{side}户主")
            income = make_income(household, 2025, size=1, wage=9000)
            case = MonitoringCase.objects.create(
                household=household, source="农户自主申报", clue_date=today, step=mc.VERIFICATION
            )
            monitored = MonitoringCase.objects.create(
                household=make_household(village, household_no=f"{side}-2", head=f"{side}监测户"),
                category="边缘易致贫户",
                source="农户自主申报",
                clue_date=today - datetime.timedelta(days=40),
                identified_on=today - datetime.timedelta(days=30),
                step=mc.MONITORING,
            )
            cadre = Cadre.objects.create(
                name=f"{side}干部",
                unit="县农业农村局",
                region=village,
                user=self.users[CADRE] if side == "in" else None,
            )
            assistance.pair(household=household, cadre=cadre, user=world.admin if side == "in" else self.other_user)
            assistance.pair(
                household=monitored.household, cadre=cadre, user=world.admin if side == "in" else self.other_user
            )
            self.objects[side] = {
                "household": household,
                "member": household.head,
                "income": income,
                "site": make_site(village, name=f"{side}安置点", leader_phone="13912345678"),
                "case": case,
                "monitored_case": monitored,
                "cadre": cadre,
                "measure": Measure.objects.create(household=household, category="健康帮扶", content="救助"),
                "problem": GuaranteeProblem.objects.create(household=household, kind="住房安全有保障"),
                "portrait": Portrait.objects.create(household=household, group="新申请低保", conclusion="暂无风险"),
                "line": MonitoringLine.objects.create(region=county, year=2025, amount=Decimal("8000")),
                "monitoring_settings": MonitoringSettings.objects.create(region=county),
                "rhythm_settings": RhythmSettings.objects.create(region=county),
                "saved_ledger": SavedLedger.objects.create(region=county, base_code="lifted", title=f"{side}台账"),
                "synonym": Synonym.objects.create(
                    region_code=county.code, vocabulary="id_type", text=f"{side}证", folded=f"{side}证", value="其他"
                ),
                "holiday": Holiday.objects.create(
                    region_code=county.code, date=datetime.date(2031, 1, 1), kind="rest", name=f"{side}节"
                ),
                "work_problem": Problem.objects.create(
                    source="暗访督导",
                    category="饮水",
                    title=f"{side}问题",
                    issuer_region=county,
                    region=village,
                    due_date=today + datetime.timedelta(days=30),
                ),
                **self.campaign(county),
                **self.tasklists(village, county),
                "village": village,
                "user": world.officer_a if side == "in" else self.other_user,
                "batch": ScreeningBatch.objects.create(year=2025, region_code=county.code),
                "matching_settings": MatchingSettings.objects.create(region=county),
                "case_attachment": self.attachment(case),
                **self.matching(household, county),
                **self.teams(village, county, self.users[TEAM_MEMBER] if side == "in" else None),
                **self.quality(household, village, county),
                **self.projects(village, county),
                **self.notices(village, county, household),
                **self.lowincome(household, village, county),
                **self.sectors(household),
                **self.employment(household, village, county),
            }

    def campaign(self, county) -> dict:
        """A campaign of the county with a work item and its 专班 person."""
        from shoudi.campaigns.models import Campaign, WorkItem, WorkItemPerson

        campaign = Campaign.objects.create(
            name="百日攻坚",
            issuer_region=county,
            start_date=datetime.date(2026, 7, 1),
            end_date=datetime.date(2026, 10, 31),
        )
        item = WorkItem.objects.create(campaign=campaign, number=1, task="驻村帮扶提升", lead_unit="县委组织部")
        person = WorkItemPerson.objects.create(item=item, name="专班人员", phone="13712345678")
        return {"campaign": campaign, "campaign_item": item, "campaign_person": person}

    def tasklists(self, village, county) -> dict:
        """A county's list with a task for the village, and a weekly task with this week's assignment."""
        from shoudi.tasklists import choices as tc
        from shoudi.tasklists.models import Assignment, Recipient, Task, TaskList

        today = datetime.date.today()
        task_list = TaskList.objects.create(title="清单", issuer_region=county)
        task = Task.objects.create(
            task_list=task_list, title="任务", issuer_region=county, due_date=today + datetime.timedelta(days=30)
        )
        weekly = Task.objects.create(
            title="每周任务", issuer_region=county, recurrence=tc.WEEKLY, due_weekday=5, starts_on=today
        )
        Recipient.objects.create(task=weekly, region=village)
        monday = today - datetime.timedelta(days=today.weekday())
        Assignment.objects.create(task=weekly, region=village, period_start=monday, due_date=today)
        assignment = Assignment.objects.create(task=task, region=village, period_start=today, due_date=task.due_date)
        return {"tl_list": task_list, "tl_task": task, "tl_recurring": weekly, "tl_assignment": assignment}

    def quality(self, household, village, county) -> dict:
        """A data-quality hit of the village with its open problem, and the settings."""
        from django.utils import timezone

        from shoudi.quality.models import Hit, QualitySettings
        from shoudi.work.models import Problem

        problem = Problem.objects.create(
            source="数据质量",
            category="数据质量",
            title="在校生有务工信息",
            issuer_region=county,
            region=village,
            due_date=datetime.date.today() + datetime.timedelta(days=10),
            source_model="quality.hit",
            source_pk=f"3_01_010:{household.head.pk}",
        )
        hit = Hit.objects.create(
            rule="3_01_010",
            subject_pk=household.head.pk,
            member=household.head,
            household=household,
            village=village,
            figures={"姓名": household.head.name, "在校生状况": "八年级", "务工月数": "3"},
            fingerprint="contract",
            found_at=timezone.now(),
            problem=problem,
        )
        return {"quality_hit": hit, "quality_settings": QualitySettings.objects.create(region=county)}

    def projects(self, village, county) -> dict:
        """A village's proposal (waiting for its township), an asset of it with an income and a draft plan, and a
        督查 of the county."""
        from shoudi.projects.models import Asset, AssetIncome, DistributionPlan, Inspection, Project

        today = datetime.date.today()
        project = Project.objects.create(
            name=f"{village.name}产业路",
            project_type="基础设施",
            subtype="农村道路",
            region=village,
            implementing_unit="县交通运输局",
            year=2026,
            budget_central=Decimal("1000"),
        )
        asset = Asset.objects.create(
            project=project,
            name=f"{village.name}冷库",
            kind="经营性",
            value=Decimal("1000"),
            region=village,
            accepted_on=today,
            transfer_due=today + datetime.timedelta(days=90),
        )
        income = AssetIncome.objects.create(asset=asset, year=2026, amount=Decimal("100"), received_on=today)
        return {
            "project": project,
            "asset": asset,
            "distribution": DistributionPlan.objects.create(
                asset=asset, income=income, household_amount=Decimal("100")
            ),
            "inspection": Inspection.objects.create(region=county, year=2026, quarter=1, inspectors="县督查组"),
        }

    def lowincome(self, household, village, county) -> dict:
        """A 低保 designation of the household from a 民政 list imported at the village, an action applied for,
        and the county's visit settings."""
        from shoudi.lowincome.models import Designation, DesignationImport, LowIncomeSettings, SupportAction

        batch = DesignationImport.objects.create(region=village, file_name="民政名单.xlsx", created_count=1)
        designation = Designation.objects.create(
            household=household, member=household.head, category="农村低保", source="民政名单", batch=batch
        )
        return {
            "designation": designation,
            "designation_import": batch,
            "support_action": SupportAction.objects.create(household=household, kind="申请低保", content="申请"),
            "lowincome_settings": LowIncomeSettings.objects.create(region=county),
        }

    def employment(self, household, village, county) -> dict:
        """This year's verification round of the county with the household head to verify, a 公益性岗位 of the
        village he holds with a month's attendance, a 帮扶车间 employing him, his 交通补贴, the settings."""
        from shoudi.employment.models import (
            Attendance,
            EmploymentSettings,
            Placement,
            Post,
            TransportSubsidy,
            Verification,
            VerificationRound,
            Workshop,
            WorkshopEmployee,
        )

        head = household.head
        round_ = VerificationRound.objects.create(
            county=county, year=2026, reference_date=datetime.date(2026, 12, 31), state="started"
        )
        post = Post.objects.create(name="保洁员", region=village, employer="村委会", monthly_subsidy=Decimal("1000"))
        placement = Placement.objects.create(post=post, member=head, start_date=datetime.date(2026, 1, 1))
        workshop = Workshop.objects.create(name=f"{village.name}车间", region=village, operator="合作社")
        return {
            "emp_round": round_,
            "emp_verification": Verification.objects.create(
                round=round_, member=head, village=village, group="16-60", age=40
            ),
            "emp_post": post,
            "emp_placement": placement,
            "emp_attendance": Attendance.objects.create(
                placement=placement, month=datetime.date(2026, 3, 1), days=20, subsidy_paid=Decimal("1000")
            ),
            "emp_workshop": workshop,
            "emp_worker": WorkshopEmployee.objects.create(
                workshop=workshop, member=head, year=2026, months=6, income=Decimal("6000")
            ),
            "emp_transport": TransportSubsidy.objects.create(
                member=head, year=2026, destination="广东", amount=Decimal("500")
            ),
            "emp_settings": EmploymentSettings.objects.create(region=county),
        }

    def attachment(self, case):
        from django.core.files.base import ContentFile

        from shoudi.monitoring.models import CaseAttachment

        attachment = CaseAttachment(case=case, kind="会议记录")
        attachment.file.save("会议记录.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
        return attachment

    def matching(self, household, county) -> dict:
        """A released 医保 run of the county (with its findings) and one still in preview."""
        import tempfile
        from pathlib import Path

        from shoudi.matching.models import Finding
        from shoudi.matching.testing import accept_any_coverage, run_list

        accept_any_coverage(county)
        admin = self.world.admin if county == self.world.county else self.other_user
        folder = Path(tempfile.mkdtemp())
        rows = [["某人", "11010519491231002X", "100"]]  # not a member: every member of the county is absent
        run = run_list(folder, "medical_insurance", ["姓名", "证件号码", "合规自付费用"], rows, user=admin)
        preview = run_list(
            folder,
            "medical_insurance",
            ["姓名", "证件号码", "合规自付费用"],
            rows,
            user=admin,
            period="2025-06",
            name="b.xlsx",
            release=False,
        )
        return {"run": run, "preview_run": preview, "finding": Finding.objects.filter(run=run).first()}

    def notices(self, village, county, household) -> dict:
        """An earlier case of the household, eliminated by the county's 县级确定 (its 退出告知书); the county's
        明白纸 and a village's 整村发放 of it."""
        from django.core.files.base import ContentFile

        from shoudi.monitoring import choices as mc
        from shoudi.monitoring.models import CaseEvent, MonitoringCase, NoticeBatch, NoticeDelivery, NoticeDocument

        today = datetime.date.today()
        eliminated = MonitoringCase.objects.create(
            household=household,  # paired with the cadre: in his scope
            source="农户自主申报",
            clue_date=today - datetime.timedelta(days=400),
            identified_on=today - datetime.timedelta(days=390),
            eliminated_on=today,
            chain=mc.ELIMINATION,
            step=mc.ELIMINATED,
            is_open=False,
        )
        CaseEvent.objects.create(  # confirmed by the county: its 退出告知书 prints
            case=eliminated, chain=mc.ELIMINATION, step=mc.COUNTY_REVIEW, action="县级确定", decision="风险消除"
        )
        document = NoticeDocument.objects.create(
            region=county, title="申报政策明白纸", file=ContentFile(b"%PDF-1.4", name="notice.pdf")
        )
        batch = NoticeBatch.objects.create(
            document=document, village=village, delivered_on=today, delivered_by="村干部", way="当面送达"
        )
        NoticeDelivery.objects.create(
            household=household,
            kind=NoticeDelivery.LEAFLET,
            document=document,
            delivered_by="村干部",
            recipient="户主",
            batch=batch,
        )
        return {"eliminated_case": eliminated, "notice_document": document, "notice_batch": batch}

    def teams(self, village, county, login) -> dict:
        """A team at the village, its member (the team member's login on the in side), his pending leave and log."""
        from shoudi.teams import choices as tc
        from shoudi.teams.models import Absence, Meeting, TeamSettings, UnitFund, UnitVisit, WorkLog
        from shoudi.teams.testing import make_member, make_team, make_unit

        unit = make_unit(county, name=f"{county.name}后盾单位")
        team = make_team(village, unit=unit)
        member = make_member(team, f"{village.name}队员", phone="13912345678", id_number="11010519491231002X")
        if login is not None:
            member.user = login
            member.save()
        start = datetime.date.today() + datetime.timedelta(days=3)
        absence = Absence.objects.create(
            member=member,
            kind="事假",
            start_date=start,
            end_date=start,
            days=1,
            reason="家中有事",
            state=tc.PENDING_TOWNSHIP,
        )
        return {
            "support_unit": unit,
            "team": team,
            "team_member": member,
            "team_member_unmask": member,
            "absence": absence,
            "absence_act": absence,
            "worklog": WorkLog.objects.create(member=member, day=datetime.date.today(), work_done="入户走访"),
            "meeting": Meeting.objects.create(region=village, host="第一书记", content="周例会"),
            "team_settings": TeamSettings.objects.create(region=county),
            "unit_visit": UnitVisit.objects.create(
                team=team, unit=unit, leader="局长", leader_post="主要领导", content="指导"
            ),
            "unit_fund": UnitFund.objects.create(team=team, unit=unit, year=2026, amount=Decimal("50000")),
        }

    def sectors(self, household) -> dict:
        """A severely disabled child of ten in the household, enrolled for 送教上门."""
        from shoudi.registry.testing import make_member
        from shoudi.sectors.models import HomeTeaching

        born = datetime.date.today().year - 10
        child = make_member(
            household, name="送教儿童", birth=f"{born}0101", disability_category="5", disability_grade="1"
        )
        enrolment = HomeTeaching.objects.create(
            member=child, school="中心小学", teacher="刘老师", start_date=datetime.date.today()
        )
        return {"home_teaching": enrolment}

    def own(self, name: str, user):
        """An object of the user's own (a job, an import), in his region."""
        from shoudi.core.jobs import start_job
        from shoudi.registry.models import HouseholdImport

        if name == "job":
            from shoudi.core.jobs.runner import job_dir
            from shoudi.core.models import Job

            job = start_job(kind="registry.export", user=user, params={"region_code": "520102"}, title="导出")
            job_dir(job.pk).mkdir(parents=True)
            (job_dir(job.pk) / "r.xlsx").write_bytes(b"PK")
            Job.objects.filter(pk=job.pk).update(
                status=Job.FAILED, result_file=f"jobs/{job.pk}/r.xlsx", result_name="r.xlsx"
            )
            return job
        if name in ("region_import_job", "cadre_import_job"):  # a finished check of an upload, by its own user
            from shoudi.core.models import Job

            kind = "regions.import_preview" if name == "region_import_job" else "assistance.import_cadres"
            job = start_job(kind=kind, user=user, params={"path": "uploads/x/a.xlsx", "filename": "a.xlsx"})
            Job.objects.filter(pk=job.pk).update(status=Job.FAILED, error="文件“a.xlsx”未被接受")
            return job
        return HouseholdImport.objects.create(
            token=secrets.token_hex(16), file_name="a.xlsx", user=user, region_code=user.region.code, status="previewed"
        )

    def kwargs(self, entry: Entry, side: str, user) -> tuple[dict, str]:
        """(URL kwargs, query string) of the entry's object on ``side``; None when the entry has no such side."""
        name = entry.obj
        if not name:
            return {}, ""
        if name == "ledger_name":
            return {"name": "lifted"}, ""
        if name == "vocabulary":
            return {"key": "id_type"}, ""
        if entry.own:
            owner = user if side == "in" else self.other_user
            return {"pk": self.own(name, owner).pk}, ""
        objects = self.objects[side]
        if name == "household_query":
            return {}, f"?household={objects['household'].pk}"
        if name == "monitored_household":
            return {"pk": objects["monitored_case"].household_id}, ""
        if name in ("region_query", "region_form"):
            return {}, f"?region={objects['village'].code}"
        if name == "unmask_member":
            return {"kind": "member", "pk": objects["member"].pk, "field": "id_number"}, ""
        if name == "case_attachment":
            return {"kind": "case_attachment", "pk": objects[name].pk}, ""
        if name in ACTION_URLS:
            obj, action = ACTION_URLS[name]
            return {"pk": objects[obj].pk, "action": action}, ""
        if name == "site_unmask":
            return {"pk": objects["site"].pk, "field": "leader_phone"}, ""
        if name == "team_member_unmask":
            return {"pk": objects[name].pk, "field": "phone"}, ""
        if name == "monitored_case":
            return {"case_pk": objects["monitored_case"].pk}, ""
        return {"pk": objects[name].pk}, ""


UNSCOPED = {"ledger_name", "vocabulary"}  # a name, not a row of a county
# an action URL's object → (the ContractWorld object it acts on, the action posted)
ACTION_URLS = {
    "case_act": ("case", "verification"),
    "work_problem_act": ("work_problem", "progress"),
    "tl_task_act": ("tl_recurring", "generate"),
    "tl_assignment_act": ("tl_assignment", "progress"),
    "absence_act": ("absence_act", "decide"),
    "project_act": ("project", "township_review"),
    "asset_act": ("asset", "maintenance"),
    "distribution_act": ("distribution", "publicize"),
    "support_action_act": ("support_action", "approve"),
}


def allowed(entry: Entry, role: str, action: str | None = None) -> bool:
    if not entry.model:
        return True
    if entry.roles and action is None:
        return role in entry.roles
    rows = registry.keyed("permissions")[entry.model].rows
    return (action or entry.action) in rows[role]


def may_view_object(entry: Entry, role: str) -> bool:
    model = OBJECT_MODELS.get(entry.obj, entry.model)
    return not model or entry.sees in registry.keyed("permissions")[model].rows[role]


def expected(entry: Entry, role: str, side: str, method: str) -> set[int]:
    statuses = entry.get if method == "get" else entry.post
    if statuses is None:
        return {405}  # the view does not take the method, whoever asks
    if not allowed(entry, role):
        if entry.obj and entry.obj not in UNSCOPED and not may_view_object(entry, role):
            return {403, 404}  # he may not see the kind at all: it does not exist for him
        return {403}
    if side == "out":
        return {404}
    return set(statuses)


def request(client, method: str, url: str):
    if method == "get":
        return client.get(url)
    path, _, query = url.partition("?")
    data = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    return client.post(url, data)


@pytest.fixture(scope="module")
def contract_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """(ContractWorld, its files): made once for the module's tests, in a transaction rolled back after the last of
    them. Each request of a test is rolled back at once; what a test makes itself (its own jobs) after the test."""
    files = tmp_path_factory.mktemp("contract-files")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=files), transaction.atomic():
        yield ContractWorld(make_world()), files
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", [n for n in URL_NAMES if n in CONTRACT])
def test_the_contract(name, contract_world, db, client, settings, tmp_path):
    contract, files = contract_world
    world = contract.world
    settings.MEDIA_ROOT = tmp_path / "files"
    shutil.copytree(files, settings.MEDIA_ROOT)  # a permitted delete removes its file: each test has its own copy
    entry = CONTRACT[name]
    methods = [m for m in ("get", "post") if (entry.get if m == "get" else entry.post) is not None or m == "get"]
    if entry.post is not None and "post" not in methods:
        methods.append("post")
    failures = []
    for method in methods:
        kwargs, query = contract.kwargs(entry, "in", world.admin)
        url = reverse(name, kwargs=kwargs) + query
        client.logout()
        response = request(client, method, url)
        if entry.public:
            if method == "get" and response.status_code != 200:
                failures.append(f"anonymous {method.upper()} {url}: {response.status_code}")
        elif response.status_code != 302 or "/login/" not in response.get("Location", ""):
            failures.append(f"anonymous {method.upper()} {url}: {response.status_code}, not sent to the login page")
        if entry.public:
            continue
        for role in ROLES:
            user = contract.users[role]
            sides = ["in"] + (["out"] if entry.obj and entry.obj not in UNSCOPED and allowed(entry, role) else [])
            for side in sides:
                kwargs, query = contract.kwargs(entry, side, user)
                url = reverse(name, kwargs=kwargs) + query
                client.force_login(user)
                with transaction.atomic():  # each request sees the same world: a permitted delete is undone
                    status = request(client, method, url).status_code
                    transaction.set_rollback(True)
                want = expected(entry, role, side, method)
                if status not in want:
                    failures.append(f"{role} {method.upper()} {url} ({side}): {status}, expected {sorted(want)}")
    assert not failures, "\n".join(failures)

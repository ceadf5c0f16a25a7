"""The permission contract: for every URL of the URL conf, the model and action that guard it and the object it is
about. tests/test_permission_contract.py turns each entry, with the permission registry (accounts/permissions.py and
every app's wiring), into requests: anonymous → the login page; a role without the action → 403 (404 where the role
may not even see the object's kind); a role with it, on an object of another county → 404; in scope → the page.

An entry: ``Entry(model, action, obj=…, get=…, post=…)``. ``obj`` names an object of ``ContractWorld`` whose pk
(or key) fills the URL's argument; ``get``/``post`` the statuses a permitted user in scope gets (None: the view does
not take that method, so it answers 405). A URL of the URL conf without an entry fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = frozenset({200})
# the model of each ContractWorld object: a role that may not view it gets 404 (it does not exist for him) or 403
OBJECT_MODELS = {
    "household": "registry.household",
    "monitored_household": "registry.household",
    "household_query": "registry.household",
    "member": "registry.member",
    "unmask_member": "registry.member",
    "income": "registry.incomerecord",
    "case": "monitoring.monitoringcase",
    "case_act": "monitoring.monitoringcase",
    "case_attachment": "monitoring.monitoringcase",
    "monitored_case": "monitoring.monitoringcase",
    "cadre": "assistance.cadre",
    "measure": "assistance.measure",
    "problem": "assistance.guaranteeproblem",
    "line": "monitoring.monitoringline",
    "monitoring_settings": "monitoring.monitoringsettings",
    "rhythm_settings": "assistance.rhythmsettings",
    "saved_ledger": "ledgers.savedledger",
    "synonym": "core.synonym",
    "holiday": "core.holiday",
    "work_problem": "work.problem",
    "work_problem_act": "work.problem",
    "campaign": "campaigns.campaign",
    "campaign_item": "campaigns.workitem",
    "campaign_person": "campaigns.workitem",
    "tl_list": "tasklists.tasklist",
    "tl_task": "tasklists.task",
    "tl_task_act": "tasklists.task",
    "tl_assignment": "tasklists.assignment",
    "tl_assignment_act": "tasklists.assignment",
    "village": "regions.region",
    "region_query": "regions.region",
    "region_form": "regions.region",
    "user": "accounts.user",
    "job": "core.job",
    "region_import_job": "core.job",
    "cadre_import_job": "core.job",
    "household_import": "registry.householdimport",
    "run": "matching.matchrun",
    "preview_run": "matching.matchrun",
    "finding": "matching.finding",
    "matching_settings": "matching.matchingsettings",
    "batch": "monitoring.monitoringline",
    "project": "projects.project",
    "project_act": "projects.project",
    "inspection": "projects.inspection",
    "asset": "projects.asset",
    "asset_act": "projects.asset",
    "distribution": "projects.distributionplan",
    "distribution_act": "projects.distributionplan",
}
DONE = frozenset({200, 302})  # a form with errors, or done and sent on
FORM = frozenset({200, 302, 400, 422})  # 422: refused as filled in, with its errors
POST_ONLY = None


@dataclass(frozen=True)
class Entry:
    model: str = ""  # the model whose permission row guards the URL ("" : any signed-in user)
    action: str = "view"
    obj: str = ""  # the ContractWorld object in the URL ("" : none)
    get: frozenset | None = OK
    post: frozenset | None = None
    public: bool = False  # open without signing in (login, health check)
    own: bool = False  # the user's own object (a job, an import): another user of the same role gets 404 too
    sees: str = "view"  # the action that makes the object visible at all (a screening batch: adding lines)
    roles: tuple[str, ...] = ()  # who may, when a business rule narrows the permission (a case step's own role)
    note: str = ""


CONTRACT: dict[str, Entry] = {
    "home": Entry(),
    "healthz": Entry(public=True),
    "accounts:login": Entry(public=True, post=FORM),
    "accounts:logout": Entry(get=None, post=DONE),
    "accounts:profile": Entry(post=FORM),
    "accounts:password_change": Entry(post=FORM),
    "accounts:user_list": Entry("accounts.user"),
    "accounts:user_add": Entry("accounts.user", "add", post=FORM),
    "accounts:user_detail": Entry("accounts.user", obj="user"),
    "accounts:user_edit": Entry("accounts.user", "change", obj="user", post=FORM),
    "accounts:user_delete": Entry("accounts.user", "delete", obj="user", post=DONE),
    "accounts:user_phone": Entry("accounts.user", "unmask", obj="user"),
    "regions:region_list": Entry("regions.region"),
    "regions:region_add": Entry("regions.region", "add", post=FORM),
    "regions:region_import": Entry("regions.region", "import", post=FORM),
    "regions:region_import_job": Entry("regions.region", "import", obj="region_import_job", own=True, post=DONE),
    "regions:pick": Entry("regions.region", get=None, post=DONE),
    "regions:region_detail": Entry("regions.region", obj="village"),
    "regions:region_edit": Entry("regions.region", "change", obj="village", post=FORM),
    "regions:region_delete": Entry("regions.region", "delete", obj="village", post=DONE),
    "registry:household_list": Entry("registry.household"),
    "registry:household_add": Entry("registry.household", "add", post=FORM),
    "registry:household_detail": Entry("registry.household", obj="household"),
    "registry:household_edit": Entry("registry.household", "change", obj="household", post=FORM),
    "registry:member_list": Entry("registry.member"),
    "registry:member_add": Entry("registry.member", "add", post=FORM),
    "registry:member_edit": Entry("registry.member", "change", obj="member", post=FORM),
    "registry:member_delete": Entry("registry.member", "delete", obj="member", post=DONE),
    "registry:incomerecord_add": Entry("registry.incomerecord", "add", post=FORM),
    "registry:incomerecord_edit": Entry("registry.incomerecord", "change", obj="income", post=FORM),
    "registry:unmask": Entry("registry.member", "unmask", obj="unmask_member"),
    "registry:import_upload": Entry("registry.household", "import", post=FORM),
    "registry:import_detail": Entry("registry.householdimport", obj="household_import", own=True),
    "registry:import_commit": Entry("registry.householdimport", obj="household_import", own=True, get=None, post=DONE),
    "registry:import_retry_steps": Entry(
        "registry.householdimport", obj="household_import", own=True, get=None, post=DONE
    ),
    "registry:import_add_synonym": Entry("core.synonym", "add", obj="household_import", own=True, get=None, post=DONE),
    "registry:household_picker": Entry("registry.household"),
    "registry:member_picker": Entry("registry.member"),
    "assistance:cadre_picker": Entry("assistance.cadre"),
    "registry:export_national": Entry("registry.household", "export", get=None, post=DONE),
    "monitoring:case_list": Entry("monitoring.monitoringcase"),
    "monitoring:case_detail": Entry("monitoring.monitoringcase", obj="case"),
    "monitoring:case_act": Entry(
        "monitoring.monitoringcase", "change", obj="case_act", get=None, post=FORM, roles=("village_officer", "cadre")
    ),
    "monitoring:open_clue": Entry("monitoring.monitoringcase", "add", obj="household_query", post=FORM),
    "monitoring:batch_review": Entry("monitoring.monitoringcase", "change", post=FORM),
    "monitoring:screen": Entry("monitoring.monitoringline", "add", post=FORM),
    "monitoring:monitoringline_list": Entry("monitoring.monitoringline"),
    "monitoring:monitoringline_add": Entry("monitoring.monitoringline", "add", post=FORM),
    "monitoring:monitoringline_edit": Entry("monitoring.monitoringline", "change", obj="line", post=FORM),
    "monitoring:monitoringsettings_list": Entry("monitoring.monitoringsettings"),
    "monitoring:monitoringsettings_add": Entry("monitoring.monitoringsettings", "add", post=FORM),
    "monitoring:monitoringsettings_edit": Entry(
        "monitoring.monitoringsettings", "change", obj="monitoring_settings", post=FORM
    ),
    "assistance:worklist": Entry(),
    "assistance:cadre_list": Entry("assistance.cadre"),
    "assistance:cadre_add": Entry("assistance.cadre", "add", post=FORM),
    "assistance:cadre_import": Entry("assistance.cadre", "import", post=FORM),
    "assistance:cadre_import_job": Entry("assistance.cadre", "import", obj="cadre_import_job", own=True),
    "assistance:cadre_detail": Entry("assistance.cadre", obj="cadre"),
    "assistance:cadre_edit": Entry("assistance.cadre", "change", obj="cadre", post=FORM),
    "assistance:cadre_handover": Entry("assistance.pairing", "add", obj="cadre", get=None, post=DONE),
    "assistance:cadre_phone": Entry("assistance.cadre", "unmask", obj="cadre"),
    "assistance:pairing_list": Entry("assistance.pairing"),
    "assistance:bulk_pair": Entry("assistance.pairing", "add", post=FORM),
    "assistance:household_pair": Entry("assistance.pairing", "add", obj="household", get=None, post=DONE),
    "assistance:handbook": Entry("registry.household", obj="household"),
    "assistance:measure_list": Entry("assistance.measure"),
    "assistance:measure_add": Entry("assistance.measure", "add", post=FORM),
    "assistance:measure_edit": Entry("assistance.measure", "change", obj="measure", post=FORM),
    "assistance:guaranteeproblem_list": Entry("assistance.guaranteeproblem"),
    "assistance:problem_resolve": Entry("assistance.guaranteeproblem", "change", obj="problem", get=None, post=DONE),
    "assistance:visit_list": Entry("assistance.visit"),
    "assistance:visit_quick": Entry("assistance.visit", "add"),
    "assistance:visit_record": Entry("assistance.visit", "add", obj="household", post=FORM),
    "assistance:assessment_record": Entry("assistance.assessment", "add", obj="monitored_case", post=FORM),
    "assistance:rhythmsettings_list": Entry("assistance.rhythmsettings"),
    "assistance:rhythmsettings_add": Entry("assistance.rhythmsettings", "add", post=FORM),
    "assistance:rhythmsettings_edit": Entry("assistance.rhythmsettings", "change", obj="rhythm_settings", post=FORM),
    "cards:cards": Entry("registry.household", "export"),
    "cards:workcard": Entry("registry.household", obj="monitored_household"),
    "cards:workcard_batch": Entry("registry.household", "export", obj="region_query"),
    "cards:workcard_job": Entry("registry.household", "export", obj="region_form", get=None, post=DONE),
    "cards:mingbai": Entry("registry.household", obj="household"),
    "dashboards:home": Entry("regions.region"),
    "dashboards:region": Entry("regions.region", obj="village"),
    "dashboards:export": Entry("regions.region", obj="village"),
    "ledgers:ledger_center": Entry("ledgers.savedledger"),
    "ledgers:ledger_detail": Entry("ledgers.savedledger", obj="ledger_name"),
    "ledgers:ledger_download": Entry("ledgers.savedledger", "export", obj="ledger_name", get=None, post=DONE),
    "ledgers:ledger_copy": Entry("ledgers.savedledger", "add", obj="ledger_name", post=FORM),
    "ledgers:ledger_saved_edit": Entry("ledgers.savedledger", "change", obj="saved_ledger", post=FORM),
    "ledgers:ledger_saved_delete": Entry("ledgers.savedledger", "delete", obj="saved_ledger", post=DONE),
    "matching:run_list": Entry("matching.matchrun"),
    "matching:upload": Entry("matching.departmentlist", "add", post=FORM),
    "matching:base_export": Entry("matching.departmentlist", "export", post=FORM),
    "matching:run_detail": Entry("matching.matchrun", obj="run"),
    "matching:run_release": Entry("matching.matchrun", "add", obj="preview_run", get=None, post=DONE),
    "matching:run_withdraw": Entry("matching.matchrun", "add", obj="run", get=None, post=DONE),
    "matching:finding_list": Entry("matching.finding"),
    "matching:finding_detail": Entry("matching.finding", obj="finding"),
    "matching:finding_verify": Entry("matching.finding", "change", obj="finding", get=None, post=FORM),
    "matching:finding_resolve": Entry("matching.finding", "change", obj="finding", get=None, post=FORM),
    "matching:matchingsettings_list": Entry("matching.matchingsettings"),
    "matching:matchingsettings_add": Entry("matching.matchingsettings", "add", post=FORM),
    "matching:matchingsettings_edit": Entry("matching.matchingsettings", "change", obj="matching_settings", post=FORM),
    "monitoring:screening_batch": Entry("monitoring.monitoringline", "add", obj="batch", sees="add"),
    "monitoring:screening_withdraw": Entry(
        "monitoring.monitoringline", "add", obj="batch", get=None, post=DONE, sees="add"
    ),
    "core:objectchange_list": Entry("core.objectchange"),
    "core:accesslog_list": Entry("core.accesslog"),
    "core:job_list": Entry("core.job"),
    "core:job_detail": Entry("core.job", obj="job", own=True),
    "core:job_download": Entry("core.job", obj="job", own=True),
    "core:job_retry": Entry("core.job", "add", obj="job", own=True, get=None, post=DONE),
    "core:served_file": Entry("monitoring.monitoringcase", obj="case_attachment", note="one kind of served file"),
    "core:vocabulary_list": Entry("core.synonym"),
    "core:vocabulary_detail": Entry("core.synonym", obj="vocabulary"),
    "core:synonym_add": Entry("core.synonym", "add", obj="vocabulary", get=None, post=FORM),
    "core:synonym_delete": Entry("core.synonym", "delete", obj="synonym", get=None, post=DONE),
    "core:holiday_list": Entry("core.holiday"),
    "core:holiday_add": Entry("core.holiday", "add", post=FORM),
    "core:holiday_edit": Entry("core.holiday", "change", obj="holiday", post=FORM),
    "core:holiday_delete": Entry("core.holiday", "delete", obj="holiday", post=DONE),
    "work:problem_list": Entry("work.problem"),
    "work:problem_add": Entry("work.problem", "add", post=FORM),
    "work:problem_import": Entry("work.problem", "import", post=FORM),
    "work:responsible_picker": Entry("work.problem", "add"),
    "work:problem_detail": Entry("work.problem", obj="work_problem"),
    "work:problem_act": Entry(
        "work.problem", "change", obj="work_problem_act", get=None, post=DONE, roles=("village_officer",)
    ),
    "campaigns:campaign_list": Entry("campaigns.campaign"),
    "campaigns:campaign_add": Entry("campaigns.campaign", "add", post=FORM),
    "campaigns:campaign_detail": Entry("campaigns.campaign", obj="campaign"),
    "campaigns:campaign_edit": Entry("campaigns.campaign", "change", obj="campaign", post=FORM),
    "campaigns:problem_add": Entry("work.problem", "add", obj="campaign", post=FORM, note="登记问题"),
    "campaigns:item_add": Entry("campaigns.workitem", "add", obj="campaign", post=FORM),
    "campaigns:item_detail": Entry("campaigns.workitem", obj="campaign_item"),
    "campaigns:item_edit": Entry("campaigns.workitem", "change", obj="campaign_item", post=FORM),
    "campaigns:item_report": Entry("campaigns.progressnote", "add", obj="campaign_item", get=None, post=DONE),
    "campaigns:person_phone": Entry("campaigns.workitem", "unmask", obj="campaign_person"),
    "tasklists:assignment_list": Entry("tasklists.assignment"),
    "tasklists:month": Entry("tasklists.assignment"),
    "tasklists:list_add": Entry("tasklists.tasklist", "add", post=FORM),
    "tasklists:list_detail": Entry("tasklists.tasklist", obj="tl_list"),
    "tasklists:task_add": Entry("tasklists.task", "add", post=FORM),
    "tasklists:task_detail": Entry("tasklists.task", obj="tl_task"),
    # the in-scope recurring task is the county's: only its issuing level runs its periods
    "tasklists:task_act": Entry(
        "tasklists.task", "change", obj="tl_task_act", get=None, post=DONE, roles=("county_admin",)
    ),
    "tasklists:assignment_detail": Entry("tasklists.assignment", obj="tl_assignment"),
    # the in-scope assignment is village A's: only its recipient reports progress
    "tasklists:assignment_act": Entry(
        "tasklists.assignment", "change", obj="tl_assignment_act", get=None, post=DONE, roles=("village_officer",)
    ),
    "projects:project_list": Entry("projects.project"),
    "projects:project_add": Entry("projects.project", "add", post=FORM),
    "projects:project_import": Entry("projects.project", "import", post=FORM),
    "projects:project_detail": Entry("projects.project", obj="project"),
    "projects:project_edit": Entry("projects.project", "change", obj="project", post=FORM),
    "projects:project_act": Entry(
        "projects.project",
        "change",
        obj="project_act",
        get=None,
        post=DONE,
        roles=("township_reviewer",),
        note="乡镇审核 of a village's proposal: its township's reviewer only",
    ),
    "projects:annual_plan": Entry("projects.project", post=DONE, note="only the county admin's choice is taken"),
    "projects:funds_report": Entry("projects.allocation"),
    "projects:inspection_list": Entry("projects.inspection"),
    "projects:inspection_add": Entry("projects.inspection", "add", post=FORM),
    "projects:inspection_edit": Entry("projects.inspection", "change", obj="inspection", post=FORM),
    "projects:asset_list": Entry("projects.asset"),
    "projects:asset_detail": Entry("projects.asset", obj="asset"),
    "projects:asset_act": Entry("projects.asset", "change", obj="asset_act", get=None, post=DONE),
    "projects:distribution_detail": Entry("projects.distributionplan", obj="distribution"),
    "projects:distribution_act": Entry(
        "projects.distributionplan", "change", obj="distribution_act", get=None, post=DONE
    ),
}

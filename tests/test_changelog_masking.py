"""Issue 15: the change log showed a member's extra data (the unknown columns of an imported file) and a household's
national data as written — ID numbers, phones, birth dates, incomes and health in full to every reader of the
history. The history now masks them inside those dicts (by what each key names, else any ID or mobile number in
the text), as it masks the ID and phone fields themselves."""

from __future__ import annotations

import io

from python_calamine import CalamineWorkbook

from shoudi.core.context import acting_as
from shoudi.registry.testing import make_household, make_id_number, make_member

OLD_ID, NEW_ID = make_id_number("19850312"), make_id_number("19900704")
SECRETS = (OLD_ID, NEW_ID, "1985-03-12", "1990-07-04", "13912345678", "13887654321", "25000", "高血压", "肢体三级")


def history_of(client, household) -> str:
    page = client.get(household.get_absolute_url()).content.decode()
    return page[page.index('id="change-history"') :]


def test_member_extra_and_national_data_are_masked_in_the_history(world, client_for):
    with acting_as(world.officer_a, source="web"):
        household = make_household(world.village_a, household_type="脱贫户", national_data={"category": "脱贫户"})
        member = make_member(
            household,
            name="赵大",
            extra={"身份证号（旧）": OLD_ID, "出生日期": "1985-03-12", "手机号码": "13912345678", "备注": "无"},
        )
        member.extra = {
            "身份证号（旧）": NEW_ID,
            "出生日期": "1990-07-04",
            "手机号码": "13887654321",
            "家庭年收入": "25000",
            "慢性病": "高血压",
            "残疾情况": "肢体三级",
            "备注": f"本人 {NEW_ID}，电话 13887654321",
        }
        member.save()
        household.national_data = {"category": "脱贫不稳定户", "note": f"户主 {OLD_ID}"}
        household.save()

    for reader in (world.inspector, world.officer_a, world.admin):
        client = client_for(reader)
        history = history_of(client, household)
        assert "其他信息" in history and "国家系统监测与帮扶信息" in history
        assert "1985年" in history and "1990年" in history and "139****5678" in history
        assert NEW_ID[:6] + "********" + NEW_ID[-4:] in history and "脱贫不稳定户" in history
        assert not [secret for secret in SECRETS if secret in history], reader
    listing = client_for(world.inspector).get("/system/changes/").content.decode()
    assert "赵大" in listing and "其他信息" in listing and not [secret for secret in SECRETS if secret in listing]
    response = client_for(world.admin).get("/system/changes/", {"export": "xlsx"})
    cells = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    text = "\n".join("|".join(str(c) for c in row) for row in cells)
    assert "其他信息" in text and "1990年" in text and not [secret for secret in SECRETS if secret in text]

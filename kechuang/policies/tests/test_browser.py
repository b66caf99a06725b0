"""Browser test: a benefit run from the computation to the public notice, the enterprise's
confirmation on its page (我可享受的政策), the payment batch exported for the finance department
and the payment recorded (fixtures in kechuang/conftest.py and this package's conftest)."""

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.policies import services
from kechuang.policies.compute import execute_run
from kechuang.policies.models import BenefitRun, Entitlement
from kechuang.policies.tests.conftest import RD_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_notice_confirmation_payment(page: Page, users: Any, city: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    policy = services.create_policy(users["city_staff"], RD_TEXT)
    today = timezone.localdate()

    log_in(page, "city_staff")
    page.get_by_role("link", name="政策兑现").first.click()
    page.get_by_role("link", name="研发后补助（测试）").click()
    page.get_by_label("政策年度").fill("2025")
    with page.expect_navigation():
        page.get_by_test_id("start-run").click()
    execute_run(BenefitRun.objects.get(version__policy=policy).pk)  # the worker's part
    page.reload()
    page.get_by_test_id("run-row").get_by_role("link").click()
    expect(page.get_by_test_id("run-summary")).to_contain_text("符合条件 4 家，差一项 1 家")
    expect(page.get_by_test_id("entitlement-row")).to_have_count(5)
    page.get_by_label("公示开始").fill((today - dt.timedelta(days=15)).isoformat())
    page.get_by_label("公示结束").fill((today - dt.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.get_by_test_id("publish-notice").click()
    expect(page.get_by_test_id("run-summary")).to_contain_text("公示中")
    page.get_by_test_id("notice-link").click()
    expect(page.get_by_test_id("notice-row")).to_have_count(4)
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()

    confirm_as_enterprise(page)
    pay_the_batch(page, policy, today)
    assert errors == []


def confirm_as_enterprise(page: Page) -> None:
    log_in(page, "enterprise")
    page.goto("/policies/mine/")
    expect(page.get_by_test_id("my-amount")).to_have_text("150000.00")
    page.get_by_label("开户银行").fill("中国银行南阳分行")
    page.get_by_label("银行账号").fill("6217 0000 1234 5678")
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("my-status")).to_have_text("企业已确认")
    expect(page.get_by_test_id("my-entitlement")).to_contain_text("************5678")
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def pay_the_batch(page: Page, policy: Any, today: dt.date) -> None:
    log_in(page, "city_staff")
    run = BenefitRun.objects.get(version__policy=policy)
    page.goto(f"/policies/runs/{run.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("create-batch").click()
    page.get_by_test_id("batch-row").get_by_role("link").click()
    expect(page.get_by_test_id("budget-note")).to_contain_text("按预算同比例核减")
    with page.expect_download() as download:
        page.get_by_test_id("batch-xlsx").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    lines = {r[1]: r for r in rows[2:-1]}
    assert lines["卧龙测试企业（测试）"][5] == "6217000012345678"
    assert lines["卧龙测试企业（测试）"][7] == 62240.66
    assert rows[-1][7] == 100000
    page.get_by_label("拨付日期").fill(today.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("已拨付")
    assert set(
        Entitlement.objects.filter(batch__isnull=False).values_list("status", flat=True)
    ) == {"paid"}

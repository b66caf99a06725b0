"""The demo (演示数据): the example policies of data/policies/ (labelled 示例政策) computed
for the last three years of the synthetic registry's confirmed reports (2023–2025
today), through the module's own services as the demo city staff account: one run
paid (a batch within the budget, payment recorded), one in its public notice (with
an objection and a confirmation when the demo enterprise account is entitled), the
others under review. Deterministic for a registry; skipped when demo policies
exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Max
from django.utils import timezone

from kechuang.policies import services
from kechuang.policies.models import BenefitRun, EntitlementStatus, Policy, RunStage
from kechuang.registry.models import AnnualReport


def demo_years() -> tuple[int, int, int]:
    """The last three years with confirmed annual reports (the policies read them)."""
    last = AnnualReport.objects.filter(confirmed_at__isnull=False).aggregate(y=Max("year"))["y"]
    last = last or timezone.localdate().year - 1
    return (last - 2, last - 1, last)


@dataclass
class DemoReport:
    policies: int = 0
    runs: int = 0
    entitled: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        head = f"演示政策 {self.policies} 项（示例政策），兑现名单 {self.runs} 份，"
        lines = [f"{head}符合条件 {self.entitled} 家次。"]
        return "\n".join(lines + self.notes)


def demo_policy_count() -> int:
    return Policy.objects.filter(is_demo=True).count()


def _own_entitlement(run: BenefitRun, enterprise_user: Any) -> Any:
    if enterprise_user is None:
        return None
    return run.entitlements.filter(
        organization_id=enterprise_user.organization_id, status=EntitlementStatus.ENTITLED
    ).first()


def _paid(staff: Any, run: BenefitRun, today: dt.date, report: DemoReport) -> None:
    services.publish_notice(
        staff, run, today - dt.timedelta(days=40), today - dt.timedelta(days=30)
    )
    if run.entitlements.filter(status=EntitlementStatus.ENTITLED).exists():
        batch = services.create_batch(staff, run, today=today)
        services.record_payment(staff, batch, today)
        note = batch.budget_note or "预算内全额"
        report.notes.append(f"  {run}：公示结束，第 1 批拨付 {batch.total} 元（{note}）")


def _in_notice(
    staff: Any, enterprise: Any, run: BenefitRun, today: dt.date, report: DemoReport
) -> None:
    services.publish_notice(staff, run, today - dt.timedelta(days=2), today + dt.timedelta(days=5))
    own = _own_entitlement(run, enterprise)
    if own is not None:
        services.raise_objection(
            enterprise, own, "演示：我单位研发费用另有一笔未计入，请核实。（演示数据）"
        )
        report.notes.append(f"  {run}：公示中，演示企业已提出异议")
    else:
        report.notes.append(f"  {run}：公示中")


def write_demo_policies(data_dir: Path, staff: Any, enterprise: Any = None) -> DemoReport:
    report = DemoReport()
    today = timezone.localdate()
    years = demo_years()
    paid_year, notice_year = years[1], years[2]
    for path in sorted(data_dir.glob("*.yaml")):
        policy = services.create_policy(
            staff, path.read_text(encoding="utf-8"), "示例配置（演示数据）", is_demo=True
        )
        services.set_status(staff, policy, "issued")
        report.policies += 1
        for year in years:
            run = services.start_run(staff, policy, year, as_of=today, inline=True)
            report.runs += 1
            report.entitled += run.entitled
            if policy.code == "example-rd-increase-subsidy" and year == paid_year:
                _paid(staff, run, today, report)
            elif policy.code == "example-rd-increase-subsidy" and year == notice_year:
                _in_notice(staff, enterprise, run, today, report)
            elif policy.mode == "confirm" and year == notice_year:
                own = _own_entitlement(run, enterprise)
                if own is not None:
                    services.confirm(
                        enterprise, own, "中国银行南阳分行（演示）", "6217000000001234"
                    )
    noticed = BenefitRun.objects.filter(is_demo=True, stage=RunStage.NOTICE).count()
    report.notes.append(f"  其余名单处于审核阶段；公示中或已公示的名单 {noticed} 份。")
    return report

"""Projects from award to closure (issue #15): the task agreement (任务书) with its quantified
targets (考核指标), milestones, team and budget by source; its change requests; the funds
(tranches with conditions, 包干制 spending checked against the negative list, budget categories
otherwise); progress reports; mid-term reviews and acceptance panels by the programmes' expert
pool; 赛马制 stage gates; acceptance; the outputs linked to the registries. Amounts in 万元.

Scoping: a project hangs off the organization that carries it out (area and organization);
experts see the projects they review (`ScopeRule.expert`). The public record of results is a
selector of its own (closed, non-confidential projects), not the project's scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kechuang.contracts.models import TechContract
from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.market.models import Achievement
from kechuang.programs.models import Award, CallMode, Expert, Program
from kechuang.registry.models import Organization, Patent, Talent

AMOUNT = {"max_digits": 14, "decimal_places": 4}
POSITIVE = [MinValueValidator(Decimal(0))]
VALUE = {"max_digits": 18, "decimal_places": 4}


class ProjectStatus(models.TextChoices):
    AGREEMENT = "agreement", "任务书待签订"
    RUNNING = "running", "实施中"
    ACCEPTANCE = "acceptance", "验收中"
    RECTIFICATION = "rectification", "整改中"
    PASSED = "passed", "通过验收"
    CONCLUDED = "concluded", "结题"
    FAILED = "failed", "验收不通过（终止）"
    STOPPED = "stopped", "赛马淘汰（终止）"
    MERGED = "merged", "赛马合并（终止）"


CLOSED = (
    ProjectStatus.PASSED,
    ProjectStatus.CONCLUDED,
    ProjectStatus.FAILED,
    ProjectStatus.STOPPED,
    ProjectStatus.MERGED,
)
PROJECT_SCOPE = ScopeRule(
    area="organization__area", organization="organization", expert="reviews__expert__user"
)


class FundingScheme(DomainModel):
    """How a programme pays its projects: the tranches and their conditions (default 50 % on
    signing, 30 % after the mid-term review or stage gate, 20 % on acceptance)."""

    program = models.OneToOneField(
        Program, verbose_name="科技计划", on_delete=models.PROTECT, related_name="funding_scheme"
    )
    tranches = models.JSONField("拨付安排", help_text='[{"share": "50", "condition": "signing"}]')

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "经费拨付安排"
        verbose_name_plural = "经费拨付安排"


class Project(DomainModel):
    award = models.OneToOneField(
        Award, verbose_name="立项", on_delete=models.PROTECT, related_name="project"
    )
    program = models.ForeignKey(
        Program, verbose_name="科技计划", on_delete=models.PROTECT, related_name="projects"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="承担单位", on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField("项目名称", max_length=200)
    mode = models.CharField("组织方式", max_length=20, choices=CallMode.choices)
    race = models.CharField("赛马组（同一榜单/方向）", max_length=60, blank=True, db_index=True)
    leader = models.ForeignKey(
        Talent,
        verbose_name="项目负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ManyToManyField(Talent, verbose_name="项目团队", blank=True, related_name="+")
    lump_sum = models.BooleanField("经费包干制", default=False)
    confidential = models.BooleanField("涉密（不公开成果）", default=False)
    city_funds = models.DecimalField("市财政经费（万元）", validators=POSITIVE, **AMOUNT)
    issuer_funds = models.DecimalField(
        "发榜单位配套（万元）", default=Decimal(0), validators=POSITIVE, **AMOUNT
    )
    enterprise_funds = models.DecimalField(
        "承担单位自筹（万元）", default=Decimal(0), validators=POSITIVE, **AMOUNT
    )
    budget = models.JSONField("预算科目（非包干，万元）", default=dict, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField(
        "状态", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.AGREEMENT
    )
    team_signature = models.CharField("承担单位签署记录", max_length=300, blank=True)
    city_signature = models.CharField("市科技局签署记录", max_length=300, blank=True)
    signed_scan = models.FileField("签署扫描件", upload_to="projects/%Y/", blank=True)
    signed_on = models.DateField("签订日期", null=True, blank=True)
    midterm = models.CharField(
        "中期评估结论",
        max_length=20,
        blank=True,
        choices=[("passed", "中期评估通过"), ("failed", "中期评估不通过")],
    )
    is_demo = models.BooleanField("演示数据", default=False)

    scope = PROJECT_SCOPE

    class Meta:
        verbose_name = "科技项目"
        verbose_name_plural = "科技项目"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def delete_for_demo_organizations(demo: models.QuerySet) -> int:
        """For `generate_demo --replace` (registry.synthetic.writer): every project of a demo
        organization with all its rows (bulk, no per-row audit: demo data); outputs elsewhere
        that link a demo patent lose the link. Returns the projects deleted."""
        projects = Project.objects.filter(organization__in=demo)
        Output.objects.filter(patent__organization__in=demo).exclude(project__in=projects).update(
            patent=None
        )
        gates = StageGate.objects.filter(decisions__project__in=projects)
        gate_ids = list(gates.values_list("pk", flat=True))
        for model in (
            GateDecision,
            Output,
            Acceptance,
            ProjectReview,
            ProgressReport,
            Spending,
            Tranche,
            ChangeRequest,
            Milestone,
            Target,
        ):
            rows = model.objects.filter(project__in=projects)
            rows._raw_delete(rows.db)
        StageGate.objects.filter(pk__in=gate_ids, decisions__isnull=True)._raw_delete(
            StageGate.objects.db
        )
        team = Project.team.through.objects.filter(project__in=projects)
        team._raw_delete(team.db)
        return projects._raw_delete(projects.db)

    @property
    def total_funds(self) -> Decimal:
        return self.city_funds + self.issuer_funds + self.enterprise_funds

    @property
    def closed(self) -> bool:
        return self.status in CLOSED


def _project_child(related: str) -> models.ForeignKey:
    return models.ForeignKey(
        Project, verbose_name="科技项目", on_delete=models.PROTECT, related_name=related
    )


CHILD_SCOPE = ScopeRule(
    area="project__organization__area",
    organization="project__organization",
    expert="project__reviews__expert__user",
)


class Verification(models.TextChoices):
    PATENT = "patent", "专利"
    TEST_REPORT = "test_report", "产品检测报告"
    CONTRACT = "contract", "技术合同"
    REVENUE = "revenue", "销售收入（财务报表）"
    PAPER = "paper", "论文"
    STANDARD = "standard", "标准"
    OTHER = "other", "其他证明材料"


class Target(DomainModel):
    """A quantified target (考核指标); `lower_is_better` for e.g. a defect rate."""

    project = _project_child("targets")
    name = models.CharField("指标名称", max_length=200)
    unit = models.CharField("单位", max_length=30)
    target_value = models.DecimalField("目标值", validators=POSITIVE, **VALUE)
    lower_is_better = models.BooleanField("越低越好", default=False)
    verification = models.CharField("考核方式", max_length=20, choices=Verification.choices)
    achieved = models.DecimalField("完成值", null=True, blank=True, **VALUE)
    evidence = models.FileField("佐证材料", upload_to="projects/%Y/", blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=200, blank=True)
    evidence_kind = models.CharField("识别出的文件类型", max_length=20, blank=True)
    removed = models.BooleanField("已经变更删除", default=False)

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.target_value.normalize():f} {self.unit}）"


class Milestone(DomainModel):
    project = _project_child("milestones")
    title = models.CharField("节点内容", max_length=200)
    due_on = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "里程碑"
        verbose_name_plural = "里程碑"
        ordering = ["project", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_on:%Y-%m-%d}）"


class ChangeKind(models.TextChoices):
    TEAM = "team", "团队成员"
    TARGETS = "targets", "考核指标"
    DATES = "dates", "时间节点"
    BUDGET = "budget", "预算调剂"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class ChangeRequest(DomainModel):
    """A change to the agreement; `before` and `proposed` keep the history."""

    project = _project_child("changes")
    kind = models.CharField("变更事项", max_length=20, choices=ChangeKind.choices)
    proposed = models.JSONField("变更后内容")
    before = models.JSONField("变更前内容", default=dict)
    reason = models.TextField("变更理由")
    status = models.CharField(
        "状态", max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decision_note = models.TextField("审批意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "任务书变更"
        verbose_name_plural = "任务书变更"
        ordering = ["project", "id"]


class TrancheCondition(models.TextChoices):
    SIGNING = "signing", "任务书签订后"
    MIDTERM = "midterm", "中期评估通过后"
    GATE = "gate", "赛马阶段评估继续后"
    ACCEPTANCE = "acceptance", "验收通过（或结题）后"


class TrancheStatus(models.TextChoices):
    PENDING = "pending", "待拨付"
    PAID = "paid", "已拨付"
    CANCELLED = "cancelled", "已取消"


class Tranche(DomainModel):
    project = _project_child("tranches")
    number = models.PositiveIntegerField("批次")
    share = models.DecimalField(
        "比例（%）",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    amount = models.DecimalField("金额（万元）", validators=POSITIVE, **AMOUNT)
    condition = models.CharField("拨付条件", max_length=20, choices=TrancheCondition.choices)
    status = models.CharField(
        "状态", max_length=20, choices=TrancheStatus.choices, default=TrancheStatus.PENDING
    )
    paid_on = models.DateField("拨付日期", null=True, blank=True)

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "经费拨付"
        verbose_name_plural = "经费拨付"
        ordering = ["project", "number"]


class Spending(DomainModel):
    """A reported item of spending; for 包干制 projects, checked against the negative list: each
    hit names its rule (`hits`), and the item needs an explanation to be submitted."""

    project = _project_child("spending")
    category = models.CharField("支出类别", max_length=50)
    description = models.CharField("支出内容", max_length=300)
    amount = models.DecimalField("金额（万元）", validators=POSITIVE, **AMOUNT)
    spent_on = models.DateField("支出日期")
    hits = models.JSONField("负面清单命中", default=list, blank=True)
    explanation = models.TextField("情况说明", blank=True)

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "经费支出"
        verbose_name_plural = "经费支出"
        ordering = ["project", "spent_on", "id"]


class ProgressReport(DomainModel):
    project = _project_child("reports")
    milestone = models.ForeignKey(
        Milestone,
        verbose_name="对应里程碑",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    period = models.CharField("报告期", max_length=50)
    content = models.TextField("进展情况")
    milestone_done = models.BooleanField("里程碑已完成", default=False)

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["project", "id"]


class ReviewStage(models.TextChoices):
    MIDTERM = "midterm", "中期评估"
    ACCEPTANCE = "acceptance", "验收评审"


class ProjectReview(DomainModel):
    """An expert of the programmes' pool reviewing a project at mid-term or acceptance
    (assigned by the programmes' min-cost flow under recusal)."""

    project = _project_child("reviews")
    stage = models.CharField("评审环节", max_length=20, choices=ReviewStage.choices)
    expert = models.ForeignKey(
        Expert, verbose_name="评审专家", on_delete=models.PROTECT, related_name="project_reviews"
    )
    fit = models.FloatField("匹配度", default=0)
    score = models.DecimalField(
        "评分",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    opinion = models.TextField("评审意见", blank=True)
    submitted = models.BooleanField("已提交", default=False)

    # The team never sees who reviews it.
    scope = ScopeRule(area="project__organization__area", expert="expert__user")

    class Meta:
        verbose_name = "项目评审"
        verbose_name_plural = "项目评审"
        ordering = ["project", "stage", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage", "expert"], name="projects_review_once"
            )
        ]


class GateDecisionKind(models.TextChoices):
    CONTINUE = "continue", "继续支持"
    MERGE = "merge", "合并"
    STOP = "stop", "终止"


class StageGate(DomainModel):
    """A 赛马制 stage gate: the parallel teams of one race compared on their targets."""

    race = models.CharField("赛马组", max_length=60)
    held_on = models.DateField("评估日期")
    comparison = models.JSONField("对比")
    note = models.TextField("说明", blank=True)

    scope = ScopeRule()  # city staff only (the teams see their own decision on the project)

    class Meta:
        verbose_name = "赛马阶段评估"
        verbose_name_plural = "赛马阶段评估"
        ordering = ["-held_on", "-id"]


class GateDecision(DomainModel):
    gate = models.ForeignKey(
        StageGate, verbose_name="阶段评估", on_delete=models.PROTECT, related_name="decisions"
    )
    project = _project_child("gate_decisions")
    decision = models.CharField("决定", max_length=20, choices=GateDecisionKind.choices)
    merged_into = models.ForeignKey(
        Project,
        verbose_name="并入项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completion = models.DecimalField("指标完成度", max_digits=7, decimal_places=4)
    reasons = models.TextField("理由")
    moved = models.JSONField(
        "合并转入内容",
        default=dict,
        blank=True,
        help_text='合并时转入并入项目的考核指标和团队成员：{"targets": [...], "team": [...]}',
    )

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "赛马评估决定"
        verbose_name_plural = "赛马评估决定"
        ordering = ["gate", "id"]


class Conclusion(models.TextChoices):
    PASSED = "passed", "通过"
    CONCLUDED = "concluded", "结题"
    FAILED = "failed", "不通过"


class Acceptance(DomainModel):
    """An application for acceptance (验收) with the completion computed per target, and the
    panel's conclusion."""

    project = _project_child("acceptances")
    summary = models.TextField("总结报告摘要")
    checklist = models.JSONField("指标核对表")
    completion = models.DecimalField("总体完成度", max_digits=7, decimal_places=4)
    suggested = models.CharField("核对建议", max_length=20, choices=Conclusion.choices)
    conclusion = models.CharField(
        "专家组结论", max_length=20, choices=Conclusion.choices, blank=True
    )
    reasons = models.TextField("结论理由", blank=True)
    rectify_until = models.DateField("整改期限", null=True, blank=True)
    decided_on = models.DateField("结论日期", null=True, blank=True)
    certificate_number = models.CharField("验收证书编号", max_length=40, blank=True)

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "项目验收"
        verbose_name_plural = "项目验收"
        ordering = ["project", "id"]


class OutputKind(models.TextChoices):
    PATENT = "patent", "专利"
    ACHIEVEMENT = "achievement", "科技成果（技术市场）"
    CONTRACT = "contract", "技术合同"
    PRODUCT = "product", "新产品"
    PAPER = "paper", "论文"
    STANDARD = "standard", "标准"


class Output(DomainModel):
    """What a project produced: linked to the registry row (patent, achievement, contract) or a
    row of its own (product, paper, standard)."""

    project = _project_child("outputs")
    kind = models.CharField("成果类型", max_length=20, choices=OutputKind.choices)
    title = models.CharField("名称", max_length=300)
    patent = models.ForeignKey(
        Patent,
        verbose_name="专利",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    achievement = models.ForeignKey(
        Achievement,
        verbose_name="科技成果",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contract = models.ForeignKey(
        TechContract,
        verbose_name="技术合同",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveIntegerField("年份")
    reference = models.CharField(
        "出处或编号（论文期刊、标准号、产品型号）", max_length=200, blank=True
    )

    scope = CHILD_SCOPE

    class Meta:
        verbose_name = "项目成果"
        verbose_name_plural = "项目成果"
        ordering = ["project", "kind", "id"]

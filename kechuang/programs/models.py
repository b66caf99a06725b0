"""R&D programmes (科技计划): programmes, calls that fix a workflow version, challenge lists
(榜单), applications and bids, the expert pool, review assignments, reviews, defence (答辩) and
awards (立项). Amounts are in 万元 (Decimal).

Scoping: an application hangs off its applying organization (area and organization), and
experts see the applications, assignments and reviews assigned to them (`ScopeRule.expert`);
programmes, published calls and challenges, and published awards are public.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.programs.engine import builtin
from kechuang.programs.engine.workflow import Workflow as WorkflowDefinition
from kechuang.programs.engine.workflow import parse
from kechuang.registry.models import IndustryChain, Organization, Talent, TechField

AMOUNT = {"max_digits": 14, "decimal_places": 4}
POSITIVE = [MinValueValidator(Decimal(0))]


class ProgramKind(models.TextChoices):
    MAJOR = "major", "重大科技专项"
    KEY_RD = "key_rd", "重点研发专项"
    TACKLING = "tackling", "科技攻关"
    FRONTIER = "frontier", "前沿探索"
    CHALLENGE = "challenge", "揭榜挂帅"
    OTHER = "other", "其他"


class CallMode(models.TextChoices):
    REGULAR = "regular", "常规申报"
    CHALLENGE = "challenge", "揭榜挂帅"
    HORSE_RACE = "horse_race", "赛马制"


class CallStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布（受理中）"
    CLOSED = "closed", "已截止（评审中）"
    RESULTS = "results", "已公示立项结果"


PUBLIC_CALL = (CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.RESULTS)


class Workflow(DomainModel):
    """A workflow by its stable code; its definitions are the versions."""

    code = models.CharField("流程编码", max_length=40, unique=True)
    name = models.CharField("流程名称", max_length=100)
    description = models.TextField("说明", blank=True)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "评审流程"
        verbose_name_plural = "评审流程"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def latest(self) -> WorkflowVersion | None:
        return self.versions.order_by("-number").first()


class WorkflowVersion(DomainModel):
    """One immutable version of a workflow's definition (stages → phases → transitions)."""

    workflow = models.ForeignKey(
        Workflow, verbose_name="流程", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    definition = models.JSONField("流程定义")
    note = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "评审流程版本"
        verbose_name_plural = "评审流程版本"
        ordering = ["workflow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="programs_wf_version")
        ]

    def __str__(self) -> str:
        return f"{self.workflow.name} 第 {self.number} 版"

    @property
    def parsed(self) -> WorkflowDefinition:
        cached = self.__dict__.get("_parsed")
        if cached is None:
            cached = self.__dict__["_parsed"] = parse(self.definition)
        return cached


class Program(DomainModel):
    name = models.CharField("计划名称", max_length=200)
    kind = models.CharField("计划类别", max_length=20, choices=ProgramKind.choices)
    year = models.PositiveIntegerField("年度")
    description = models.TextField("说明", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(public=Q())

    class Meta:
        verbose_name = "科技计划"
        verbose_name_plural = "科技计划"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Call(DomainModel):
    """A call for applications (申报指南 / 发榜批次); it fixes the workflow version it runs."""

    program = models.ForeignKey(
        Program, verbose_name="科技计划", on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField("批次名称", max_length=200)
    mode = models.CharField("组织方式", max_length=20, choices=CallMode.choices)
    workflow_version = models.ForeignKey(
        WorkflowVersion, verbose_name="流程版本", on_delete=models.PROTECT, related_name="calls"
    )
    guide = models.TextField("申报指南", blank=True)
    opens_at = models.DateTimeField("开始受理时间")
    closes_at = models.DateTimeField("申报截止时间")
    budget = models.DecimalField("批次总经费（万元）", validators=POSITIVE, **AMOUNT)
    max_request = models.DecimalField(
        "单项申请经费上限（万元）", null=True, blank=True, validators=POSITIVE, **AMOUNT
    )
    max_awards = models.PositiveIntegerField(
        "每个指南方向/榜单最多立项数", default=1, help_text="赛马制可同时立项多个团队"
    )
    reviews_per_application = models.PositiveIntegerField("每项评审专家人数", default=5)
    recuse_same_area = models.BooleanField("同地区专家回避", default=False)
    eligibility = models.JSONField("申报条件", default=list, blank=True)
    required_attachments = models.JSONField(
        "必备附件", default=list, blank=True, help_text='附件名称列表，如 ["可行性研究报告"]'
    )
    budget_categories = models.JSONField("预算科目", default=list, blank=True)
    form_fields = models.JSONField(
        "申报书自定义字段",
        default=list,
        blank=True,
        help_text='[{"code", "name", "required"}]',
    )
    criteria = models.JSONField("评审指标", default=list, blank=True)
    ranking_method = models.CharField(
        "排序方法",
        max_length=20,
        default="z_mean",
        choices=[
            ("z_mean", "标准分均值"),
            ("trimmed_mean", "去极值均值"),
            ("raw_mean", "原始均值"),
        ],
    )
    status = models.CharField(
        "状态", max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    results_published_at = models.DateTimeField("立项公示时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(public=Q(status__in=PUBLIC_CALL))

    class Meta:
        verbose_name = "申报批次"
        verbose_name_plural = "申报批次"
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def workflow(self) -> WorkflowDefinition:
        return self.workflow_version.parsed


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发榜"
    CLOSED = "closed", "已截止"
    AWARDED = "awarded", "已揭榜立项"
    UNAWARDED = "unawarded", "未揭榜"


class Challenge(DomainModel):
    """A challenge (榜单) of a 揭榜挂帅 or 赛马制 call: a problem with quantified targets
    (考核指标) and a budget cap; the 发榜单位 may be an enterprise that co-funds."""

    call = models.ForeignKey(
        Call, verbose_name="申报批次", on_delete=models.PROTECT, related_name="challenges"
    )
    code = models.CharField("榜单编号", max_length=30)
    title = models.CharField("榜单名称", max_length=200)
    problem = models.TextField("需求与技术难题")
    targets = models.JSONField("考核指标", default=list, help_text='[{"name", "unit", "value"}]')
    budget_cap = models.DecimalField("财政经费上限（万元）", validators=POSITIVE, **AMOUNT)
    co_funding = models.DecimalField(
        "发榜单位配套经费（万元）", default=Decimal(0), validators=POSITIVE, **AMOUNT
    )
    deadline = models.DateTimeField("揭榜截止时间", null=True, blank=True)
    issuer = models.ForeignKey(
        Organization,
        verbose_name="发榜单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="challenges_issued",
    )
    issuer_name = models.CharField("发榜单位名称", max_length=200, blank=True)
    industry = models.ForeignKey(
        IndustryChain, verbose_name="产业链", null=True, blank=True, on_delete=models.PROTECT
    )
    tech_fields = models.ManyToManyField(TechField, verbose_name="技术领域", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(public=Q(status__in=["published", "closed", "awarded", "unawarded"]))

    class Meta:
        verbose_name = "榜单"
        verbose_name_plural = "榜单"
        ordering = ["call", "code"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="programs_challenge_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


APPLICATION_SCOPE = ScopeRule(
    area="organization__area", organization="organization", expert="assignments__expert__user"
)


class Application(DomainModel):
    """An application of a call, or a bid (揭榜) for one of its challenges; `phase` is a phase
    code of the call's workflow version."""

    call = models.ForeignKey(
        Call, verbose_name="申报批次", on_delete=models.PROTECT, related_name="applications"
    )
    challenge = models.ForeignKey(
        Challenge,
        verbose_name="榜单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bids",
    )
    organization = models.ForeignKey(
        Organization, verbose_name="申报单位", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("项目名称", max_length=200)
    summary = models.TextField("项目摘要（研究内容与技术路线）")
    tech_fields = models.ManyToManyField(TechField, verbose_name="技术领域", blank=True)
    leader = models.ForeignKey(
        Talent,
        verbose_name="项目负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        Talent, verbose_name="团队成员", blank=True, related_name="program_applications"
    )
    budget = models.JSONField("预算（按科目，万元）", default=dict, blank=True)
    requested = models.DecimalField(
        "申请财政经费（万元）", default=Decimal(0), validators=POSITIVE, **AMOUNT
    )
    self_funding = models.DecimalField(
        "自筹经费（万元）", default=Decimal(0), validators=POSITIVE, **AMOUNT
    )
    form_data = models.JSONField("申报书其他内容", default=dict, blank=True)
    phase = models.CharField("所处环节", max_length=40, db_index=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    revision = models.PositiveIntegerField("修订版次", default=0)
    formal_check_note = models.TextField("形式审查意见", blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField("演示数据", default=False)

    scope = APPLICATION_SCOPE

    class Meta:
        verbose_name = "项目申报"
        verbose_name_plural = "项目申报"
        ordering = ["call", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def phase_label(self) -> str:
        phase = self.call.workflow.phases.get(self.phase)
        return phase.label if phase else self.phase

    @property
    def total_budget(self) -> Decimal:
        return self.requested + self.self_funding


class PartnerRole(models.TextChoices):
    CO_APPLICANT = "co_applicant", "联合申报单位"
    USER = "user", "应用单位"
    SUBCONTRACTOR = "subcontractor", "协作单位"


class ApplicationPartner(DomainModel):
    application = models.ForeignKey(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="partners"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="合作单位", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("角色", max_length=20, choices=PartnerRole.choices)

    scope = ScopeRule(
        area="application__organization__area", organization="application__organization"
    )

    class Meta:
        verbose_name = "合作单位"
        verbose_name_plural = "合作单位"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organization"], name="programs_partner_once"
            )
        ]


class ApplicationAttachment(DomainModel):
    application = models.ForeignKey(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("附件名称", max_length=100)
    file = models.FileField("文件", upload_to="programs/%Y/")
    file_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("识别出的文件类型", max_length=40)

    scope = ScopeRule(
        area="application__organization__area",
        organization="application__organization",
        expert="application__assignments__expert__user",
    )

    class Meta:
        verbose_name = "申报附件"
        verbose_name_plural = "申报附件"


class ApplicationRevision(DomainModel):
    """A snapshot of the application at each submission, for the diff between revisions."""

    application = models.ForeignKey(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField("版次")
    content = models.JSONField("内容")

    scope = ScopeRule(
        area="application__organization__area", organization="application__organization"
    )

    class Meta:
        verbose_name = "申报修订版"
        verbose_name_plural = "申报修订版"
        ordering = ["application", "number"]


class PhaseChange(DomainModel):
    """The workflow history of an application: every transition, by whom, with the version."""

    application = models.ForeignKey(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="history"
    )
    transition = models.CharField("操作", max_length=40)
    label = models.CharField("操作名称", max_length=100)
    source = models.CharField("原环节", max_length=40)
    target = models.CharField("新环节", max_length=40)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeRule(
        area="application__organization__area", organization="application__organization"
    )

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["application", "created_at", "id"]


class Expert(DomainModel):
    """An expert of the pool (专家库), drawn from the talent registry."""

    talent = models.OneToOneField(
        Talent, verbose_name="科技人才", on_delete=models.PROTECT, related_name="expert"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="专家账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    expertise = models.TextField("评审专业方向", blank=True)
    available = models.BooleanField("可参加评审", default=True)
    max_load = models.PositiveIntegerField("每批次评审量上限", default=10)
    collaborators = models.ManyToManyField(
        Talent,
        verbose_name="近三年合作者（共同发表、共同发明）",
        blank=True,
        related_name="expert_collaborations",
    )
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="talent__organization__area", expert="user")

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["talent__name", "id"]

    def __str__(self) -> str:
        return self.talent.name


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "已分配（待评审）"
    SUBMITTED = "submitted", "已提交评审意见"
    DECLINED = "declined", "已谢绝"
    CONFLICT = "conflict", "已声明利益冲突"


ACTIVE_ASSIGNMENT = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)


class Assignment(DomainModel):
    application = models.ForeignKey(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="assignments"
    )
    expert = models.ForeignKey(
        Expert, verbose_name="评审专家", on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(
        "状态", max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    manual = models.BooleanField("人工指定", default=False)
    fit = models.FloatField("匹配度", default=0)
    reason = models.TextField("谢绝或冲突理由", blank=True)

    # Applicants never see who reviews them: no organization path.
    scope = ScopeRule(area="application__organization__area", expert="expert__user")

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="programs_assign_once")
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"


class Recommendation(models.TextChoices):
    FUND = "fund", "建议立项"
    REVISE = "revise", "修改后立项"
    REJECT = "reject", "不建议立项"


class Review(DomainModel):
    assignment = models.OneToOneField(
        Assignment, verbose_name="评审分配", on_delete=models.CASCADE, related_name="review"
    )
    marks = models.JSONField("各指标得分")
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    comments = models.TextField("评审意见")
    recommendation = models.CharField("评审建议", max_length=20, choices=Recommendation.choices)

    scope = ScopeRule(
        area="assignment__application__organization__area", expert="assignment__expert__user"
    )

    class Meta:
        verbose_name = "评审意见"
        verbose_name_plural = "评审意见"


class DefenceScore(DomainModel):
    """A panel member's score at the defence (答辩) of a bid."""

    application = models.ForeignKey(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="defence"
    )
    panelist = models.CharField("答辩评委", max_length=50)
    score = models.DecimalField(
        "答辩得分", max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    comment = models.TextField("意见", blank=True)
    held_on = models.DateField("答辩日期")

    scope = ScopeRule(area="application__organization__area")

    class Meta:
        verbose_name = "答辩评分"
        verbose_name_plural = "答辩评分"
        ordering = ["application", "id"]


class Award(DomainModel):
    """The decision to fund (立项): the budget awarded and the reasons; published in the
    result list (立项公示). 赛马制 awards several teams for one direction or challenge."""

    application = models.OneToOneField(
        Application, verbose_name="项目申报", on_delete=models.PROTECT, related_name="award"
    )
    amount = models.DecimalField("立项财政经费（万元）", validators=POSITIVE, **AMOUNT)
    reasons = models.TextField("立项理由")
    decided_on = models.DateField("决定日期")
    rank = models.PositiveIntegerField("评审排名", null=True, blank=True)
    published = models.BooleanField("已公示", default=False)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(
        area="application__organization__area",
        organization="application__organization",
        public=Q(published=True),
    )

    class Meta:
        verbose_name = "立项"
        verbose_name_plural = "立项"
        ordering = ["-decided_on", "id"]

    def __str__(self) -> str:
        return f"立项：{self.application}"


class Decision(DomainModel):
    """A recorded decision not to fund, with its reasons (the award holds the positive ones)."""

    application = models.OneToOneField(
        Application, verbose_name="项目申报", on_delete=models.CASCADE, related_name="decision"
    )
    funded = models.BooleanField("立项")
    reasons = models.TextField("理由")
    decided_on = models.DateField("决定日期")

    scope = ScopeRule(
        area="application__organization__area", organization="application__organization"
    )

    class Meta:
        verbose_name = "立项决定"
        verbose_name_plural = "立项决定"


BUILTIN_WORKFLOWS = builtin.BUILTIN

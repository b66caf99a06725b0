"""The background job: one row per piece of long work a user asked for."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


PENDING = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    """Who asked for what (`kind`, `label`), the callable that does it (`target`, `params`), how
    far it got (`done`/`total`, `phase`), its outcome (`message`, `error`, the result file)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="jobs",
    )
    kind = models.CharField("类型", max_length=40)
    label = models.CharField("任务", max_length=200)
    target = models.CharField("执行函数", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField("阶段", max_length=60, blank=True)
    done = models.PositiveBigIntegerField("已完成", default=0)
    total = models.PositiveBigIntegerField("总数", default=0)
    message = models.TextField("结果", blank=True)
    error = models.TextField("失败原因", blank=True)
    result_file = models.CharField("结果文件", max_length=200, blank=True)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    # What the user may do next with the result (e.g. commit an import that passed validation in
    # the background): {"url": where the form posts, "label": the button, "fields": {name: value}}.
    offer = models.JSONField("后续操作", default=dict, blank=True)
    task_id = models.CharField("队列任务编号", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seen_at = models.DateTimeField("查看时间", null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"], name="core_job_owner_status")]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_status_display()}）"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def has_file(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.result_file)

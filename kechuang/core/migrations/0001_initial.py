# The audit trail moved from accounts to core (the base every app stands on). The table keeps its
# name: only Django's state moves, no data is copied.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="时间",
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("create", "新增"),
                                    ("update", "修改"),
                                    ("delete", "删除"),
                                    ("login_success", "登录成功"),
                                    ("login_failure", "登录失败"),
                                    ("login_locked", "账户锁定"),
                                    ("logout", "退出登录"),
                                ],
                                db_index=True,
                                max_length=20,
                                verbose_name="操作",
                            ),
                        ),
                        (
                            "actor_username",
                            models.CharField(
                                blank=True, db_index=True, max_length=150, verbose_name="操作人账号"
                            ),
                        ),
                        (
                            "ip",
                            models.GenericIPAddressField(
                                blank=True, null=True, verbose_name="客户端地址"
                            ),
                        ),
                        (
                            "user_agent",
                            models.CharField(blank=True, max_length=300, verbose_name="客户端"),
                        ),
                        (
                            "object_id",
                            models.CharField(
                                blank=True, db_index=True, max_length=64, verbose_name="对象编号"
                            ),
                        ),
                        (
                            "object_repr",
                            models.CharField(blank=True, max_length=200, verbose_name="对象"),
                        ),
                        (
                            "changes",
                            models.JSONField(blank=True, default=dict, verbose_name="字段变化"),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="操作人",
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contenttypes.contenttype",
                                verbose_name="对象类型",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "审计记录",
                        "verbose_name_plural": "审计记录",
                        "db_table": "accounts_auditentry",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["content_type", "object_id", "-at"],
                                name="accounts_au_content_0eb426_idx",
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        ),
    ]

"""Nothing history-bearing is lost by a delete.

Registry and reference rows (organizations, platforms, talents, areas ... and users) are pointed
at by records of history: confirmed figures, qualifications, applications, contracts, screening
results. A delete of such a row must never cascade into them. Foreign keys from history use
`PROTECT`; this module

- walks every model's relations (the apps registry, so modules added later are covered too) and
  tells which models a delete of a registry/reference row reaches by CASCADE
  (`cascade_reached`); `CASCADE_ALLOWED` names the few that may be, with the reason; a test
  fails on any other;
- guards the many-to-many links Django cascades by itself (an application's members, a
  contract's patents ...): a registry row still linked from such a record is refused with a
  `ProtectedError` naming the records (`install_link_guards`, connected when core is ready).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import pre_delete

# Apps whose rows are registry/reference rows (what history points to).
REGISTRY_APPS = ("registry",)
REGISTRY_MODELS = ("accounts.User",)

# Models a delete of a registry/reference row may reach by CASCADE, and why that loses no history.
CASCADE_ALLOWED: dict[str, str] = {
    "accounts.ApiToken": "API 令牌是登录凭据而非业务历史；删除用户即吊销其令牌（审计记录另存）。",
    "accounts.PasswordHistory": "以往密码的散列（仅防重复使用），属登录凭据，随用户删除。",
    "accounts.User_groups": "用户所属权限组的关联，随用户删除；权限变化另记于审计记录。",
    "accounts.User_user_permissions": "用户单独权限的关联，随用户删除；不属于业务历史。",
    "admin.LogEntry": "Django 管理后台自带的操作日志；平台的记录是审计记录（AuditEntry）。",
    "registry.InnovationPlatform_co_builders": "平台当前的共建单位名单（登记信息，非历史记录）。",
    "registry.Talent_tech_fields": "人才当前的技术领域标签（登记信息，非历史记录）。",
    "registry.Team_members": "团队当前的成员名单（登记信息，非历史记录）。",
}


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def registry_models() -> list[type[models.Model]]:
    """The registry/reference models: every model of `REGISTRY_APPS` plus `REGISTRY_MODELS`
    (their many-to-many link tables are reached from them, not starting points)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in REGISTRY_APPS or _label(model) in REGISTRY_MODELS
    ]


def cascade_edges() -> dict[type[models.Model], list[tuple[type[models.Model], Any]]]:
    """For each model, the (model, foreign key) pairs deleted with its rows by CASCADE,
    including Django's own many-to-many link tables."""
    edges: dict[type[models.Model], list[tuple[type[models.Model], Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            remote = field.remote_field
            if remote is not None and getattr(remote, "on_delete", None) is models.CASCADE:
                edges.setdefault(field.related_model, []).append((model, field))
    return edges


def cascade_reached() -> dict[str, list[str]]:
    """Every model a delete of a registry/reference row reaches by CASCADE (transitively), with
    the chain that reaches it (e.g. ["registry.Organization", "registry.Qualification"])."""
    edges = cascade_edges()
    starts = registry_models()
    chains: dict[str, list[str]] = {}
    queue = deque((model, [_label(model)]) for model in starts)
    seen = {_label(model) for model in starts}
    while queue:
        model, chain = queue.popleft()
        for child, _field in edges.get(model, []):
            label = _label(child)
            if label in seen:
                continue
            seen.add(label)
            chains[label] = [*chain, label]
            queue.append((child, chains[label]))
    return chains


def guarded_links() -> list[tuple[type[models.Model], Any, Any]]:
    """The many-to-many link tables a registry row's delete would cascade into that belong to a
    record of history: (link model, the link's key to the registry row, the key to the record)."""
    reached = cascade_reached()
    guarded = []
    for label, chain in reached.items():
        link = apps.get_model(label)
        if label in CASCADE_ALLOWED or not link._meta.auto_created or len(chain) != 2:
            continue
        target = apps.get_model(chain[0])
        keys = [f for f in link._meta.concrete_fields if f.is_relation]
        to_row = next(f for f in keys if f.related_model is target)
        to_record = next(f for f in keys if f is not to_row)
        guarded.append((link, to_row, to_record))
    return guarded


def link_blockers(instance: models.Model) -> list[models.Model]:
    """The records of history still linked to `instance` through a guarded link table."""
    blockers: list[models.Model] = []
    for link, to_row, to_record in _GUARDS.get(type(instance), []):
        ids = link._default_manager.filter(**{to_row.attname: instance.pk}).values_list(
            to_record.attname, flat=True
        )
        blockers += list(to_record.related_model._default_manager.filter(pk__in=ids[:20]))
    return blockers


def refuse_linked_delete(sender: type, instance: models.Model, **kwargs: Any) -> None:
    blockers = link_blockers(instance)
    if blockers:
        raise models.ProtectedError(
            f"该{instance._meta.verbose_name}“{instance}”仍被"
            f"{blockers[0]._meta.verbose_name}“{blockers[0]}”等 {len(blockers)} 条记录引用，"
            "不能删除。",
            set(blockers),
        )


_GUARDS: dict[type[models.Model], list[tuple[type[models.Model], Any, Any]]] = {}


def install_link_guards() -> None:
    """Connect `refuse_linked_delete` for every registry model behind a guarded link."""
    _GUARDS.clear()
    for link, to_row, to_record in guarded_links():
        _GUARDS.setdefault(to_row.related_model, []).append((link, to_row, to_record))
    for model in _GUARDS:
        pre_delete.connect(refuse_linked_delete, sender=model, dispatch_uid=f"guard-{model}")


def protected_message(instance: models.Model, error: Exception) -> str:
    """A refused delete in Chinese: which records still point at the row, and what to do."""
    blockers = list(getattr(error, "protected_objects", None) or ())
    what = f"该{instance._meta.verbose_name}“{instance}”"
    if not blockers:
        return f"{what}仍被其他记录引用，不能删除；如已注销或停用，请改用“注销/停用”保留历史。"
    first = blockers[0]
    kinds = "、".join(sorted({str(b._meta.verbose_name) for b in blockers}))
    return (
        f"{what}仍被 {len(blockers)} 条记录引用（{kinds}，如“{first}”），删除会丢失这些历史记录，"
        "因此不能删除；如该单位或平台已注销、停用，请改用“注销/停用”，历史记录会保留。"
    )

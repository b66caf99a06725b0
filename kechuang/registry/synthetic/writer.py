"""Writes a generated ecosystem into the database in bulk (the only module here that uses Django).

Rows go in with `bulk_create` inside one transaction, which sends no per-row audit signals:
one audit entry summarises the run instead. `--replace` removes earlier demo rows with raw
deletes for the same reason (a signal-sending delete would write one audit entry per row, a
million at scale 100). Accounts bound to a demo organization are re-bound to the regenerated
organization with the same USCC (or another demo organization of the same kind).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from kechuang.accounts.models import User
from kechuang.core.audit import record
from kechuang.core.models import AuditAction
from kechuang.registry.declarations import writable_columns
from kechuang.registry.models import (
    AnnualReport,
    Area,
    FigureReview,
    FigureSubmission,
    IndustryChain,
    InnovationPlatform,
    Organization,
    Patent,
    PlatformStatusChange,
    Qualification,
    QualificationSource,
    Talent,
    Team,
    TechField,
    Verification,
)
from kechuang.registry.synthetic.ecosystem import EcosystemPlan, OrgDetails, iter_details
from kechuang.registry.synthetic.ecosystem import plan_ecosystem as _plan
from kechuang.registry.synthetic.params import Baseline
from kechuang.registry.synthetic.reference import AreaRef, IndustryRef, Reference

BATCH_SIZE = 2000


class DemoDataExists(Exception):
    """Raised (with a Chinese message) when demo rows exist and `replace` was not asked for."""


@dataclass
class WriteReport:
    scale: float
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        c = self.counts
        return (
            f"generate_demo --scale {self.scale:g} --seed {self.seed}："
            f"{c.get('organizations', 0)} 家单位、{c.get('annual_reports', 0)} 条年度数据、"
            f"{c.get('qualifications', 0)} 条资质、"
            f"{c.get('platforms', 0)} 个平台、{c.get('patents', 0)} 件专利、"
            f"{c.get('talents', 0)} 名人才、{c.get('teams', 0)} 个团队（演示数据）"
        )


def reference_from_db() -> Reference:
    """The reference data as plain values, in a stable order (codes), for the generators."""
    city_children = Area.objects.exclude(parent=None).order_by("sort_order", "code")
    areas = tuple(AreaRef(a.code, a.name, a.kind) for a in city_children)
    chains = list(IndustryChain.objects.select_related("parent").order_by("sort_order", "code"))
    parents = {c.parent_id for c in chains if c.parent_id}
    leaves = []
    for chain in chains:
        if chain.pk in parents:
            continue
        root = chain.parent or chain
        keywords = tuple(chain.keywords or ()) or (chain.name,)
        leaves.append(IndustryRef(chain.code, chain.name, root.code, root.category, keywords))
    fields = tuple(TechField.objects.order_by("code").values_list("code", flat=True))
    if not areas or not leaves or not fields:
        raise ValueError("请先运行 manage.py load_reference 载入参考数据。")
    return Reference(areas, tuple(leaves), fields)


def plan_ecosystem(scale: float, seed: int, baseline: Baseline | None = None) -> EcosystemPlan:
    return _plan(reference_from_db(), scale, seed, baseline)


def demo_organization_count() -> int:
    return Organization.objects.filter(is_demo=True).count()


def _raw_delete(queryset: models.QuerySet) -> int:
    # QuerySet.delete() would load every row and send post_delete (one audit entry per row).
    return queryset._raw_delete(queryset.db)


def _demo_models() -> list[type[models.Model]]:
    """The other apps' models flagged `is_demo` (contracts, programmes, market, projects,
    policies …), each before every model it points to, so that a PROTECT link never blocks a
    delete: a match before its demand and achievement, a bid before its call."""
    flagged = [
        m
        for m in apps.get_models()
        if m._meta.app_label != "registry" and any(f.name == "is_demo" for f in m._meta.fields)
    ]
    targets = {m: _reached(m, set(flagged)) for m in flagged}
    ordered: list[type[models.Model]] = []
    pending = sorted(flagged, key=lambda m: m._meta.label)
    while pending:
        # a model no remaining model points to goes first (a cycle: the first of the rest)
        pointed = {t for m in pending for t in targets[m]}
        ready = [m for m in pending if m not in pointed] or pending[:1]
        ordered.extend(ready)
        pending = [m for m in pending if m not in ready]
    return ordered


def _reached(model: type[models.Model], flagged: set[type[models.Model]]) -> set[Any]:
    """The flagged models `model` points to, directly or through unflagged models (a benefit
    run → a policy version → a policy)."""
    found: set[type[models.Model]] = set()
    seen = {model}
    stack = [model]
    while stack:
        for f in stack.pop()._meta.get_fields():
            target = f.related_model if f.concrete and f.is_relation else None
            if target is None or target in seen or target._meta.app_label == "registry":
                continue
            seen.add(target)
            if target in flagged:
                found.add(target)
            else:
                stack.append(target)
    return found


def delete_other_demo_rows() -> dict[str, int]:
    """Every other app's demo rows, with what hangs off them (their history, attachments, the
    links of many-to-many fields: Django's collector, which respects PROTECT; one audit entry per
    row, as when they were written). A model whose rows are still protected — by rows that
    another demo model's delete takes with it (an expert's review assignments go with their
    applications) — is tried again after the others; rows of real data that protect a demo row
    stop the replace with the reason."""
    deleted: dict[str, int] = {}
    pending = _demo_models()
    while pending:
        blocked: list[tuple[type[models.Model], ProtectedError]] = []
        for model in pending:
            rows = model._default_manager.filter(is_demo=True)
            try:
                _total, per_model = rows.delete()  # refused before any row is deleted
            except ProtectedError as error:
                blocked.append((model, error))
                continue
            if per_model:
                deleted[model._meta.model_name] = per_model.get(model._meta.label, 0)
        if len(blocked) == len(pending):
            model, error = blocked[0]
            protecting = next(iter(error.protected_objects))
            raise DemoDataExists(
                f"{protecting._meta.verbose_name}“{protecting}”引用了演示数据"
                f"（{model._meta.verbose_name}），无法自动删除；请先处理这条记录。"
            ) from error
        pending = [model for model, _error in blocked]
    return deleted


def _detach_other_apps(target: type[models.Model], rows: models.QuerySet) -> None:
    """Links from other apps' rows to registry rows about to be deleted in bulk, including the
    hidden ones (`related_name="+"`): many-to-many links are removed, optional (SET_NULL) links
    emptied; the rest are checked by `_check_other_references`."""
    for relation in target._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.is_relation and not relation.concrete):
            continue
        other = relation.related_model
        if other._meta.app_label == "registry":
            continue
        field = relation.field
        if relation.many_to_many:
            through = field.remote_field.through
            links = through.objects.filter(**{f"{field.m2m_reverse_field_name()}__in": rows})
            _raw_delete(links)
        elif field.remote_field.on_delete is models.SET_NULL:
            other._default_manager.filter(**{f"{field.name}__in": rows}).update(
                **{field.name: None}
            )


def delete_demo() -> dict[str, int]:
    """Delete every demo row (and rows hanging off demo organizations); returns counts."""
    demo = Organization.objects.filter(is_demo=True)
    deleted: dict[str, int] = {}
    # Another app's model whose rows hang off demo organizations may offer to delete them
    # (and what depends on them): `delete_for_demo_organizations(demo) -> int` (policies,
    # projects); then every other app's remaining demo rows.
    for relation in Organization._meta.related_objects:
        cleaner = getattr(relation.related_model, "delete_for_demo_organizations", None)
        if callable(cleaner):
            deleted[relation.related_model._meta.model_name] = cleaner(demo)
    deleted.update(delete_other_demo_rows())
    _detach_other_apps(Patent, Patent.objects.filter(organization__in=demo))
    _detach_other_apps(Talent, Talent.objects.filter(organization__in=demo))
    steps: list[tuple[str, models.QuerySet]] = [
        ("team_members", Team.members.through.objects.filter(team__organization__in=demo)),
        ("teams", Team.objects.filter(organization__in=demo)),
        (
            "talent_fields",
            Talent.tech_fields.through.objects.filter(talent__organization__in=demo),
        ),
        ("talents", Talent.objects.filter(organization__in=demo)),
        ("patents", Patent.objects.filter(organization__in=demo)),
        (
            "platform_co_builders",
            InnovationPlatform.co_builders.through.objects.filter(
                models.Q(innovationplatform__host__in=demo) | models.Q(organization__in=demo)
            ),
        ),
        (
            "platform_status_changes",
            PlatformStatusChange.objects.filter(
                models.Q(platform__host__in=demo) | models.Q(merged_into__host__in=demo)
            ),
        ),
        ("platforms", InnovationPlatform.objects.filter(host__in=demo)),
        ("figure_reviews", FigureReview.objects.filter(submission__organization__in=demo)),
        ("figure_submissions", FigureSubmission.objects.filter(organization__in=demo)),
        ("annual_reports", AnnualReport.objects.filter(organization__in=demo)),
        ("qualifications", Qualification.objects.filter(organization__in=demo)),
    ]
    for label, queryset in steps:
        deleted[label] = _raw_delete(queryset)
    _detach_other_apps(Organization, demo)
    _check_other_references(demo)
    deleted["organizations"] = _raw_delete(demo)
    return deleted


HANDLED = {
    AnnualReport,
    FigureSubmission,
    InnovationPlatform,
    Patent,
    Qualification,
    Talent,
    Team,
    User,
}


def _check_other_references(demo: models.QuerySet) -> None:
    """Rows of other apps pointing at demo organizations, hidden links (`related_name="+"`)
    included: refuse rather than orphan them."""
    for relation in Organization._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.is_relation and not relation.concrete):
            continue
        if relation.related_model in HANDLED or relation.many_to_many:
            continue
        name = relation.field.name
        blocking = relation.related_model._default_manager.filter(**{f"{name}__in": demo})
        if blocking.exists():
            raise DemoDataExists(
                f"{relation.related_model._meta.verbose_name}中有 {blocking.count()} 条记录引用了"
                "演示单位，无法自动删除；请先处理这些记录。"
            )


class _Ids:
    """Primary keys of reference rows by code."""

    def __init__(self) -> None:
        self.area = dict(Area.objects.values_list("code", "pk"))
        self.industry = dict(IndustryChain.objects.values_list("code", "pk"))
        self.field = dict(TechField.objects.values_list("code", "pk"))


class _Table:
    """Rows for one table, inserted with executemany in batches.

    `bulk_create` spends about 6 µs per value compiling SQL (on SQLite in batches of
    999 // columns rows), five times the cost of generating and storing the row: 400 s at
    scale 100. Values here are already of the database's types (Decimal, date, int, str, bool),
    which both backends' drivers adapt, and primary keys are allocated in advance (the table's
    maximum + 1, sequences reset afterwards), so foreign keys can point at rows not yet flushed;
    Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so they are checked at commit.
    """

    def __init__(
        self, model: type[models.Model], now: Any, columns: tuple[str, ...] | None = None
    ) -> None:
        meta = model._meta
        columns = columns or writable_columns(model)
        stamped = {f.name for f in meta.concrete_fields} >= {"created_at", "updated_at"}
        names = ("id", *(("created_at", "updated_at") if stamped else ()), *columns)
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(meta.get_field(n).column) for n in names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        self.model = model
        self.columns = columns
        self.defaults = {n: meta.get_field(n).get_default() for n in columns}
        self.plain = {n for n in columns if not meta.get_field(n).is_relation}
        self.stamp = (now, now) if stamped else ()
        self.next_id = (model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *self.stamp, *values))
        if len(self.rows) >= BATCH_SIZE:
            self.flush()
        return pk

    def add_from(self, source: Any, /, **values: Any) -> int:
        """Add a row whose plain fields are the generated `source`'s attributes of the same
        names; references (primary keys) and anything else come as keywords, and a field neither
        gives takes the model's default (is_demo is always set)."""
        values.setdefault("is_demo", True)
        row = []
        for name in self.columns:
            if name in values:
                row.append(values[name])
            elif name in self.plain and hasattr(source, name):
                row.append(getattr(source, name))
            else:
                row.append(self.defaults[name])
        return self.add(*row)

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


class _Tables:
    def __init__(self) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.organizations = _Table(Organization, now)
        self.qualifications = _Table(Qualification, now)
        self.platforms = _Table(InnovationPlatform, now)
        self.platform_changes = _Table(PlatformStatusChange, now)
        self.co_builders = _Table(
            InnovationPlatform.co_builders.through, now, ("innovationplatform", "organization")
        )
        self.talents = _Table(Talent, now)
        self.talent_fields = _Table(Talent.tech_fields.through, now, ("talent", "techfield"))
        self.teams = _Table(Team, now)
        self.team_members = _Table(Team.members.through, now, ("team", "talent"))
        self.patents = _Table(Patent, now)
        self.reports = _Table(AnnualReport, now)
        self.confirmed_at = now

    def all(self) -> list[_Table]:
        return [value for value in vars(self).values() if isinstance(value, _Table)]

    def finish(self) -> dict[str, int]:
        for table in self.all():
            table.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in self.all()])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return {
            "organizations": self.organizations.count,
            "qualifications": self.qualifications.count,
            "platforms": self.platforms.count,
            "talents": self.talents.count,
            "teams": self.teams.count,
            "patents": self.patents.count,
            "annual_reports": self.reports.count,
        }


def _references(ids: _Ids, org: Any) -> dict[str, Any]:
    """Area, industry and high-tech field keys of a generated organization."""
    return {
        "area": ids.area[org.area.code],
        "industry": ids.industry[org.industry.code] if org.industry else None,
        "tech_field": ids.field[org.tech_field] if org.tech_field else None,
    }


def _write_organizations(plan: EcosystemPlan, ids: _Ids, tables: _Tables) -> list[int]:
    return [tables.organizations.add_from(o, **_references(ids, o)) for o in plan.organizations]


def _write_qualifications(plan: EcosystemPlan, org_pk: list[int], tables: _Tables) -> None:
    for q in plan.qualifications.qualifications:
        # The generator stands for the published lists: its rows are verified, as imported.
        tables.qualifications.add_from(
            q,
            organization=org_pk[q.org],
            verification=Verification.VERIFIED,
            source=QualificationSource.OFFICIAL_LIST,
        )


def _write_platforms(plan: EcosystemPlan, org_pk: list[int], ids: _Ids, tables: _Tables) -> None:
    orgs = plan.organizations
    for p in plan.platforms:
        references = _references(ids, orgs[p.host])
        pk = tables.platforms.add_from(p, host=org_pk[p.host], **references)
        for change in p.history:
            tables.platform_changes.add_from(change, platform=pk)
        if p.co_builder is not None and p.co_builder != p.host:
            tables.co_builders.add(pk, org_pk[p.co_builder])


def _write_details(details: OrgDetails, org_pk: list[int], ids: _Ids, tables: _Tables) -> None:
    pk = org_pk[details.org.index]
    talent_pks = []
    for t in details.talents:
        talent_pk = tables.talents.add_from(t, organization=pk)
        talent_pks.append(talent_pk)
        for code in t.tech_fields:
            tables.talent_fields.add(talent_pk, ids.field[code])
    for team in details.teams:
        team_pk = tables.teams.add_from(team, organization=pk, leader=talent_pks[team.leader])
        for member in team.members:
            tables.team_members.add(team_pk, talent_pks[member])
    for p in details.patents:
        tables.patents.add_from(p, organization=pk)
    for year, values in details.reports:
        tables.reports.add_from(
            values, organization=pk, year=year, confirmed_at=tables.confirmed_at, **values
        )


def _rebind_users(saved: dict[int, tuple[str, str]]) -> None:
    """Accounts that were bound to a deleted demo organization follow its regenerated twin."""
    for user_id, (uscc, kind) in saved.items():
        target = (
            Organization.objects.filter(is_demo=True, uscc=uscc).first()
            or Organization.objects.filter(is_demo=True, kind=kind).order_by("pk").first()
        )
        User.objects.filter(pk=user_id).update(organization=target)


def write_ecosystem(
    scale: float,
    seed: int,
    *,
    replace: bool = False,
    baseline: Baseline | None = None,
    progress: Callable[[str], None] | None = None,
) -> WriteReport:
    """Generate and insert a synthetic city; refuses when demo rows exist unless `replace`."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    report = WriteReport(scale, seed)
    plan = plan_ecosystem(scale, seed, baseline)
    say(f"已生成全市规划：{len(plan.organizations)} 家单位")
    with transaction.atomic():
        existing = demo_organization_count()
        saved_users: dict[int, tuple[str, str]] = {}
        if existing and not replace:
            raise DemoDataExists(
                f"数据库中已有 {existing} 家演示单位。如需重新生成，请加 --replace 参数"
                "（将先删除全部演示数据）。"
            )
        if existing:
            bound = User.objects.filter(organization__is_demo=True)
            saved_users = {
                u.pk: (u.organization.uscc, u.organization.kind)
                for u in bound.select_related("organization")
            }
            bound.update(organization=None)
            report.deleted = delete_demo()
            say(f"已删除原有演示数据：{report.deleted.get('organizations', 0)} 家单位")
        ids = _Ids()
        tables = _Tables()
        org_pk = _write_organizations(plan, ids, tables)
        _write_qualifications(plan, org_pk, tables)
        _write_platforms(plan, org_pk, ids, tables)
        say("已生成单位、资质和平台")
        for details in iter_details(plan):
            _write_details(details, org_pk, ids, tables)
            if details.org.index % 20000 == 19999:
                say(f"已写入 {details.org.index + 1} 家单位的明细")
        try:
            counts = tables.finish()
        except IntegrityError as error:  # the database's own (English) text stays in the chain
            raise DemoDataExists(
                "演示数据与已有数据冲突（统一社会信用代码、证书编号等唯一字段重复）；"
                "请在空数据库上生成，或换一个随机种子。"
            ) from error
        _rebind_users(saved_users)
        report.counts = counts
        report.seconds = round(time.perf_counter() - started, 1)
        record(AuditAction.CREATE, note=report.summary(), changes={"counts": report.counts})
    return report

"""Writes for monitoring: loading a plan file, recording observations (with conflict flags),
resolving conflicts, splitting targets across areas."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import EDIT_PLAN_TARGETS, WITHDRAW_OBSERVATION
from kechuang.core.scoping import can
from kechuang.core.services import save_instance
from kechuang.monitoring.engine.areas import is_additive, split_target
from kechuang.monitoring.engine.figure_rules import (
    COUNT,
    DEFAULT_FACTOR,
    FigureCheck,
    Finding,
    blocking,
    check_figure,
    confirmed,
    value_class,
)
from kechuang.monitoring.engine.periods import (
    Period,
    PeriodError,
    kind_period_problem,
    parse_period,
)
from kechuang.monitoring.engine.plan_file import PlanFileError, load_plan
from kechuang.monitoring.models import (
    NOT_COUNTED_STATES,
    AreaTarget,
    Commitment,
    ComputedFrom,
    Indicator,
    Observation,
    Plan,
    ReviewState,
)
from kechuang.monitoring.selectors import version_key
from kechuang.registry.models import Area

PLAN_FILES = {"nanyang-14": settings.DATA_DIR / "plans" / "nanyang-14th.yaml"}
COMPUTABLE = {c.value for c in ComputedFrom if c.value}
AUXILIARY = [
    {"code": "population", "name": "常住人口", "unit": "万人", "kind": "level"},
    {"code": "employed_persons", "name": "就业人员", "unit": "万人", "kind": "level"},
]


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def load_plan_file(path: Path | str) -> Plan:
    """Create or update a plan and its indicators and commitments from its YAML file.

    Idempotent: a second run saves nothing. Which indicators are computed from the registries
    is kept once set (the bureau may switch it off in the admin).
    """
    spec = load_plan(path)
    city = _area(spec.area_code, "规划所属城市")
    plan = Plan.objects.filter(code=spec.id).first() or Plan(code=spec.id)
    _assign(
        plan,
        title=spec.title,
        document_number=spec.document_number,
        issued_on=spec.issued,
        start_year=spec.start_year,
        end_year=spec.end_year,
        area=city,
        source_file=spec.source_file,
        notes=list(spec.notes),
    )
    by_code: dict[str, Indicator] = {}
    for order, item in enumerate(spec.indicators, start=1):
        indicator = Indicator.objects.filter(plan=plan, code=item.code).first()
        fresh = indicator is None
        indicator = indicator or Indicator(plan=plan, code=item.code)
        values = dict(
            name=item.name,
            unit=item.unit,
            baseline_year=item.baseline_year,
            baseline_value=_dec(item.baseline_value),
            target_year=item.target_year,
            target_value=_dec(item.target_value),
            kind=item.kind,
            direction=item.direction,
            growth_model=item.growth_model,
            nature=item.nature,
            source_section=item.source.section[:200],
            source_quote=item.source.quote[:300],
            notes=list(item.notes),
            sort_order=order,
        )
        if fresh and item.code in COMPUTABLE:
            values["computed_from"] = item.code
        _assign(indicator, **values)
        by_code[item.code] = indicator
    for order, aux in enumerate(AUXILIARY, start=100):
        indicator = Indicator.objects.filter(plan=plan, code=aux["code"]).first() or Indicator(
            plan=plan, code=aux["code"]
        )
        _assign(
            indicator,
            name=aux["name"],
            unit=aux["unit"],
            kind=aux["kind"],
            is_auxiliary=True,
            growth_model="linear",
            direction="increase",
            sort_order=order,
            source_section="辅助数据（不在规划目标表中）",
        )
    for order, item in enumerate(spec.commitments, start=1):
        commitment = Commitment.objects.filter(plan=plan, code=item.code).first() or Commitment(
            plan=plan, code=item.code
        )
        _assign(
            commitment,
            title=item.title[:200],
            section=item.section[:40],
            quote=item.quote[:400],
            unit=item.unit,
            comparator=item.comparator,
            measure=item.measure,
            target_year=item.target_year,
            value=_dec(item.value),
            low=_dec(item.low),
            high=_dec(item.high),
            benchmark=item.benchmark or "",
            benchmark_area=_area(item.benchmark_area, f"承诺 {item.code} 的基准区域"),
            tolerance_absolute=_dec(item.tolerance.absolute) if item.tolerance else None,
            tolerance_relative=_dec(item.tolerance.relative) if item.tolerance else None,
            tolerance_note=item.tolerance.note if item.tolerance else "",
            areas=list(item.areas),
            computed=dataclasses.asdict(item.computed) if item.computed else {},
            indicator=by_code.get(item.indicator) if item.indicator else None,
            notes=list(item.notes),
            sort_order=order,
        )
    return plan


def _area(code: str | None, what: str) -> Area | None:
    """The area a plan file names; a clear error when the reference data lacks it."""
    if code is None:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise PlanFileError([f"{what}“{code}”不在区域参照数据中，请先运行 load_reference"])
    return area


def _assign(instance: Any, **values: Any) -> None:
    """Set values and save only when something differs (so reloading writes no audit entry)."""
    changed = instance.pk is None
    for name, value in values.items():
        try:
            current = getattr(instance, name)
        except ObjectDoesNotExist:  # an unset foreign key on a new row
            current = None
        if isinstance(current, Decimal) and value is not None:
            differs = current != Decimal(str(value))
        else:
            differs = current != value
        if differs:
            setattr(instance, name, value)
            changed = True
    if changed:
        instance.save()


def plausibility_factor() -> float:
    """The factor beyond which a figure must be confirmed (KECHUANG_PLAUSIBILITY_FACTOR)."""
    return float(getattr(settings, "PLAUSIBILITY_FACTOR", DEFAULT_FACTOR))


def figure_findings(
    subject: Indicator | Commitment,
    value: Decimal,
    kind: str,
    period: Period,
    previous: Decimal | None,
    entered_on: Any = None,
) -> list[Finding]:
    """The rules of `engine.figure_rules` for one figure of `subject` (the one place the form,
    the API, the import and `record_observation` take them from)."""
    is_indicator = isinstance(subject, Indicator)
    figure = FigureCheck(
        value=value,
        kind=kind,
        period_end=period.end,
        year=period.year,
        unit=subject.unit,
        indicator_kind=subject.kind if is_indicator else "",  # type: ignore[union-attr]
        name=subject.name if is_indicator else subject.title,  # type: ignore[union-attr]
        previous=previous,
    )
    return check_figure(figure, entered_on or timezone.localdate(), plausibility_factor())


def findings_error(findings: list[Finding]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for finding in findings:
        errors.setdefault(finding.field, []).append(f"{finding.problem}{finding.fix}")
    return ValidationError(errors)


@transaction.atomic
def record_observation(user: Any, data: dict[str, Any]) -> Observation:
    """Record one observation; flag a conflict when another source disagrees for the same
    indicator (or commitment), area, period and kind.

    `data`: indicator or commitment (rows), area (row), period (text), value, kind, as_of,
    source_title, source_issuer, source_url, source_quote, other_scope; optionally
    confirm_reason (the user's reason for an unusual value) and confirmed_check (what the
    validation asked to confirm, e.g. the change against the previous year).

    The value rules (`engine.figure_rules`: counts, shares, rates, range, a period not yet over)
    are checked again here, so no caller can store what the form would refuse.
    """
    data = dict(data)
    reason = str(data.pop("confirm_reason", "") or "").strip()
    check = str(data.pop("confirmed_check", "") or "")
    try:
        period = parse_period(str(data.get("period", "")))
    except PeriodError as error:
        raise ValidationError({"period": str(error)}) from error
    mismatch = kind_period_problem(str(data.get("kind", "")), period)
    if mismatch is not None:
        raise ValidationError({"period": "".join(mismatch)})
    subject = data.get("indicator") or data.get("commitment")
    if subject is not None and data.get("value") is not None:
        value = Decimal(str(data["value"]))
        findings = figure_findings(subject, value, str(data.get("kind", "")), period, None)
        refused = blocking(findings, reason)
        if refused:
            raise findings_error(refused)
        check = check or confirmed(findings, reason)
    values = {
        **data,
        "period": period.text,
        "start": period.start,
        "end": period.end,
        "year": period.year,
        "entered_by": user if getattr(user, "is_authenticated", False) else None,
        "confirmed_check": check[:300],
        "confirmed_reason": reason[:300] if check else "",
    }
    observation = save_instance(user, Observation(), values)
    _flag_conflicts(observation)
    return observation


def same_key(observation: Observation) -> Any:
    return Observation.objects.filter(**version_key(observation)).exclude(
        state__in=NOT_COUNTED_STATES
    )


def _flag_conflicts(observation: Observation) -> None:
    others = (
        same_key(observation)
        .exclude(pk=observation.pk)
        .exclude(source_title=observation.source_title)
    )
    disagreeing = [o for o in others if o.value != observation.value]
    if not disagreeing:
        return
    group = [observation, *disagreeing]
    for row in group:
        names = sorted({o.source_title for o in group if o.source_title != row.source_title})
        row.state = ReviewState.CONFLICT
        row.state_note = ("与“" + "”“".join(names) + "”的数值不一致")[:300]
        row.save()


@transaction.atomic
def resolve_conflict(user: Any, observation: Observation, keep: bool, note: str) -> Observation:
    """A person decides: keep this figure (the others of the conflict are rejected) or reject it."""
    if not can(user, "change", observation):
        raise PermissionDenied("您无权核实该监测值。")
    observation.refresh_from_db()  # its state may have changed since it was loaded
    if observation.state != ReviewState.CONFLICT:
        raise ValidationError({"state": "该监测值没有来源冲突，无需核实。"})
    if not note.strip():
        raise ValidationError({"state_note": "请说明核实的依据。"})
    group = list(same_key(observation).filter(state=ReviewState.CONFLICT))
    for row in group:
        accepted = (row.pk == observation.pk) == keep
        row.state = ReviewState.OK if accepted else ReviewState.REJECTED
        row.state_note = note.strip()[:300]
        row.save()
    observation.refresh_from_db()
    return observation


@transaction.atomic
def withdraw_observation(user: Any, observation: Observation, reason: str) -> Observation:
    """Withdraw (作废) a figure: it stays on record, struck through, with who, when and why, and
    counts nowhere any more. City staff only (WITHDRAW_OBSERVATION). A conflict it was part of
    is settled when the figures that remain agree. A correction is a new vintage, entered as
    any other figure."""
    WITHDRAW_OBSERVATION.check(user)
    if not can(user, "change", observation):
        raise PermissionDenied("您无权作废该监测值：超出了您的管辖范围。")
    observation.refresh_from_db()  # another user may have withdrawn it since it was loaded
    if observation.state == ReviewState.WITHDRAWN:
        raise ValidationError({"state": "该监测值已作废，无需重复作废。"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废理由（如：录入错误，正确数值见更正记录）。"})
    if len(reason) > 300:
        raise ValidationError({"reason": f"作废理由过长（{len(reason)} 字），上限 300 字。"})
    save_instance(
        user,
        observation,
        {
            "state": ReviewState.WITHDRAWN,
            "withdrawn_at": timezone.now(),
            "withdrawn_by": user,
            "withdrawn_reason": reason,
        },
    )
    _settle_conflicts(observation)
    return observation


def _settle_conflicts(observation: Observation) -> None:
    """After a figure is withdrawn: the remaining figures of its conflict count again when they
    all agree (the disagreeing source is gone)."""
    remaining = list(same_key(observation))
    in_conflict = [o for o in remaining if o.state == ReviewState.CONFLICT]
    if not in_conflict or len({o.value for o in remaining}) > 1:
        return
    for row in in_conflict:
        row.state = ReviewState.OK
        row.state_note = "与其冲突的数值已作废"
        row.save()


@transaction.atomic
def split_indicator_target(
    user: Any,
    indicator: Indicator,
    area_baselines: dict[str, float],
    manual: dict[str, float] | None = None,
) -> list[AreaTarget]:
    """Split the city target across areas by baseline share (manual values honoured)."""
    EDIT_PLAN_TARGETS.check(user)
    try:
        shares = split_target(
            float(indicator.baseline_value),
            float(indicator.target_value),
            area_baselines,
            manual,
            # whole numbers for counts (家、个 …: 73.82 家 is not a target), hundredths otherwise
            decimals=0
            if value_class(indicator.unit, indicator.kind, indicator.name) == COUNT
            else 2,
        )
    except ValueError as error:
        raise ValidationError({"area_baselines": str(error)}) from error
    return _save_area_targets(
        indicator,
        {
            name: (
                area_baselines.get(name),
                value,
                "manual" if manual and name in manual else "baseline_share",
            )
            for name, value in shares.items()
        },
    )


@transaction.atomic
def set_area_targets(
    user: Any, indicator: Indicator, targets: dict[str, tuple[float | None, float]]
) -> list[AreaTarget]:
    """Hand-set area targets {area name: (baseline, target)} for indicators whose targets do
    not add up across areas (shares, growth rates): each area's target is its own."""
    EDIT_PLAN_TARGETS.check(user)
    same = [
        name
        for name, (baseline, target) in targets.items()
        if indicator.kind != "average_annual_growth" and baseline is not None and baseline == target
    ]
    if same:  # the completion (value − baseline) / (target − baseline) would divide by zero
        raise ValidationError(
            {"targets": [f"目标值不能等于基期值（完成度无法计算）：{'、'.join(same)}。"]}
        )
    return _save_area_targets(
        indicator, {name: (b, t, "manual") for name, (b, t) in targets.items()}
    )


def save_area_targets(
    user: Any,
    indicator: Indicator,
    area_names: list[str],
    baselines: dict[str, float],
    manual: dict[str, float],
) -> list[AreaTarget]:
    """The county split as the bureau fills it in for `area_names`: a quantity is split by
    baseline share (every area's baseline needed, `manual` targets honoured); a share, rate or
    intensity is set area by area (every area's target needed)."""
    if is_additive(indicator.kind, indicator.code):
        missing = [name for name in area_names if name not in baselines]
        if missing:
            raise ValidationError(
                {"baselines": [f"请填写全部地区的基期值，缺：{'、'.join(missing)}。"]}
            )
        return split_indicator_target(user, indicator, baselines, manual)
    missing = [name for name in area_names if name not in manual]
    if missing:
        raise ValidationError(
            {"targets": [f"比例、增速类指标须逐一设定目标，缺：{'、'.join(missing)}。"]}
        )
    return set_area_targets(
        user, indicator, {name: (baselines.get(name), manual[name]) for name in manual}
    )


def _save_area_targets(
    indicator: Indicator, targets: dict[str, tuple[float | None, float, str]]
) -> list[AreaTarget]:
    """Write {area name: (baseline, target, method)} in one read of the areas and the existing
    rows; unchanged rows are not saved again (no audit entry)."""
    areas = {a.name: a for a in Area.objects.filter(name__in=targets)}
    existing = {
        t.area_id: t
        for t in AreaTarget.objects.filter(indicator=indicator, area__in=areas.values())
    }
    rows = []
    for name, (baseline, target, method) in targets.items():
        area = areas[name]
        row = existing.get(area.pk) or AreaTarget(indicator=indicator, area=area)
        _assign(row, baseline_value=_dec(baseline), target_value=_dec(target), method=method)
        rows.append(row)
    return rows

"""Reads for the registry; every queryset starts from `restrict(user, ...)`."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from kechuang.core.references import resolve, resolve_many
from kechuang.registry.engine.uscc import normalize_uscc
from kechuang.registry.models import (
    AnnualReport,
    Area,
    FigureSubmission,
    IndustryChain,
    InnovationPlatform,
    IntegrityRecord,
    NamedActor,
    Organization,
    Patent,
    PlatformStatusChange,
    Qualification,
    QualificationKind,
    Talent,
    Team,
    TechField,
    Verification,
)
from kechuang.registry.models.platforms import (
    PlatformStatus,
    new_between_parts,
    new_between_q,
    operating_on,
    with_state_on,
)


def organizations_for(user: Any) -> QuerySet[Organization]:
    return Organization.objects.restrict(user, "view").select_related(
        "area", "industry__parent", "tech_field"
    )


def qualifications_for(user: Any) -> QuerySet[Qualification]:
    return Qualification.objects.restrict(user, "view").select_related(
        "organization__area", "verified_by"
    )


def pending_claims_for(user: Any) -> QuerySet[Qualification]:
    """Claims awaiting verification (待核验), oldest first: the city staff's queue."""
    return (
        qualifications_for(user)
        .filter(verification=Verification.CLAIMED)
        .order_by("created_at", "pk")
    )


# --- one count everywhere ---------------------------------------------------------------------
# "How many organizations hold a valid X on day D in area A" has one definition: a qualification
# that `Qualification.valid_on(day)` (verified, and in force on both ends inclusive), each
# organization once however many certificates it holds. The home page, monitoring's computed
# series, the cultivation projection and the funnel's note all count through the functions
# below. `holder_counts_per_year` (per area, one scan, for the series) and `holders_per_year`
# (the organizations themselves, for the projection's rates) are two access paths to that one
# definition, cross-checked against `count_holders` (and the pages) in site/tests/test_one_count.py.


def qualification_holders(
    kind: str, day: dt.date, *, area: Area | None = None, user: Any = None
) -> QuerySet[Organization]:
    """The organizations (within `user`'s scope, in `area`'s subtree) holding a valid `kind`
    qualification on `day`."""
    organizations = Organization.objects.all() if user is None else organizations_for(user)
    if area is not None:
        organizations = organizations.filter(area__in=Area.subtree_ids(area.path))
    valid = Qualification.objects.filter(Qualification.valid_on(day), kind=kind)
    return organizations.filter(pk__in=valid.values("organization_id"))


def count_holders(kind: str, day: dt.date, *, area: Area | None = None, user: Any = None) -> int:
    """How many organizations hold a valid `kind` qualification on `day` (see above)."""
    return qualification_holders(kind, day, area=area, user=user).count()


def holders_per_year(
    kind: str, years: list[int], organizations: QuerySet[Organization] | None = None
) -> dict[int, set[int]]:
    """{year: ids of the organizations holding a valid `kind` qualification on 31 December}:
    `count_holders` for every year in one scan (the dates are compared here, as `valid_on`
    would, on the verified rows only)."""
    rows = Qualification.objects.filter(Qualification.counted(), kind=kind)
    if organizations is not None:
        rows = rows.filter(organization__in=organizations.values("pk"))
    holders: dict[int, set[int]] = {year: set() for year in years}
    ends = [(year, dt.date(year, 12, 31)) for year in years]
    triples = rows.values_list("organization_id", "issued_on", "expires_on")
    for pk, issued, expires in triples.iterator(chunk_size=20000):
        for year, day in ends:
            if issued <= day and (expires is None or expires >= day):
                holders[year].add(pk)
    return holders


def holder_counts_per_year(kind: str, years: list[int]) -> dict[int, list[tuple[int, int]]]:
    """{year: [(area id, organizations holding a valid `kind` qualification on 31 December)]}.

    One scan: qualifications are first folded per organization (one flag per year: does it hold
    a valid one on that year-end, so an organization with two overlapping certificates counts
    once), then the much smaller per-organization result is joined to its area. Grouping the
    raw qualifications by area through the join costs several times more on SQLite
    (bench/bench_progress.py).

    The fold reads only the (kind, organization, dates) index for the organizations whose
    qualifications are all verified — nearly all: the few with one claimed or rejected (any
    kind, found through the verification index) are folded apart from their verified rows.
    Reading the verification of every row from the table cost three times as much.
    """
    ends = [dt.date(year, 12, 31) for year in years]

    def flags(valid: Any) -> dict[str, Any]:
        return {
            f"y{year}": Max(
                Case(When(valid(day), then=Value(1)), default=Value(0), output_field=IntegerField())
            )
            for year, day in zip(years, ends, strict=True)
        }

    window = Q(kind=kind, issued_on__lte=max(ends))
    window &= Q(expires_on__isnull=True) | Q(expires_on__gte=min(ends))
    verified = Verification.VERIFIED
    unchecked = Qualification.objects.filter(
        Q(verification__lt=verified) | Q(verification__gt=verified)
    ).values("organization_id")
    parts = []
    for rows, valid in (
        (
            Qualification.objects.filter(window).exclude(organization_id__in=unchecked),
            Qualification.in_force_on,  # every row of these organizations is verified
        ),
        (
            Qualification.objects.filter(
                window, Qualification.counted(), organization_id__in=unchecked
            ),
            Qualification.valid_on,
        ),
    ):
        folded = rows.values("organization_id").annotate(**flags(valid)).order_by()
        parts.append(folded.values("organization_id", *flags(valid)).query.sql_with_params())
    inner = " UNION ALL ".join(sql for sql, _ in parts)
    params = tuple(p for _, part_params in parts for p in part_params)
    sums = ", ".join(f"SUM(g.y{year})" for year in years)
    sql = (
        f"SELECT o.area_id, {sums} FROM ({inner}) g "
        f"JOIN {Organization._meta.db_table} o ON o.id = g.organization_id GROUP BY o.area_id"
    )
    per_year: dict[int, list[tuple[int, int]]] = {year: [] for year in years}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for area_id, *counts in cursor.fetchall():
            for year, n in zip(years, counts, strict=True):
                per_year[year].append((area_id, n or 0))
    return per_year


def last_record_year(
    kinds: Iterable[str],
    organizations: QuerySet[Organization] | None = None,
    today: dt.date | None = None,
) -> int | None:
    """The last year-end the qualification records can speak for: the year of the newest
    verified issue date of `kinds`, never the current (unfinished) year. A year after it has
    no recorded issues yet, so its count would only show certificates running out."""
    rows = Qualification.objects.filter(Qualification.counted(), kind__in=list(kinds))
    if organizations is not None:
        rows = rows.filter(organization__in=organizations.values("pk"))
    newest = rows.order_by("-issued_on").values_list("issued_on", flat=True).first()
    if newest is None:
        return None
    return min(newest.year, (today or timezone.localdate()).year - 1)


def annual_reports_for(user: Any) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.restrict(user, "view").select_related("organization__area")


def submissions_for(user: Any) -> QuerySet[FigureSubmission]:
    return (
        FigureSubmission.objects.restrict(user, "view")
        .select_related("organization__area", "submitted_by", "report")
        # the organizations' confirmed figures, for each submission's diff in one query
        .prefetch_related("reviews__reviewer", "organization__annual_reports")
    )


def platforms_for(user: Any) -> QuerySet[InnovationPlatform]:
    return (
        InnovationPlatform.objects.restrict(user, "view")
        .select_related("host", "area", "industry", "tech_field")
        .prefetch_related("co_builders")
    )


def platform_status_changes(platform: InnovationPlatform) -> QuerySet[PlatformStatusChange]:
    """A platform's history, oldest first (same day: in the order recorded)."""
    return platform.status_changes.select_related("merged_into").order_by("date", "pk")


def _platforms(user: Any, area: Area | str | None) -> QuerySet[InnovationPlatform]:
    """Platforms the user may view (`user` None: the command line and the monitoring's
    computations, every platform), in `area` and below when given (an Area or its code)."""
    queryset = (
        InnovationPlatform.objects.all()
        if user is None
        else InnovationPlatform.objects.restrict(user, "view")
    )
    if area is None:
        return queryset
    if isinstance(area, str):
        area = Area.objects.get(code=area)
    return queryset.filter(area__in=Area.subtree_ids(area.path))


def platforms_state_on(
    day: dt.date, *, area: Area | str | None = None, user: Any = None
) -> QuerySet[InnovationPlatform]:
    """Every platform annotated with `status_on` and `level_on`, its status and level on `day`
    (None before its approval). One query."""
    return with_state_on(_platforms(user, area), day)


def platforms_operating_on(
    day: dt.date, *, area: Area | str | None = None, user: Any = None
) -> QuerySet[InnovationPlatform]:
    """The platforms operating (运行中) on `day`, each with `level_on`, the level it had that
    day: e.g. `.values("level_on").annotate(n=Count("pk"))` counts them by level. One query."""
    return operating_on(_platforms(user, area), day)


def platforms_new_between(
    start: dt.date | None,
    end: dt.date | None,
    kinds: Iterable[str] | None = None,
    levels: Iterable[str] | None = None,
    area: Area | str | None = None,
    *,
    user: Any = None,
) -> QuerySet[InnovationPlatform]:
    """The platforms new between `start` and `end` (inclusive) of `kinds`, at `levels`: approved
    then, or upgraded then into one of `levels` from a level outside them (a municipal platform
    upgraded to provincial is a new 省级以上 platform; a provincial one upgraded to national is
    not). `platforms_new_url` gives the registry list showing the same set (one kind at most)."""
    queryset = _platforms(user, area).filter(new_between_q(start, end, list(levels or ())))
    return queryset.filter(kind__in=list(kinds)) if kinds else queryset


def platforms_operating_counts(
    days: list[dt.date],
    *,
    area: Area | str | None = None,
    kinds: Iterable[str] | None = None,
    levels: Iterable[str] | None = None,
) -> dict[dt.date, Counter[int]]:
    """{day: {area id: platforms operating on that day}} (at `levels`, the level they had that
    day): what `platforms_operating_on(day)` counts, for every day in one set-based query
    instead of two correlated subqueries per platform and day.

    Each recorded event holds from its day until the platform's next event (`LEAD` over the
    platform's events in order; a later event the same day ends it at once), so the state on
    a day is the one event whose interval holds the day; a platform without recorded history
    counts with its current status and level from its approval on (as `with_state_on`).
    """
    platforms = _platforms(None, area)
    if kinds:
        platforms = platforms.filter(kind__in=list(kinds))
    inner, inner_params = "", ()
    if area is not None or kinds:  # the whole city needs no filter
        sql, inner_params = platforms.order_by().values("pk").query.sql_with_params()
        inner = f" AND p.id IN ({sql})"
    wanted = list(levels or ())
    level_in = ", ".join(["%s"] * len(wanted))
    event_level = f" AND e.level_after IN ({level_in})" if wanted else ""
    plain_level = f" AND p.level IN ({level_in})" if wanted else ""
    on_day = ", ".join(
        "SUM(CASE WHEN e.date <= %s AND (e.next_date IS NULL OR e.next_date > %s) "
        "THEN 1 ELSE 0 END)"
        for _ in days
    )
    plain_on_day = ", ".join("SUM(CASE WHEN p.approved_on <= %s THEN 1 ELSE 0 END)" for _ in days)
    platform_table = InnovationPlatform._meta.db_table
    change_table = PlatformStatusChange._meta.db_table
    sql = (
        f"SELECT p.area_id, {on_day} FROM ("
        f"SELECT platform_id, date, status_after, level_after, LEAD(date) OVER "
        f"(PARTITION BY platform_id ORDER BY date, id) AS next_date FROM {change_table}) e "
        f"JOIN {platform_table} p ON p.id = e.platform_id "
        f"WHERE e.status_after = %s{event_level}{inner} GROUP BY p.area_id "
        f"UNION ALL SELECT p.area_id, {plain_on_day} FROM {platform_table} p "
        f"WHERE p.status = %s{plain_level}{inner} AND NOT EXISTS "
        f"(SELECT 1 FROM {change_table} c WHERE c.platform_id = p.id) GROUP BY p.area_id"
    )
    params = [
        *[d for day in days for d in (day, day)],
        PlatformStatus.OPERATING,
        *wanted,
        *inner_params,
        *days,
        PlatformStatus.OPERATING,
        *wanted,
        *inner_params,
    ]
    counts: dict[dt.date, Counter[int]] = {day: Counter() for day in days}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for area_id, *values in cursor.fetchall():
            for day, n in zip(days, values, strict=True):
                if n:
                    counts[day][area_id] += int(n)
    return counts


def platforms_new_counts(
    start: dt.date | None,
    ends: list[dt.date],
    kinds: Iterable[str] | None = None,
    levels: Iterable[str] | None = None,
    area: Area | str | None = None,
) -> dict[dt.date, int]:
    """{end: how many platforms `platforms_new_between(start, end, kinds, levels, area)` holds}
    for every end at once: the first day each platform became new, read in two queries."""
    events, without_history = new_between_parts(start, max(ends), list(levels or ()))
    base = _platforms(None, area)
    if kinds:
        base = base.filter(kind__in=list(kinds))
    firsts = list(
        events.filter(platform__in=base.values("pk"))
        .order_by()
        .values("platform")
        .annotate(first=Min("date"))
        .values_list("first", flat=True)
    )
    firsts += list(
        without_history.filter(pk__in=base.values("pk")).values_list("approved_on", flat=True)
    )
    return {end: sum(1 for first in firsts if first <= end) for end in ends}


# `new_level` values of the platforms list for the level sets the plan uses
_NEW_LEVEL_PARAM = {
    ("national",): "national",
    ("national", "provincial"): "provincial_up",
    ("provincial",): "provincial",
    ("municipal",): "municipal",
}


def platforms_new_url(
    start: dt.date | None,
    end: dt.date | None,
    kind: str | None = None,
    levels: Iterable[str] | None = None,
    area: Area | str | None = None,
) -> str:
    """The registry's platforms list filtered to `platforms_new_between(start, end, [kind],
    levels, area)` (levels: one level, or national + provincial = 省级以上)."""
    level_key = tuple(sorted(levels or (), key=("national", "provincial", "municipal").index))
    if level_key and level_key not in _NEW_LEVEL_PARAM:
        raise ValueError(f"列表无法按级别组合 {level_key} 筛选")
    params = {
        "new_from": start.isoformat() if start else "",
        "new_to": end.isoformat() if end else "",
        "new_level": _NEW_LEVEL_PARAM.get(level_key, ""),
        "kind": kind or "",
        "area": area.code if isinstance(area, Area) else (area or ""),
    }
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("registry:platforms_list") + ("?" + query if query else "")


def talents_for(user: Any) -> QuerySet[Talent]:
    return (
        Talent.objects.restrict(user, "view")
        .select_related("organization__area")
        .prefetch_related("tech_fields")
    )


def teams_for(user: Any) -> QuerySet[Team]:
    return (
        Team.objects.restrict(user, "view")
        .select_related("organization__area", "leader__organization")
        .prefetch_related(Prefetch("members", Talent.objects.select_related("organization")))
    )


def patents_for(user: Any) -> QuerySet[Patent]:
    return Patent.objects.restrict(user, "view").select_related("organization__area")


def areas_for(user: Any) -> QuerySet[Area]:
    return Area.objects.restrict(user, "view").exclude(kind="province").select_related("parent")


def named_actors_for(user: Any) -> QuerySet[NamedActor]:
    return NamedActor.objects.restrict(user, "view").select_related("area", "organization")


def working_areas(user: Any, root: Area | None = None) -> QuerySet[Area]:
    """The areas a user works on: a county user's own area and those below it; anyone else the
    tree below `root` (default: every area). `user` None is the command line (every area)."""
    areas = Area.local() if user is None else Area.local().restrict(user, "view")
    own = user.area if getattr(user, "area_id", None) else None
    base = own or root
    return areas.filter(path__startswith=base.path) if base is not None else areas


def industries_for(user: Any) -> QuerySet[IndustryChain]:
    return IndustryChain.objects.restrict(user, "view").select_related("parent")


def tech_fields_for(user: Any) -> QuerySet[TechField]:
    return TechField.objects.restrict(user, "view")


def registry_summary(user: Any) -> dict[str, Any]:
    """Counts for the home page, within the user's scope."""
    counts = Organization.objects.restrict(user, "view").aggregate(
        organizations=Count("pk"), demo_organizations=Count("pk", filter=Q(is_demo=True))
    )
    today = timezone.localdate()
    return {
        **counts,
        "hnte": count_holders(QualificationKind.HNTE, today, user=user),
        "pending_claims": pending_claims_for(user).count(),
        "areas": Area.local().restrict(user, "view").count(),  # not the benchmark province
        "industries": IndustryChain.objects.restrict(user, "view").count(),
        "tech_fields": TechField.objects.restrict(user, "view").count(),
    }


# --- references in payloads, forms and import rows --------------------------------------------
# Each resolves within what the user may view (core/references.py): invisible = missing.


def area_by_reference(user: Any, value: str | None, field: str = "area") -> Area | None:
    return resolve(areas_for(user), value, Q(code=value) | Q(name=value), field, "区域")


def industry_by_reference(user: Any, value: str | None, field: str = "industry") -> Any:
    return resolve(industries_for(user), value, industry_label_q(value), field, "产业")


def industry_label_q(value: str | None) -> Q:
    """An industry by code, by name, or by the label a picker shows ("新材料 / 超硬材料")."""
    lookup = Q(code=value) | Q(name=value)
    parent, _, name = str(value or "").partition(" / ")
    if name:
        lookup |= Q(parent__name=parent.strip(), name=name.strip())
    return lookup


def tech_field_by_reference(user: Any, value: str | None, field: str = "tech_field") -> Any:
    lookup = Q(code=value) | Q(name=value)
    return resolve(tech_fields_for(user), value, lookup, field, "高新技术领域")


def tech_fields_by_reference(user: Any, values: list[str], field: str) -> list[Any]:
    return [tech_field_by_reference(user, v, field) for v in dict.fromkeys(values) if v]


def organization_by_uscc(
    user: Any, value: str | None, field: str = "organization"
) -> Organization | None:
    """By credit code, or by the exact name a picker shows (a form sent without its script)."""
    code = normalize_uscc(str(value or ""))
    label = "单位（统一社会信用代码）"
    lookup = Q(uscc=code) | Q(name=str(value or "").strip())
    return resolve(Organization.objects.restrict(user, "view"), code, lookup, field, label)


def organizations_by_uscc(
    user: Any, values: list[str], field: str, keep: Any = None
) -> list[Organization]:
    """Organizations by credit code within what the user may view, plus `keep` (those already
    linked to the row being changed)."""
    codes = [normalize_uscc(str(v)) for v in values if v]
    label = "单位（统一社会信用代码）"
    visible = Organization.objects.restrict(user, "view")
    return resolve_many(visible, codes, "uscc", field, label, keep)


def talents_by_id(user: Any, ids: list[int], field: str) -> list[Talent]:
    return resolve_many(Talent.objects.restrict(user, "view"), ids, "pk", field, "人才编号")


# --- research integrity (科研诚信) --------------------------------------------------------------


def integrity_in_force(
    person: Talent | None = None, org: Organization | None = None, on: dt.date | None = None
) -> list[IntegrityRecord]:
    """The integrity records restricting `person` (their own records) or `org` (records against
    the organization itself, not a person-only one) on `on` (default today): not a user's read,
    a rule check every domain app runs before an application, an award or an assignment."""
    day = on or timezone.localdate()
    condition = Q(pk__in=[])
    if person is not None:
        condition |= Q(talent=person)
    if org is not None:
        condition |= Q(organization=org, person_only=False, talent__isnull=True)
    return list(
        IntegrityRecord.objects.filter(condition)
        .filter(IntegrityRecord.in_force_on(day))
        .select_related("talent", "organization")
    )


def restricted_talent_ids(on: dt.date | None = None) -> set[int]:
    """The talents restricted by an integrity record on `on` (one query, for bulk checks)."""
    day = on or timezone.localdate()
    return set(
        IntegrityRecord.objects.filter(
            IntegrityRecord.in_force_on(day), talent__isnull=False
        ).values_list("talent_id", flat=True)
    )


def integrity_refusal(records: list[IntegrityRecord], doing: str) -> str:
    """The Chinese refusal naming each record in force and the date it ends."""
    parts = [
        f"{r.talent.name if r.talent_id else r.organization.name}"
        f"因科研失信（{r.get_severity_display()}，{r.decided_by} {r.decided_on:%Y-%m-%d} 决定）"
        f"被限制至 {r.excluded_until:%Y-%m-%d}"
        for r in records
    ]
    return f"不能{doing}：{'；'.join(parts)}。限制期满或申诉成立后方可办理。"


def integrity_records_for(user: Any) -> QuerySet[IntegrityRecord]:
    return IntegrityRecord.objects.restrict(user, "view").select_related(
        "talent", "organization__area"
    )


# --- pickers: the search behind every reference field (core/pickers.py) ----------------------

PICK_LIMIT = 20


def _pick(value: str, label: str, hint: str = "") -> dict[str, str]:
    return {"value": value, "label": label, "hint": hint}


def pick_areas(user: Any, q: str) -> list[dict[str, str]]:
    """The city's areas whose name or code holds `q`, in tree order (the city, its counties and
    districts, then the functional zones): "卧龙" finds 卧龙区."""
    rows = areas_for(user).order_by("sort_order", "path")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return [
        _pick(a.code, a.name, f"{a.get_kind_display()}{f' · {a.parent.name}' if a.parent else ''}")
        for a in rows[:PICK_LIMIT]
    ]


def pick_industries(user: Any, q: str) -> list[dict[str, str]]:
    """Industries (and their sub-industries) whose name, parent's name or keywords hold `q`."""
    # the top-level industries (no parent) first on both databases: PostgreSQL sorts NULL last
    top_first = F("parent__sort_order").asc(nulls_first=True)
    rows = industries_for(user).order_by(top_first, "sort_order", "code")
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(parent__name__icontains=q) | Q(code__istartswith=q)
        )
    return [
        _pick(i.code, str(i), i.get_category_display() if not i.parent_id else "细分产业")
        for i in rows[:PICK_LIMIT]
    ]


def pick_tech_fields(user: Any, q: str) -> list[dict[str, str]]:
    rows = tech_fields_for(user)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return [_pick(f.code, f.name, f"领域 {f.code}") for f in rows[:PICK_LIMIT]]


def pick_organizations(user: Any, q: str) -> list[dict[str, str]]:
    """Organizations the user may see whose name or credit code holds `q` (a county officer
    finds only their county's); archived (注销) ones are not offered."""
    rows = Organization.objects.restrict(user, "view").filter(archived=False)
    rows = rows.select_related("area").order_by("name")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc__istartswith=q))
    return [
        _pick(o.uscc, o.name, f"{o.uscc} · {o.area.name if o.area else ''}")
        for o in rows[:PICK_LIMIT]
    ]


def _only(rows: QuerySet, exact: Q, partial: Q) -> Any:
    """The row `exact` names, else the single row `partial` finds (what a filter resolves
    "卧龙" to), else None."""
    found = rows.filter(exact).first()
    if found is None:
        candidates = list(rows.filter(partial)[:2])
        found = candidates[0] if len(candidates) == 1 else None
    return found


def area_label(user: Any, value: str) -> str:
    area = _only(Area.local(), Q(code=value) | Q(name=value), Q(name__icontains=value))
    return area.name if area else ""


def industry_label(user: Any, value: str) -> str:
    rows = IndustryChain.objects.select_related("parent")
    found = _only(rows, industry_label_q(value), Q(name__icontains=value))
    return str(found) if found else ""


def tech_field_label(user: Any, value: str) -> str:
    found = _only(TechField.objects, Q(code=value) | Q(name=value), Q(name__icontains=value))
    return found.name if found else ""


def organization_label(user: Any, value: str) -> str:
    """The name of the organization with this credit code, if the user may see it."""
    if user is None:
        return ""
    rows = Organization.objects.restrict(user, "view")
    found = rows.filter(Q(uscc=normalize_uscc(value)) | Q(name=value)).first()
    return found.name if found else ""

"""The market's pages: thin — parse (filters, schemas), read (selectors), write (services),
render. Public pages (the market's home, published listings, issued lists) answer anonymous
visitors; the rest need a sign-in and the named permission."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticError

from kechuang.core.downloads import DOCX, XLSX
from kechuang.core.downloads import attachment as download
from kechuang.core.errors import django_validation_errors, pydantic_message
from kechuang.core.jobs.web import in_background, wants_background
from kechuang.core.pagination import page_of
from kechuang.core.permissions import requires
from kechuang.core.scoping import can
from kechuang.market import export, selectors, services
from kechuang.market.api import (
    LABELS,
    MODELS,
    ListingIn,
    RoadshowIn,
    listing_data,
    roadshow_data,
    roadshow_out,
)
from kechuang.market.filters import ListingFilter, MatchFilter, from_query
from kechuang.market.jobs import FORMATS, LIST_TARGET
from kechuang.market.models import (
    PIPELINE,
    TRANSITIONS,
    CooperationMode,
    ListingStatus,
    ListKind,
    MatchStatus,
    Maturity,
    Roadshow,
    RoadshowKind,
    SourceKind,
)
from kechuang.market.permissions import (
    FOLLOW_MATCHES,
    ISSUE_LISTS,
    POST_LISTING,
    REVIEW_LISTINGS,
    RUN_ROADSHOWS,
)
from kechuang.registry import selectors as registry

SLUGS = {"demand": "demands", "achievement": "achievements", "scenario": "scenarios"}
FIELD_NAMES = {
    "title": "名称",
    "problem": "技术难题",
    "targets": "量化指标",
    "budget": "预算",
    "description": "成果简介",
    "maturity": "成熟度",
    "trl": "技术就绪度",
    "transfer_modes": "转化方式",
    "industry": "产业",
    "offers": "提供条件",
    "held_on": "举办日期",
    "attendance": "参会人数",
    "participants": "参会单位",
    "demands": "推介的需求",
    "achievements": "路演的成果",
    "scenarios": "发布的场景",
    "listings": "推介项目",
    "venue": "地点",
    "kind": "活动类型",
    "attachment": "附件",
}


def _errors(error: ValidationError | PydanticError) -> list[str]:
    """A refusal as Chinese lines that name the field."""
    if isinstance(error, PydanticError):
        return [
            f"{FIELD_NAMES.get(str(e['loc'][0]), e['loc'][0])}：{pydantic_message(e)}"
            for e in error.errors()
        ]
    return [
        f"{FIELD_NAMES.get(name, '') or ''}{'：' if name in FIELD_NAMES else ''}{text}"
        for name, texts in django_validation_errors(error).items()
        for text in texts
    ]


def home(request: HttpRequest) -> HttpResponse:
    """The market's front page: the latest published listings and lists, for everyone."""
    return render(
        request,
        "market/home.html",
        {
            "latest": {
                kind: selectors.public_listings(kind)[:5] for kind in ("demand", "achievement")
            },
            "lists": selectors.lists_for(None)[:10],
            "labels": LABELS,
            "slugs": SLUGS,
            "may_post": POST_LISTING.allows(request.user),
            "may_follow": FOLLOW_MATCHES.allows(request.user),
            "may_issue": ISSUE_LISTS.allows(request.user),
        },
    )


@login_required
def listing_list(request: HttpRequest, kind: str) -> HttpResponse:
    filters, problems = from_query(ListingFilter, request.GET)
    rows = filters.filter(selectors.listings_for(request.user, kind)).order_by("-id")
    if request.GET.get("format") == "xlsx" and not problems:  # never export a misread filter
        return export.export_listings(rows, f"{LABELS[kind]}列表")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "market/list.html",
        {
            "kind": kind,
            "slug": SLUGS[kind],
            "label": LABELS[kind],
            "page": page_of(rows, request.GET.get("page")),
            "typed": {name: request.GET.get(name, "") for name in ListingFilter.model_fields},
            "problems": problems,
            "query": query.urlencode(),
            "statuses": ListingStatus.choices,
            "maturities": Maturity.choices,
            "may_post": POST_LISTING.allows(request.user),
        },
    )


def _form_data(post: Any, kind: str) -> dict[str, Any]:
    keys = (
        "title",
        "industry",
        "keywords",
        "problem",
        "targets",
        "budget",
        "deadline",
        "cooperation_mode",
        "description",
        "source_kind",
        "maturity",
        "trl",
        "people",
        "price",
        "offers",
        "starts_on",
        "ends_on",
    )
    data = {k: post.get(k, "").strip() for k in keys if post.get(k, "").strip()}
    if kind == "demand":
        data["confidential"] = post.get("confidential") == "1"
    if kind == "achievement":
        data["transfer_modes"] = post.getlist("transfer_modes")
    return data


@requires(POST_LISTING)
def listing_new(request: HttpRequest, kind: str) -> HttpResponse:
    errors: list[str] = []
    typed: dict[str, Any] = {}
    if request.method == "POST":
        typed = _form_data(request.POST, kind)
        try:
            payload = ListingIn(**typed)
            data = listing_data(request.user, kind, payload)
            listing = services.save_listing(request.user, MODELS[kind](), data)
        except (ValidationError, PydanticError) as error:
            errors = _errors(error)
        else:
            messages.success(request, f"{LABELS[kind]}已保存为草稿，提交后由县区审核。")
            return redirect("market:detail", slug=SLUGS[kind], pk=listing.pk)
    return render(
        request,
        "market/form.html",
        {
            "kind": kind,
            "slug": SLUGS[kind],
            "label": LABELS[kind],
            "errors": errors,
            "typed": typed,
            "industries": registry.industries_for(request.user),
            "modes": CooperationMode.choices,
            "maturities": Maturity.choices,
            "sources": SourceKind.choices,
        },
        status=422 if errors else 200,
    )


def _steps_for(request: HttpRequest, listing: Any) -> list[tuple[str, str]]:
    from_model = [
        (name, label)
        for name, label in (
            ("submit", "提交审核"),
            ("review", "审核通过"),
            ("publish", "发布"),
            ("return", "退回"),
            ("close", "关闭"),
        )
        if listing.status in TRANSITIONS[name][0]
    ]
    if REVIEW_LISTINGS.allows(request.user):
        return from_model
    return [(n, lab) for n, lab in from_model if n == "submit"]


def may_attach(user: Any, listing: Any) -> bool:
    return POST_LISTING.allows(user) and can(user, "change", listing)


@login_required
def listing_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    kind = selectors.KIND_OF_SLUG[slug]
    listing = selectors.listing_for(request.user, kind, pk)
    if listing is None:
        raise Http404(f"{LABELS[kind]}不存在或您无权查看。")
    found = selectors.suggestions_for(request.user, kind, listing, k=8)
    return render(
        request,
        "market/detail.html",
        {
            "kind": kind,
            "slug": slug,
            "label": LABELS[kind],
            "listing": listing,
            "steps": _steps_for(request, listing),
            "suggestions": [(selectors.KIND_LABELS[t], t, rows) for t, rows in found.items()],
            "organizations": selectors.organizations_for(request.user, kind, listing, found),
            "may_follow": FOLLOW_MATCHES.allows(request.user) and kind != "achievement",
            "brokers": selectors.brokers_for(request.user) | selectors.brokers_for(None),
            "roadshows": selectors.roadshows_for(request.user)[:50],
            "attachments": selectors.attachments_of(request.user, listing),
            "may_attach": may_attach(request.user, listing),
        },
    )


@login_required
@require_POST
def listing_step(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    kind = selectors.KIND_OF_SLUG[slug]
    listing = selectors.listing_for(request.user, kind, pk)
    if listing is None:
        raise Http404(f"{LABELS[kind]}不存在或您无权查看。")
    name = request.POST.get("step", "")
    try:
        services.step(request.user, listing, name, request.POST.get("reason", ""))
    except ValidationError as error:
        for line in _errors(error):
            messages.error(request, line)
    else:
        messages.success(request, f"已{dict(_steps_for(request, listing)).get(name, '办理')}。")
    return redirect("market:detail", slug=slug, pk=pk)


def _over_budget(request: HttpRequest) -> HttpResponse | None:
    if selectors.public_request_allowed(request):
        return None
    return HttpResponse(
        "请求过于频繁，请一分钟后再试。", status=429, content_type="text/plain; charset=utf-8"
    )


def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    if refused := _over_budget(request):
        return refused
    kind = selectors.KIND_OF_SLUG[slug]
    filters, problems = from_query(ListingFilter, request.GET)
    rows = filters.filter(selectors.public_listings(kind)).order_by("-published_on", "-id")
    return render(
        request,
        "market/public_list.html",
        {
            "kind": kind,
            "slug": slug,
            "label": LABELS[kind],
            "page": page_of(rows, request.GET.get("page")),
            "problems": problems,
            "typed": {"q": request.GET.get("q", "")},
        },
    )


def public_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    if refused := _over_budget(request):
        return refused
    kind = selectors.KIND_OF_SLUG[slug]
    listing = selectors.public_listings(kind).filter(pk=pk).first()
    if listing is None:
        raise Http404(f"{LABELS[kind]}不存在或尚未发布。")
    return render(
        request,
        "market/public_detail.html",
        {"kind": kind, "slug": slug, "label": LABELS[kind], "listing": listing},
    )


# --- the pipeline -------------------------------------------------------------------------------


@requires(FOLLOW_MATCHES)
def board(request: HttpRequest) -> HttpResponse:
    filters, problems = from_query(MatchFilter, request.GET)
    matches = filters.filter(selectors.matches_for(request.user))
    return render(
        request,
        "market/board.html",
        {
            "columns": selectors.board(request.user, matches),
            "conversion": selectors.conversion(matches, "area"),
            "problems": problems,
            "next_status": {s.value: PIPELINE[i + 1] for i, s in enumerate(PIPELINE[:-1])},
            "statuses": MatchStatus,
        },
    )


@requires(FOLLOW_MATCHES)
@require_POST
def match_create(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "demand")
    pk = request.POST.get("source", "")
    source = selectors.listing_for(request.user, kind, int(pk)) if pk.isdigit() else None
    achievement_pk = request.POST.get("achievement", "")
    achievement = (
        selectors.search_visible_achievement(request.user, int(achievement_pk))
        if achievement_pk.isdigit()
        else None
    )
    if source is None or achievement is None or kind not in ("demand", "scenario"):
        raise Http404("需求或成果不存在或您无权查看。")
    roadshow_pk = request.POST.get("roadshow", "")
    roadshow = (
        selectors.roadshow_for(request.user, int(roadshow_pk)) if roadshow_pk.isdigit() else None
    )
    broker_pk = request.POST.get("broker", "")
    broker = (
        (selectors.brokers_for(request.user) | selectors.brokers_for(None))
        .filter(pk=int(broker_pk))
        .first()
        if broker_pk.isdigit()
        else None
    )
    try:
        services.create_match(request.user, source, achievement, broker, roadshow)
    except ValidationError as error:
        for line in _errors(error):
            messages.error(request, line)
        return redirect("market:detail", slug=SLUGS[kind], pk=source.pk)
    messages.success(request, f"已开始跟进：{source} ↔ {achievement}。")
    return redirect("market:board")


@requires(FOLLOW_MATCHES)
@require_POST
def match_move(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_for(request.user, pk)
    if match is None:
        raise Http404("对接不存在或您无权查看。")
    try:
        services.move_match(
            request.user,
            match,
            request.POST.get("status", ""),
            request.POST.get("note", ""),
            request.POST.get("reason", ""),
        )
    except ValidationError as error:
        for line in _errors(error):
            messages.error(request, line)
    else:
        messages.success(request, f"对接已更新为“{match.get_status_display()}”。")
    return redirect("market:board")


# --- published lists --------------------------------------------------------------------------


def lists(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "market/lists.html",
        {"lists": selectors.lists_for(None), "may_issue": ISSUE_LISTS.allows(request.user)},
    )


def _published(pk: int) -> Any:
    found = selectors.lists_for(None).filter(pk=pk).first()
    if found is None:
        raise Http404("清单不存在。")
    return found


def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "market/list_detail.html", {"published": _published(pk)})


def list_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    published = _published(pk)
    if wants_background(request):
        return _list_in_background(request, published, "xlsx")
    return export.export_list_xlsx(published)


def list_docx(request: HttpRequest, pk: int) -> HttpResponse:
    published = _published(pk)
    if wants_background(request):
        return _list_in_background(request, published, "docx")
    return export.export_list_docx(published)


def _list_in_background(request: HttpRequest, published: Any, file_format: str) -> HttpResponse:
    """The page's link asked for a job (a signed-in user): the file is built by the worker."""
    label = FORMATS[file_format][0]
    return in_background(
        request,
        kind="export",
        label=f"{published.title}（{label}）",
        target=LIST_TARGET,
        params={"list_id": published.pk, "file_format": file_format},
        back=reverse("market:list_detail", args=[published.pk]),
        dedupe_key=f"list:{published.pk}:{file_format}",
    )


@requires(ISSUE_LISTS)
def list_issue(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or ListKind.DEMANDS
    if kind not in ListKind.values:
        kind = ListKind.DEMANDS
    source = "scenario" if kind == ListKind.SCENARIOS else "demand"
    candidates = selectors.listings_for(request.user, source).filter(status=ListingStatus.PUBLISHED)
    errors: list[str] = []
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        try:
            industry = registry.industry_by_reference(request.user, request.POST.get("industry"))
            area = (
                request.user.area
                or registry.areas_for(request.user).filter(parent__isnull=True).first()
            )
            published = services.issue_list(
                request.user, kind, ids, area, request.POST.get("title", ""), industry
            )
        except ValidationError as error:
            errors = _errors(error)
        except PermissionDenied:
            raise
        else:
            messages.success(request, f"{published.title}已发布。")
            return redirect(reverse("market:list_detail", args=[published.pk]))
    return render(
        request,
        "market/issue.html",
        {
            "kind": kind,
            "kinds": ListKind.choices,
            "candidates": candidates,
            "errors": errors,
            "industries": registry.industries_for(request.user).filter(parent__isnull=True),
        },
        status=422 if errors else 200,
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    kinds = (kind,) if kind in selectors.KIND_LABELS else tuple(selectors.KIND_LABELS)
    results, truncated = selectors.search(request.user, text, kinds, k=20) if text else ([], False)
    return render(
        request,
        "market/search.html",
        {
            "q": text[:200],
            "kind": kind,
            "kinds": selectors.KIND_LABELS,
            "results": results,
            "truncated": truncated,
        },
    )


def listing_list_page(request: HttpRequest, slug: str) -> HttpResponse:
    return listing_list(request, selectors.KIND_OF_SLUG[slug])


def listing_new_page(request: HttpRequest, slug: str) -> HttpResponse:
    return listing_new(request, selectors.KIND_OF_SLUG[slug])


# --- attachments --------------------------------------------------------------------------------

MAX_UPLOAD = 10 * 1024 * 1024


@requires(POST_LISTING)
@require_POST
def attachment_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    kind = selectors.KIND_OF_SLUG[slug]
    listing = selectors.listing_for(request.user, kind, pk)
    if listing is None:
        raise Http404(f"{LABELS[kind]}不存在或您无权查看。")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "附件：请选择要上传的文件。")
        return redirect("market:detail", slug=slug, pk=pk)
    # Read one byte past the limit: the service names the size without reading a huge upload.
    content = upload.read(MAX_UPLOAD + 1)
    try:
        services.add_attachment(
            request.user, listing, content, upload.name or "", request.POST.get("label", "")
        )
    except ValidationError as error:
        for line in _errors(error):
            messages.error(request, f"附件：{line}")
    except PermissionDenied as error:
        messages.error(request, f"附件：{error}")
    else:
        messages.success(request, f"附件“{upload.name}”已上传。")
    return redirect("market:detail", slug=slug, pk=pk)


def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A listing's attachment: the public's when the listing is published (and not a
    confidential demand), otherwise within the user's scope; 404 either way when not."""
    if refused := _over_budget(request):
        return refused
    found = selectors.attachment_for(request.user, pk)
    if found is None:
        raise Http404("附件不存在或您无权查看。")
    with found.file.open("rb") as handle:
        content = handle.read()
    kinds = {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpeg": "image/jpeg",
        "docx": DOCX,
        "xlsx": XLSX,
    }
    kind = kinds.get(found.content_type, "application/octet-stream")
    return download(content, found.file_name, kind)


# --- roadshows and conversion --------------------------------------------------------------------


def _roadshow_form(post: Any) -> dict[str, Any]:
    def ids(name: str) -> list[int]:
        return [int(v) for v in post.getlist(name) if v.isdigit()]

    codes = [c.strip() for c in post.get("participants", "").splitlines() if c.strip()]
    typed = {
        name: post.get(name, "").strip()
        for name in ("title", "kind", "held_on", "venue", "description", "guests", "attendance")
        if post.get(name, "").strip()
    }
    return {
        **typed,
        "demands": ids("demands"),
        "achievements": ids("achievements"),
        "scenarios": ids("scenarios"),
        "participants": codes,
    }


@requires(RUN_ROADSHOWS)
def roadshow_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.roadshows_for(request.user)
    return render(
        request,
        "market/roadshows.html",
        {"page": page_of(rows, request.GET.get("page"))},
    )


@requires(RUN_ROADSHOWS)
def roadshow_new(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    typed: dict[str, Any] = {}
    if request.method == "POST":
        typed = _roadshow_form(request.POST)
        try:
            data = roadshow_data(request.user, RoadshowIn(**typed))
            saved = services.save_roadshow(request.user, Roadshow(), data)
        except (ValidationError, PydanticError) as error:
            errors = _errors(error)
        else:
            messages.success(request, f"{saved.get_kind_display()}“{saved.title}”已登记。")
            return redirect("market:roadshow", pk=saved.pk)
    candidates = {
        kind: selectors.listings_for(request.user, kind).filter(status=ListingStatus.PUBLISHED)[
            :200
        ]
        for kind in ("demand", "achievement", "scenario")
    }
    return render(
        request,
        "market/roadshow_form.html",
        {
            "errors": errors,
            "typed": typed,
            "kinds": RoadshowKind.choices,
            "candidates": [(k, LABELS[k], rows) for k, rows in candidates.items()],
            "chosen": {k: set(typed.get(f"{k}s", [])) for k in candidates},
        },
        status=422 if errors else 200,
    )


@requires(RUN_ROADSHOWS)
def roadshow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.roadshow_for(request.user, pk)
    if found is None:
        raise Http404("路演对接活动不存在或您无权查看。")
    return render(
        request,
        "market/roadshow.html",
        {"roadshow": found, "data": roadshow_out(request.user, found)},
    )


@requires(FOLLOW_MATCHES)
def stats(request: HttpRequest) -> HttpResponse:
    """Conversion (对接 → 已签约) by area, industry, broker and event; ?format=xlsx exports it."""
    table = selectors.conversion_table(selectors.matches_for(request.user))
    if request.GET.get("format") == "xlsx":
        return export.export_conversion(table, selectors.DIMENSIONS)
    return render(
        request,
        "market/stats.html",
        {"tables": [(by, selectors.DIMENSIONS[by], rows) for by, rows in table.items()]},
    )

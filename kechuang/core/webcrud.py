"""Generic list / detail / form / delete pages for any API `Resource`.

The page validates its form with the resource's payload schema and saves through the same
`Resource.to_data` and services as the API, so the web and the API cannot disagree. Filters come
from the resource's FilterSchema (one filter definition for the API, the page and the export).
"""

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from kechuang.core import pickers
from kechuang.core.crud import ArchiveIn, Resource, archivable, save_from_payload
from kechuang.core.errors import Conflict, django_validation_errors, pydantic_message
from kechuang.core.history import history_for
from kechuang.core.pagination import page_of
from kechuang.core.permissions import WRITE_DATA, check_may_add, may_add
from kechuang.core.scoping import can
from kechuang.core.services import archive_instance, delete_instance, restore_instance


@dataclass(frozen=True)
class Column:
    label: str
    accessor: str  # attribute path with dots, e.g. "organization.name" or "get_kind_display"
    link: bool = False


@dataclass(frozen=True)
class Page:
    resource: Resource
    columns: tuple[Column, ...]
    detail_fields: tuple[str, ...]
    title: str = ""
    excel: str | None = None  # registry code of the Excel round-trip, when there is one
    extra_detail: Any = None  # callable(request, obj) -> dict merged into the detail context
    labels: dict[str, str] = field(default_factory=dict)  # payload field -> label override
    read_only: bool = False  # list and detail only (e.g. confirmed annual figures)
    create_url: str = ""  # where "新增" leads for read-only pages
    detail_template: str = "core/crud/detail.html"  # one extending it (e.g. with actions)

    @property
    def slug(self) -> str:
        return self.resource.path

    @property
    def namespace(self) -> str:
        """The URL namespace of the app the page belongs to (its model's app)."""
        return self.resource.model._meta.app_label

    @property
    def url_prefix(self) -> str:
        return f"{self.namespace}:{self.slug}"

    @property
    def label(self) -> str:
        return self.title or self.resource.label


# --- reading values -------------------------------------------------------------------------


def resolve(obj: Any, accessor: str) -> Any:
    value = obj
    for part in accessor.split("."):
        value = getattr(value, part, None) if value is not None else None
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    if isinstance(value, models.Manager):
        return "、".join(str(v) for v in value.all())
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def display_fields(obj: models.Model, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    rows = []
    for name in names:
        model_field = obj._meta.get_field(name)
        label = str(model_field.verbose_name)
        if model_field.choices:
            value: Any = getattr(obj, f"get_{name}_display")()
        elif model_field.many_to_many:
            value = "、".join(str(v) for v in getattr(obj, name).all())
        else:
            value = resolve(obj, name)
        rows.append((label, value))
    return rows


# --- forms from payload schemas ---------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, optional?) of X | None annotations."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], True
    return annotation, False


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text, textarea, number, date, checkbox, select, list, picker
    required: bool
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = ""
    errors: list[str] = field(default_factory=list)
    picker: str = ""  # the picker kind (core/pickers.py) of a reference field


def _widget(model: type[models.Model], name: str, info: Any) -> tuple[str, list, str]:
    """(widget, choices, picker kind) of one payload field."""
    annotation = _unwrap(info.annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "select", [(m.value, getattr(m, "label", m.value)) for m in annotation], ""
    if typing.get_origin(annotation) is typing.Literal:
        return "select", [(v, v) for v in typing.get_args(annotation)], ""
    simple = {bool: "checkbox", dt.date: "date", int: "number"}
    if annotation in simple:
        return simple[annotation], [], ""
    if typing.get_origin(annotation) is list:
        return "list", [], ""
    if _max_length(info) > 300:
        return "textarea", [], ""
    picker = _picker_of(model, name)
    return ("picker" if picker else "text"), [], picker


def form_fields(
    page: Page, values: dict[str, Any], errors: dict[str, list[str]]
) -> list[FormField]:
    schema = page.resource.payload
    model = page.resource.model
    result = []
    for name, info in schema.model_fields.items():
        label = page.labels.get(name) or _model_label(model, name) or info.title or name
        widget, choices, picker = _widget(model, name, info)
        value = values.get(
            name, "" if info.is_required() else info.get_default(call_default_factory=True)
        )
        if widget == "list" and isinstance(value, list):
            value = "，".join(str(v) for v in value)
        result.append(
            FormField(
                name,
                str(label),
                widget,
                info.is_required(),
                info.description or "",
                choices,
                "" if value is None else value,
                errors.get(name, []),
                picker,
            )
        )
    return result


def _picker_of(model: type[models.Model], name: str) -> str:
    """The picker kind of a payload field naming one row of a model that has a picker."""
    model_field = _model_field(model, name)
    if model_field is None or not model_field.is_relation or model_field.many_to_many:
        return ""
    kind = pickers.for_model(model_field.related_model)
    return kind.kind if kind else ""


def _model_label(model: type[models.Model], name: str) -> str | None:
    for candidate in (name, name.removesuffix("_id"), name.removesuffix("_ids") + "s"):
        try:
            return str(model._meta.get_field(candidate).verbose_name)
        except FieldDoesNotExist:
            continue
    return None


def _max_length(info: Any) -> int:
    return max((getattr(m, "max_length", 0) or 0 for m in info.metadata), default=0)


def posted_values(page: Page, request: HttpRequest) -> dict[str, Any]:
    """The POSTed form as the payload dict the schema validates."""
    values: dict[str, Any] = {}
    for name, info in page.resource.payload.model_fields.items():
        annotation = _unwrap(info.annotation)[0]
        raw = request.POST.get(name, "")
        if annotation is bool:
            values[name] = name in request.POST
        elif typing.get_origin(annotation) is list:
            parts = [
                p.strip() for p in raw.replace("，", ",").replace("、", ",").split(",") if p.strip()
            ]
            values[name] = parts
        elif raw.strip() == "" and not info.is_required():
            values[name] = info.get_default(call_default_factory=True)
        else:
            values[name] = raw.strip()
    return values


def initial_values(obj: models.Model, page: Page) -> dict[str, Any]:
    """The payload that would recreate `obj` (the inverse of `Resource.to_data`)."""
    values: dict[str, Any] = {}
    for name in page.resource.payload.model_fields:
        if name.endswith("_ids"):
            values[name] = [v.pk for v in getattr(obj, name.removesuffix("_ids") + "s").all()]
            continue
        value = getattr(obj, name, None)
        if isinstance(value, models.Manager):
            values[name] = [_reference(v) for v in value.all()]
        elif isinstance(value, models.Model):
            values[name] = _reference(value)
        else:
            values[name] = value
    return values


def _reference(obj: models.Model) -> Any:
    for attr in ("uscc", "code"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    return obj.pk


def pydantic_errors(error: PydanticValidationError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "__all__"
        result.setdefault(name, []).append(pydantic_message(item))
    return result


def _model_field(model: type[models.Model], name: str) -> Any:
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def missing_errors(page: Page, values: dict[str, Any]) -> dict[str, list[str]]:
    """Every required field left empty, at once and by its label ("请填写单位名称。",
    "请选择单位类型。" for a choice), and every typed value its field's own validators refuse (a
    phone number, an e-mail): all in one round with the schema's errors, not one group per
    submit."""
    errors: dict[str, list[str]] = {}
    for shown in form_fields(page, values, {}):
        model_field = _model_field(page.resource.model, shown.name)
        value = values.get(shown.name)
        if model_field is None or shown.widget == "checkbox":
            continue
        if value in (None, "", []):
            # A reference the resource may derive (a platform's area from its host) is left to
            # the resource and the model, which name it if it stays unresolved.
            if not model_field.blank and not model_field.is_relation:
                picks = shown.widget == "select" or getattr(model_field, "is_relation", False)
                errors[shown.name] = [f"请{'选择' if picks else '填写'}{shown.label}。"]
        elif isinstance(value, str) and model_field.validators and not model_field.is_relation:
            try:  # the field's own format rules (phone, e-mail …) in the same round
                model_field.run_validators(value)
            except DjangoValidationError as error:
                errors[shown.name] = list(error.messages)
    return errors


def _validate_form(
    request: HttpRequest, page: Page, obj: Any, values: dict[str, Any]
) -> tuple[Any, dict[str, list[str]], bool]:
    """(saved object or None, errors, refused?): the empty required fields and the schema's
    errors together in one round; the model's rules once those pass."""
    r = page.resource
    missing = missing_errors(page, values)
    try:
        payload = r.payload.model_validate(values)
    except PydanticValidationError as error:
        return None, {**pydantic_errors(error), **missing}, False
    if missing:
        return None, missing, False
    try:
        return save_from_payload(request, r, obj or r.model(), payload), {}, False
    except DjangoValidationError as error:
        return None, django_validation_errors(error), False
    except PermissionDenied as error:  # e.g. an area outside the user's: keep what was typed
        return None, {"__all__": [str(error)]}, True


# --- views ------------------------------------------------------------------------------------


def ordering_choices(r: Resource) -> list[tuple[str, str]]:
    """(value, Chinese label) for each ordering, e.g. ("-approved_on", "批准日期（降序）")."""
    choices = []
    for name in r.orderings:
        label = _model_label(r.model, name.split("__")[0]) or name
        choices += [(name, f"{label}（升序）"), (f"-{name}", f"{label}（降序）")]
    return choices


def filtered(request: HttpRequest, r: Any) -> tuple[Any, dict[str, list[str]], str]:
    """The list's rows for the query string: (queryset, filter errors, ordering). The list page
    and the Excel export share it, so an export is exactly the list the user sees."""
    return filtered_for(request.user, request.GET, r)


def filtered_for(user: Any, params: Any, r: Any) -> tuple[Any, dict[str, list[str]], str]:
    """`filtered` for a user and query parameters (a background export has no request)."""
    data = {k: v for k, v in params.items() if k in r.filters.model_fields and v != ""}
    try:
        filters = r.filters(**data)
        filter_errors: dict[str, list[str]] = {}
    except PydanticValidationError as error:
        filters, filter_errors = r.filters(), pydantic_errors(error)
    ordering = params.get("ordering", r.orderings[0])
    allowed = {o for name in r.orderings for o in (name, f"-{name}")}
    if ordering not in allowed:
        ordering = r.orderings[0]
    return (
        filters.filter(r.queryset(user)).order_by(ordering, "pk"),
        filter_errors,
        ordering,
    )


def list_view(request: HttpRequest, page: Page) -> HttpResponse:
    r = page.resource
    queryset, filter_errors, ordering = filtered(request, r)
    current = page_of(queryset, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    controls = []
    for name, info in r.filters.model_fields.items():
        annotation = _unwrap(info.annotation)[0]
        control = {
            "name": name,
            "label": info.title or name,
            "value": request.GET.get(name, ""),
            "errors": filter_errors.get(name, []),
            "choices": None,
            "type": "text",
        }
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            control["choices"] = [(m.value, getattr(m, "label", m.value)) for m in annotation]
        elif extra.get("picker") and pickers.get(str(extra["picker"])):
            control["type"] = "picker"
            control["picker"] = extra["picker"]
        elif annotation is bool:
            control["choices"] = [("true", "是"), ("false", "否")]
        elif annotation is dt.date:
            control["type"] = "date"
        controls.append(control)
    rows = [(obj, [resolve(obj, c.accessor) for c in page.columns]) for obj in current.object_list]
    return render(
        request,
        "core/crud/list.html",
        {
            "page": page,
            "current": current,
            "rows": rows,
            "controls": controls,
            "query": query.urlencode(),
            "ordering": ordering,
            "orderings": ordering_choices(r),
            "may_write": WRITE_DATA.allows(request.user),
            "may_add": may_add(request.user, r.model),
            "create_url": page.create_url
            or ("" if page.read_only else reverse(f"{page.url_prefix}_create")),
        },
    )


def detail_view(request: HttpRequest, page: Page, pk: int) -> HttpResponse:
    obj = get_object_or_404(page.resource.queryset(request.user), pk=pk)
    context = {
        "page": page,
        "obj": obj,
        "fields": display_fields(obj, page.detail_fields),
        "history": history_for(obj),
        "may_change": not page.read_only and can(request.user, "change", obj),
        "may_delete": not page.read_only and can(request.user, "delete", obj),
        "archivable": not page.read_only and archivable(type(obj)),
        "today": dt.date.today().isoformat(),
    }
    if page.extra_detail:
        context.update(page.extra_detail(request, obj))
    return render(request, page.detail_template, context)


def form_view(request: HttpRequest, page: Page, pk: int | None = None) -> HttpResponse:
    r = page.resource
    obj = get_object_or_404(r.queryset(request.user), pk=pk) if pk is not None else None
    if obj is not None and not can(request.user, "change", obj):
        raise PermissionDenied(f"您无权修改该{r.label}。")
    if obj is None:
        check_may_add(request.user, r.model)
    errors: dict[str, list[str]] = {}
    denied = False
    values = initial_values(obj, page) if obj is not None else {}
    if request.method == "POST":
        values = posted_values(page, request)
        saved, errors, denied = _validate_form(request, page, obj, values)
        if saved is not None:
            messages.success(request, f"已保存{r.label}“{saved}”。")
            return redirect(reverse(f"{page.url_prefix}_detail", args=[saved.pk]))
    status = 403 if denied else 422 if errors else 200
    return render(
        request,
        "core/crud/form.html",
        {
            "page": page,
            "obj": obj,
            "fields": form_fields(page, values, errors),
            "general_errors": errors.get("__all__", []),
        },
        status=status,
    )


@require_POST
def delete_view(request: HttpRequest, page: Page, pk: int) -> HttpResponse:
    obj = get_object_or_404(page.resource.queryset(request.user), pk=pk)
    try:
        delete_instance(request.user, obj)
    except Conflict as error:  # the delete would lose history: say why on the row's page
        return _refused(request, page, pk, error.message, 409)
    messages.success(request, f"已删除{page.resource.label}“{obj}”。")
    return redirect(reverse(f"{page.url_prefix}_list"))


def _refused(request: HttpRequest, page: Page, pk: int, message: str, status: int) -> HttpResponse:
    messages.error(request, message)
    response = detail_view(request, page, pk)
    response.status_code = status
    return response


@require_POST
def archive_view(request: HttpRequest, page: Page, pk: int) -> HttpResponse:
    """注销/停用 from the detail page: date and reason posted, the row kept and audited."""
    obj = get_object_or_404(page.resource.queryset(request.user), pk=pk)
    try:
        values = ArchiveIn(on=request.POST.get("on") or None, reason=request.POST.get("reason", ""))
        archive_instance(request.user, obj, values.on, values.reason)
    except PydanticValidationError as error:
        problems = "；".join(pydantic_message(e) for e in error.errors())
        text = f"注销/停用日期或原因有误：{problems}请填写日期（YYYY-MM-DD）和至少 2 个字的原因。"
        return _refused(request, page, pk, text, 422)
    except DjangoValidationError as error:
        return _refused(request, page, pk, "；".join(error.messages), 422)
    except Conflict as error:
        return _refused(request, page, pk, error.message, 409)
    done = f"已注销/停用{page.resource.label}“{obj}”；历史记录均保留，可随时恢复。"
    messages.success(request, done)
    return redirect(reverse(f"{page.url_prefix}_detail", args=[pk]))


@require_POST
def restore_view(request: HttpRequest, page: Page, pk: int) -> HttpResponse:
    obj = get_object_or_404(page.resource.queryset(request.user), pk=pk)
    try:
        restore_instance(request.user, obj)
    except Conflict as error:
        return _refused(request, page, pk, error.message, 409)
    messages.success(request, f"已恢复{page.resource.label}“{obj}”。")
    return redirect(reverse(f"{page.url_prefix}_detail", args=[pk]))


def urls_for(page: Page) -> list[Any]:
    slug = page.slug

    def bind(view: Any) -> Any:
        def bound(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            return view(request, page, **kwargs)

        return login_required(bound)

    urls = [
        path(f"{slug}/", bind(list_view), name=f"{slug}_list"),
        path(f"{slug}/<int:pk>/", bind(detail_view), name=f"{slug}_detail"),
    ]
    if not page.read_only:
        urls += [
            path(f"{slug}/new/", bind(form_view), name=f"{slug}_create"),
            path(f"{slug}/<int:pk>/edit/", bind(form_view), name=f"{slug}_edit"),
            path(f"{slug}/<int:pk>/delete/", bind(delete_view), name=f"{slug}_delete"),
        ]
    if not page.read_only and archivable(page.resource.model):
        urls += [
            path(f"{slug}/<int:pk>/archive/", bind(archive_view), name=f"{slug}_archive"),
            path(f"{slug}/<int:pk>/restore/", bind(restore_view), name=f"{slug}_restore"),
        ]
    return urls

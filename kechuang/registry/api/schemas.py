"""Request and response schemas of the registry API. Amounts in 万元; dates YYYY-MM-DD;
organizations referred to by USCC, areas/industries/fields by code or name."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from ninja import Field, Schema

from kechuang.core.masking import SENSITIVE_FIELDS, mask_for
from kechuang.core.scoping import can
from kechuang.registry.declarations import (
    ANNUAL_REPORTS,
    NAMED_ACTORS,
    ORGANIZATIONS,
    PATENTS,
    PLATFORMS,
    QUALIFICATIONS,
    TALENTS,
    TEAMS,
    F,
    Registry,
    python_type,
)
from kechuang.registry.models import Area, IndustryChain, Organization, Talent, TechField


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None = Field(None, alias="parent.code")
    path: str


class IndustryOut(Schema):
    code: str
    name: str
    category: str
    parent_code: str | None = Field(None, alias="parent.code")
    source_section: str
    keywords: list[str]


class TechFieldOut(Schema):
    code: str
    name: str


def show_sensitive(obj: Any) -> bool:
    """Set by the views on objects the requesting user may change (details only, never lists)."""
    return bool(getattr(obj, "show_sensitive", False))


def reveal_to_editors(request: Any, obj: Any) -> Any:
    obj.show_sensitive = can(request.user, "change", obj)
    return obj


# --- the registries' schemas, generated from their declarations ------------------------------


@dataclass(frozen=True)
class Reference:
    """How the API names rows of a referenced model: in payloads (by text or id) and outputs."""

    item: Any  # payload type of one reference
    max_length: int | None
    description: str  # "{label}" is replaced by the field's verbose name
    out: tuple[str, ...]  # attributes shown in outputs (<field>_<attr>)
    many_out: str  # the attribute a many-to-many output lists


REFERENCES: dict[type[models.Model], Reference] = {
    Organization: Reference(str, 30, "{label}统一社会信用代码", ("uscc", "name"), "uscc"),
    Area: Reference(str, 50, "区域代码或名称，如 411303 或 卧龙区", ("code", "name"), "code"),
    IndustryChain: Reference(str, 60, "产业代码或名称", ("code",), "code"),
    TechField: Reference(str, 30, "高新技术领域代码 01–08 或名称", ("code",), "code"),
    Talent: Reference(int, None, "", ("id", "name"), "pk"),
}
MANY_DESCRIPTIONS = {TechField: "技术领域代码或名称"}


def _optional(annotation: Any, nullable: bool) -> Any:
    return annotation | None if nullable else annotation


def _bounds(model_field: Any) -> dict[str, Any]:
    """The column's range as the schema's typed bounds: a decimal's digits and places, an
    integer's minimum and maximum (those of the database), so an extreme value is a 422."""
    if isinstance(model_field, models.DecimalField):
        return {"max_digits": model_field.max_digits, "decimal_places": model_field.decimal_places}
    if not isinstance(model_field, models.IntegerField):
        return {}
    bounds = {}
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator):
            bounds["ge"] = max(bounds.get("ge", validator.limit_value), validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            bounds["le"] = min(bounds.get("le", validator.limit_value), validator.limit_value)
    return bounds


def _payload_field(registry: Registry, declared: F) -> tuple[str, Any, Any]:
    """(name, annotation, default or FieldInfo) of one payload field."""
    model_field = registry.model_field(declared.name)
    label = registry.label(declared.name)
    name = declared.api_name or declared.name
    options: dict[str, Any] = {}
    if model_field.many_to_many:
        ref = REFERENCES[model_field.related_model]
        description = MANY_DESCRIPTIONS.get(model_field.related_model, ref.description)
        if description:
            options["description"] = description.format(label=label)
        return name, list[ref.item], Field(default_factory=list, **options)
    required = not (model_field.blank or model_field.has_default())
    if model_field.is_relation:
        ref = REFERENCES[model_field.related_model]
        annotation: Any = ref.item
        if ref.max_length:
            options["max_length"] = ref.max_length
        if ref.description:
            options["description"] = ref.description.format(label=label)
    elif declared.choices is not None:
        annotation = declared.choices
    else:
        annotation = python_type(model_field)
        if annotation is str and model_field.max_length:
            options["max_length"] = model_field.max_length
        options.update(_bounds(model_field))
    options.update(declared.api)
    required = required and "default" not in options
    default = options.pop("default", None)
    if not required and default is None and model_field.has_default():
        default = model_field.get_default()
        default = declared.choices(default) if declared.choices else default
    if default is None and not required and annotation is str and not model_field.is_relation:
        default = ""
    nullable = not required and default is None
    value = ... if required else default
    return name, _optional(annotation, nullable), Field(value, **options) if options else value


def payload_schema(registry: Registry, name: str) -> type[Schema]:
    fields = [_payload_field(registry, declared) for declared in registry.fields]
    return _schema(name, {n: (a, d) for n, a, d in fields}, {})


def _mask_resolver(name: str) -> Any:
    mask = mask_for(name)
    return lambda obj: getattr(obj, name) if show_sensitive(obj) else mask(getattr(obj, name))


def _many_resolver(name: str, attr: str) -> Any:
    return lambda obj: [getattr(item, attr) for item in getattr(obj, name).all()]


def _out_fields(registry: Registry, declared: F) -> Iterator[tuple[str, Any, Any, Any]]:
    """(name, annotation, default, resolver) of the output fields one declared field gives."""
    model_field = registry.model_field(declared.name)
    name = declared.name
    if model_field.many_to_many:
        ref = REFERENCES[model_field.related_model]
        item = int if ref.many_out == "pk" else str
        out_name = declared.api_name or name
        yield out_name, list[item], ..., _many_resolver(name, ref.many_out)
        return
    if model_field.is_relation:
        ref = REFERENCES[model_field.related_model]
        for attr in declared.out or ref.out:
            if attr == "id":  # the foreign key's own column
                yield f"{name}_id", int | None, ..., None
                continue
            path = Field(None if model_field.null else ..., alias=f"{name}.{attr}")
            yield f"{name}_{attr}", _optional(str, model_field.null), path, None
        return
    annotation = str if declared.choices else python_type(model_field)
    resolver = _mask_resolver(name) if name in SENSITIVE_FIELDS else None
    yield name, _optional(annotation, model_field.null), ..., resolver
    if declared.display:
        yield f"{name}_display", str, Field(..., alias=f"get_{name}_display"), None


def out_schema(registry: Registry, name: str) -> type[Schema]:
    fields: dict[str, tuple[Any, Any]] = {"id": (int, ...)}
    resolvers: dict[str, Any] = {}
    extra = tuple(F(n) for n in registry.out_extra)
    for declared in (*registry.fields, *extra):
        for field_name, annotation, default, resolver in _out_fields(registry, declared):
            fields[field_name] = (annotation, default)
            if resolver is not None:
                resolvers[field_name] = resolver
    for computed in registry.computed:
        fields[computed.name] = (computed.type, ...)
        resolvers[computed.name] = computed.resolve
    return _schema(name, fields, resolvers)


def _schema(name: str, fields: dict[str, tuple[Any, Any]], resolvers: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": name,
        "__annotations__": {n: annotation for n, (annotation, _) in fields.items()},
    }
    for field_name, (_, default) in fields.items():
        if default is not ...:
            namespace[field_name] = default
    for field_name, resolve in resolvers.items():
        namespace[f"resolve_{field_name}"] = staticmethod(resolve)
    return type(name, (Schema,), namespace)


OrganizationOut = out_schema(ORGANIZATIONS, "OrganizationOut")
OrganizationIn = payload_schema(ORGANIZATIONS, "OrganizationIn")
QualificationOut = out_schema(QUALIFICATIONS, "QualificationOut")
QualificationIn = payload_schema(QUALIFICATIONS, "QualificationIn")
AnnualReportOut = out_schema(ANNUAL_REPORTS, "AnnualReportOut")
PlatformOut = out_schema(PLATFORMS, "PlatformOut")
PlatformIn = payload_schema(PLATFORMS, "PlatformIn")
TalentOut = out_schema(TALENTS, "TalentOut")
TalentIn = payload_schema(TALENTS, "TalentIn")
TeamOut = out_schema(TEAMS, "TeamOut")
TeamIn = payload_schema(TEAMS, "TeamIn")
PatentOut = out_schema(PATENTS, "PatentOut")
PatentIn = payload_schema(PATENTS, "PatentIn")
NamedActorOut = out_schema(NAMED_ACTORS, "NamedActorOut")

"""The market lists' parameters: one `ListingFilter` for the pages, the API and the exports of
demands, achievements and scenarios; `PeopleFilter` for experts and brokers; `MatchFilter` for the
pipeline."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from ninja import Field, FilterSchema
from pydantic import AfterValidator
from pydantic import ValidationError as PydanticValidationError

from kechuang.core.errors import pydantic_message
from kechuang.market.models import ListingStatus, MatchStatus, Maturity
from kechuang.registry.filters import area_code, industry_code

# Labels and parts of them are resolved ("卧龙" -> 卧龙区, "超硬" -> 新材料 / 超硬材料), or named
# as unknown or ambiguous: never a silent empty list.
AreaText = Annotated[str | None, AfterValidator(area_code)]
IndustryText = Annotated[str | None, AfterValidator(industry_code)]

FIELD_LABELS = {
    "q": "关键词",
    "status": "状态",
    "industry": "产业",
    "area": "区域",
    "maturity": "成熟度",
}


def _has_field(model: type[Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


class ListingFilter(FilterSchema):
    q: str | None = Field(None, max_length=100, description="名称、关键词或描述中的文字")
    status: ListingStatus | None = None
    industry: IndustryText = Field(None, max_length=60, description="产业代码或名称（含下级）")
    area: AreaText = Field(None, max_length=50, description="区域代码或名称（含下级）")
    maturity: Maturity | None = Field(None, description="成熟度（仅科技成果）")

    def filter(self, queryset: QuerySet) -> QuerySet:
        """成熟度 belongs to achievements only: asked of demands or scenarios, no row has it, so
        none matches (the query never names a column the model lacks)."""
        if self.maturity and not _has_field(queryset.model, "maturity"):
            return queryset.none()
        return super().filter(queryset)

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(title__icontains=value) | Q(keywords__icontains=value)

    def filter_industry(self, value: str | None) -> Q:
        if not value:
            return Q()
        return (
            Q(industry__code=value)
            | Q(industry__name=value)
            | Q(industry__parent__code=value)
            | Q(industry__parent__name=value)
        )

    def filter_area(self, value: str | None) -> Q:
        if not value:
            return Q()
        return (
            Q(area__code=value)
            | Q(area__name=value)
            | Q(area__parent__name=value)
            | Q(area__parent__code=value)
        )


class PeopleFilter(FilterSchema):
    q: str | None = Field(None, max_length=100, description="姓名或专长")
    area: AreaText = Field(None, max_length=50, description="区域代码或名称")

    def filter_q(self, value: str | None) -> Q:
        return Q(name__icontains=value) if value else Q()

    def filter_area(self, value: str | None) -> Q:
        return Q(area__code=value) | Q(area__name=value) if value else Q()


class MatchFilter(FilterSchema):
    status: MatchStatus | None = None
    area: AreaText = Field(None, max_length=50, description="需求方区域代码或名称")

    def filter_area(self, value: str | None) -> Q:
        return Q(area__code=value) | Q(area__name=value) if value else Q()


def from_query(schema: type[FilterSchema], query: QueryDict) -> tuple[FilterSchema, list[str]]:
    """A page's filter from its query string: a value that does not parse is dropped and named
    in a Chinese problem, never widened silently into something else."""
    values = {name: query.get(name, "").strip() or None for name in schema.model_fields}
    try:
        return schema(**values), []
    except PydanticValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0])
            problems.append(f"筛选条件“{FIELD_LABELS.get(name, name)}”：{pydantic_message(item)}")
            values[name] = None
        return schema(**values), problems

"""The register's REST API (mounted at /api/contracts by `kechuang/site/api.py`): the list with
filters, one contract with its history, the seller's application, every registrar step, the
registrar's workbench, statistics, and the public certificate check."""

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kechuang.contracts import selectors, services
from kechuang.contracts.filters import ContractFilter
from kechuang.contracts.models import Objection, TechContract
from kechuang.contracts.permissions import CONTRACT_STATS, REGISTRAR
from kechuang.core.pagination import Pagination
from kechuang.core.permissions import guard

router = Router(tags=["技术合同登记"])
AMOUNT = Field(..., ge=0, max_digits=14, decimal_places=4, description="万元")


class DeductionSchema(Schema):
    kind: str = Field(
        ..., max_length=30, description="equipment/instruments/parts/... 或 carrier_*"
    )
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4, description="万元")
    description: str = Field("", max_length=200)
    quantity: int = Field(1, ge=1, le=100000)


class EventOut(Schema):
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    on: dt.date
    note: str
    actor: str | None = Field(None, alias="actor.username")
    total_amount: Decimal | None
    tech_amount: Decimal | None


class ContractObjectionOut(Schema):
    id: int
    raised_by: str
    raised_on: dt.date
    text: str
    status: str
    answer: str
    answered_on: dt.date | None


class ContractOut(Schema):
    id: int
    registration_no: str | None
    category: str
    category_display: str = Field(..., alias="category_label")
    subcategory: str
    subcategory_display: str = Field(..., alias="subcategory_label")
    title: str
    seller_name: str
    seller_uscc: str
    seller_area: str = Field(..., alias="seller_area.name")
    buyer_name: str
    buyer_area: str | None = Field(None, alias="buyer_area.name")
    buyer_region: str
    tech_field: str | None = Field(None, alias="tech_field.name")
    industry: str | None = Field(None, alias="industry.name")
    signed_on: dt.date
    registered_on: dt.date | None
    total_amount: Decimal
    declared_tech_amount: Decimal | None
    tech_amount: Decimal | None
    payments_received: Decimal
    status: str
    status_display: str = Field(..., alias="get_status_display")
    disputed: bool
    accepted_on: dt.date | None
    due_on: dt.date | None
    is_demo: bool


class ContractDetailOut(ContractOut):
    refusal_reason: str
    expert_opinion: str
    file_name: str
    deductions: list[DeductionSchema]
    events: list[EventOut]
    objections: list[ContractObjectionOut]


class ContractApplicationIn(Schema):
    category: str = Field(..., max_length=20, description="类别代码或名称，如 技术开发")
    subcategory: str = Field("", max_length=30, description="细分类别代码或名称，如 委托开发")
    title: str = Field(..., min_length=1, max_length=300)
    seller_uscc: str = Field("", max_length=30, description="企业、高校院所用户为本单位，可省略")
    buyer_uscc: str = Field("", max_length=30)
    buyer_name: str = Field("", max_length=200)
    buyer_area: str = Field("", max_length=50, description="买方在本市时的区域")
    buyer_region: str = Field("", max_length=60, description="买方在市外时的省/市")
    tech_field: str = Field("", max_length=60)
    industry: str = Field("", max_length=60)
    signed_on: dt.date
    total_amount: Decimal = AMOUNT
    declared_tech_amount: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    payments_received: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=4)
    patents: list[str] = Field(default_factory=list, max_length=50, description="专利号")
    file_name: str = Field("", max_length=200)
    file_base64: str = Field(..., description="合同文本（PDF、DOCX、PNG、JPEG），Base64 编码")


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class MaterialIn(NoteIn):
    file_base64: str = Field("", description="补正的合同文本（可选），Base64 编码")


class CategoryIn(Schema):
    category: str = Field(..., max_length=20)
    subcategory: str = Field("", max_length=30)
    note: str = Field("", max_length=2000)


class AssessIn(Schema):
    deductions: list[DeductionSchema] = Field(default_factory=list, max_length=200)
    disputed: bool | None = None
    note: str = Field("", max_length=2000)


class OpinionIn(Schema):
    opinion: str = Field(..., max_length=4000)


class RegisterIn(Schema):
    registration_no: str = Field("", max_length=40, description="留空则自动编号")
    registered_on: dt.date | None = None


class ContractReasonIn(Schema):
    reason: str = Field(..., max_length=2000)
    on: dt.date | None = None


class ChangeIn(Schema):
    title: str | None = Field(None, max_length=300)
    total_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    payments_received: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    deductions: list[DeductionSchema] | None = Field(None, max_length=200)
    note: str = Field("", max_length=2000)
    on: dt.date | None = None


class ContractObjectionIn(Schema):
    raised_by: str = Field("", max_length=200)
    text: str = Field(..., max_length=4000)


class ContractAnswerIn(Schema):
    answer: str = Field(..., max_length=4000)


class SumsOut(Schema):
    key: str
    count: int
    total: Decimal
    technology: Decimal


class StatsOut(Schema):
    year: int | None
    area: str | None
    totals: SumsOut
    by_period: list[SumsOut]
    output_by_area: list[SumsOut]
    absorbed_by_area: list[SumsOut]
    by_category: list[SumsOut]
    by_field: list[SumsOut]
    by_industry: list[SumsOut]
    by_seller_kind: list[SumsOut]
    flows: list[dict[str, Any]]
    top_sellers: list[SumsOut]
    top_buyers: list[SumsOut]


class VerifyOut(Schema):
    genuine: bool
    message: str
    registration_no: str | None = None
    registered_on: dt.date | None = None
    category: str | None = None
    status: str | None = None


def decode_file(text: str, field: str = "file_base64") -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({field: ["合同文本应为 Base64 编码的文件内容。"]}) from error


def _contract(request: HttpRequest, pk: int) -> TechContract:
    return get_object_or_404(selectors.contracts_for(request.user), pk=pk)


def _detail(contract: TechContract) -> TechContract:
    return selectors.contract_with_history(contract.pk)


@router.get("", response=list[ContractOut], summary="技术合同列表")
@paginate(Pagination)
def list_contracts(request: HttpRequest, filters: Query[ContractFilter]) -> Any:
    return filters.filter(selectors.contracts_for(request.user))


@router.post("", response={201: ContractDetailOut}, summary="申请技术合同登记（卖方）")
def apply_contract(request: HttpRequest, payload: ContractApplicationIn) -> Any:
    data = payload.dict()
    content = decode_file(data.pop("file_base64"))
    contract = services.apply(request.user, data, content, data.pop("file_name"))
    return Status(201, _detail(contract))


@router.get("/workbench", response=dict[str, list[ContractOut]], summary="登记机构工作台")
@guard(REGISTRAR)
def workbench(request: HttpRequest) -> Any:
    return selectors.workbench(request.user, services.today())


@router.get("/stats", response=StatsOut, summary="技术合同统计")
@guard(CONTRACT_STATS)
def stats(
    request: HttpRequest,
    year: int | None = Query(None, ge=1990, le=2100),
    area: str | None = Query(None, max_length=50),
    period: str = Query("year", pattern="^(year|quarter|month)$"),
) -> Any:
    return selectors.statistics_answer(request.user, year, area, period)


@router.get("/verify", response=VerifyOut, auth=None, summary="登记证明真伪查验（公开）")
def verify(
    request: HttpRequest,
    number: str = Query(..., max_length=40),
    code: str = Query(..., max_length=12),
) -> Any:
    return selectors.verify_certificate(request, number, code)


@router.get("/{pk}", response=ContractDetailOut, summary="技术合同详情（含登记历史）")
def get_contract(request: HttpRequest, pk: int) -> Any:
    return _detail(_contract(request, pk))


@router.post("/{pk}/accept", response=ContractDetailOut, summary="受理")
def accept(request: HttpRequest, pk: int) -> Any:
    return _detail(services.accept(request.user, _contract(request, pk)))


@router.post("/{pk}/request-more", response=ContractDetailOut, summary="要求补正材料")
def request_more(request: HttpRequest, pk: int, payload: NoteIn) -> Any:
    return _detail(services.request_more(request.user, _contract(request, pk), payload.note))


@router.post("/{pk}/complete", response=ContractDetailOut, summary="补正材料（重新计时）")
def complete(request: HttpRequest, pk: int, payload: MaterialIn) -> Any:
    content = decode_file(payload.file_base64) if payload.file_base64 else None
    contract = _contract(request, pk)
    return _detail(services.complete_material(request.user, contract, payload.note, content))


@router.post("/{pk}/category", response=ContractDetailOut, summary="认定合同类别")
def decide_category(request: HttpRequest, pk: int, payload: CategoryIn) -> Any:
    contract = _contract(request, pk)
    return _detail(
        services.decide_category(
            request.user, contract, payload.category, payload.subcategory, payload.note
        )
    )


@router.post("/{pk}/assess", response=ContractDetailOut, summary="核定技术交易额")
def assess(request: HttpRequest, pk: int, payload: AssessIn) -> Any:
    items = [d.dict() for d in payload.deductions]
    contract = _contract(request, pk)
    return _detail(services.assess(request.user, contract, items, payload.disputed, payload.note))


@router.post("/{pk}/expert-review", response=ContractDetailOut, summary="记录专家评审意见")
def expert_review(request: HttpRequest, pk: int, payload: OpinionIn) -> Any:
    contract = _contract(request, pk)
    return _detail(services.record_expert_review(request.user, contract, payload.opinion))


@router.post("/{pk}/register", response=ContractDetailOut, summary="登记")
def register(request: HttpRequest, pk: int, payload: RegisterIn) -> Any:
    contract = _contract(request, pk)
    return _detail(
        services.register(request.user, contract, payload.registration_no, payload.registered_on)
    )


@router.post("/{pk}/refuse", response=ContractDetailOut, summary="不予登记")
def refuse(request: HttpRequest, pk: int, payload: ContractReasonIn) -> Any:
    return _detail(services.refuse(request.user, _contract(request, pk), payload.reason))


@router.post("/{pk}/change", response=ContractDetailOut, summary="变更登记")
def change(request: HttpRequest, pk: int, payload: ChangeIn) -> Any:
    data = payload.dict()
    deductions = data.pop("deductions")
    contract = _contract(request, pk)
    return _detail(
        services.change(request.user, contract, data, deductions, data["note"], data["on"])
    )


@router.post("/{pk}/cancel", response=ContractDetailOut, summary="注销登记")
def cancel(request: HttpRequest, pk: int, payload: ContractReasonIn) -> Any:
    contract = _contract(request, pk)
    return _detail(services.cancel(request.user, contract, payload.reason, payload.on))


@router.post("/{pk}/objections", response={201: ContractObjectionOut}, summary="登记异议")
def raise_objection(request: HttpRequest, pk: int, payload: ContractObjectionIn) -> Any:
    contract = _contract(request, pk)
    return Status(
        201, services.raise_objection(request.user, contract, payload.raised_by, payload.text)
    )


@router.post("/objections/{pk}/answer", response=ContractObjectionOut, summary="答复异议")
def answer_objection(request: HttpRequest, pk: int, payload: ContractAnswerIn) -> Any:
    visible = Objection.objects.restrict(request.user, "view")
    objection = get_object_or_404(visible.select_related("contract"), pk=pk)
    return services.answer_objection(request.user, objection, payload.answer)

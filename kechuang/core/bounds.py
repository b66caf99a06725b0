"""Typed bounds a client's extreme value meets before the database does: row ids are 1 to
MAX_ID (the range of a 64-bit primary key on SQLite and PostgreSQL alike), so an id of 2^63 or
-1 in a path is a 422 in Chinese, not an overflow deep in the ORM (a 500)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, create_model

MAX_ID = 2**63 - 1

# A row id in a schema (a body or a query field naming a row).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _bounded(model: Any) -> Any:
    """The path model with each unbounded integer parameter bounded to 1..MAX_ID, or None when
    it has none."""
    fields = {
        name: (Id, info)
        for name, info in model.model_fields.items()
        if info.annotation is int and not info.metadata
    }
    if not fields:
        return None
    return create_model(model.__name__, __base__=model, **fields)


def bound_path_ids(api: Any) -> None:
    """Every integer path parameter of every operation of `api` (its routers added) gets the
    bounds of an id, in its validation and in /api/openapi.json; a module added later is covered
    without writing the bound at each route."""
    for router in api._get_bound_routers():
        for view in router.path_operations.values():
            for operation in view.operations:
                for index, model in enumerate(operation.models):
                    if model.__ninja_param_source__ == "path" and (new := _bounded(model)):
                        operation.models[index] = new

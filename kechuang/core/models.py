"""The base every domain model stands on: audit trail, scoping, timestamps."""

from django.db import models

from kechuang.accounts.models import AuditedModel
from kechuang.accounts.scoping import ScopedManager, ScopeRule


class DomainModel(AuditedModel):
    """Abstract base of domain data.

    Subclasses set `scope = ScopeRule(...)`; `objects.restrict(user, action)` then narrows any
    queryset to what the user may see or change, and every change lands in the audit trail.
    """

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope = ScopeRule()
    objects = ScopedManager()

    class Meta:
        abstract = True

"""The registry's models, one module per registry."""

from kechuang.registry.models.figures import (
    AnnualReport,
    FigureReview,
    FigureSubmission,
    SubmissionStatus,
)
from kechuang.registry.models.organizations import (
    Organization,
    OrganizationKind,
    SizeClass,
    validate_uscc_field,
)
from kechuang.registry.models.patents import LegalStatus, Patent, PatentKind
from kechuang.registry.models.platforms import (
    InnovationPlatform,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
)
from kechuang.registry.models.qualifications import (
    IssuerLevel,
    Qualification,
    QualificationKind,
    QualificationSource,
    Verification,
)
from kechuang.registry.models.reference import (
    Area,
    AreaKind,
    IndustryCategory,
    IndustryChain,
    NamedActor,
    NamedActorKind,
    TechField,
)
from kechuang.registry.models.talent import Talent, Team, TeamProgramme

__all__ = [
    "AnnualReport",
    "Area",
    "AreaKind",
    "FigureReview",
    "FigureSubmission",
    "IndustryCategory",
    "IndustryChain",
    "InnovationPlatform",
    "IssuerLevel",
    "LegalStatus",
    "NamedActor",
    "NamedActorKind",
    "Organization",
    "OrganizationKind",
    "Patent",
    "PatentKind",
    "PlatformKind",
    "PlatformLevel",
    "PlatformStatus",
    "Qualification",
    "QualificationKind",
    "QualificationSource",
    "SizeClass",
    "SubmissionStatus",
    "Talent",
    "Team",
    "TeamProgramme",
    "TechField",
    "Verification",
    "validate_uscc_field",
]

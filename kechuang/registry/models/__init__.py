"""The registry's models, one module per registry."""

from kechuang.registry.models.figures import (
    AnnualReport,
    FigureReview,
    FigureSubmission,
    SubmissionStatus,
)
from kechuang.registry.models.integrity import (
    ContestStatus,
    IntegrityRecord,
    IntegritySeverity,
    IntegritySource,
)
from kechuang.registry.models.organizations import (
    IndustrySection,
    Organization,
    OrganizationKind,
    SizeClass,
    validate_uscc_field,
)
from kechuang.registry.models.patents import LegalStatus, Patent, PatentKind
from kechuang.registry.models.platforms import (
    InnovationPlatform,
    PlatformEvent,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    PlatformStatusChange,
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
    "ContestStatus",
    "FigureReview",
    "FigureSubmission",
    "IndustryCategory",
    "IndustryChain",
    "IndustrySection",
    "InnovationPlatform",
    "IntegrityRecord",
    "IntegritySeverity",
    "IntegritySource",
    "IssuerLevel",
    "LegalStatus",
    "NamedActor",
    "NamedActorKind",
    "Organization",
    "OrganizationKind",
    "Patent",
    "PatentKind",
    "PlatformEvent",
    "PlatformKind",
    "PlatformLevel",
    "PlatformStatus",
    "PlatformStatusChange",
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

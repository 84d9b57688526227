"""The rehab app's models, one module per sub-domain: library, doses, protocols, plans, logbook,
alerts, criteria, media, published reference trajectories, a clinic's risk-factor offsets.

Django loads the models from here; code imports them from their sub-module."""

from __future__ import annotations

from rehab.models.alerts import Alert, PlanHold
from rehab.models.criteria import (
    CriterionJudgement,
    CriterionKind,
    PlanCriterion,
    ProposalDismissal,
    ProtocolCriterion,
)
from rehab.models.doses import DoseFields, Side
from rehab.models.library import Equipment, Exercise, ExerciseMedia, Pathway, SlugManager
from rehab.models.logbook import (
    AtrsRequest,
    AtrsResponse,
    AtrsSubmission,
    CheckIn,
    CheckInSubmission,
    ExerciseLog,
    Measurement,
    Swelling,
)
from rehab.models.media import MediaFields
from rehab.models.plans import (
    PhaseChange,
    Plan,
    PlanEdit,
    PlanPhase,
    Prescription,
    PrescriptionMedia,
)
from rehab.models.protocols import (
    PhaseFields,
    Protocol,
    ProtocolItem,
    ProtocolItemManager,
    ProtocolPhase,
    ProtocolPhaseManager,
)
from rehab.models.references import ReferencePoint
from rehab.models.risk import RiskOffsets

__all__ = [
    "Alert",
    "AtrsRequest",
    "AtrsResponse",
    "AtrsSubmission",
    "CheckIn",
    "CheckInSubmission",
    "CriterionJudgement",
    "CriterionKind",
    "DoseFields",
    "Equipment",
    "Exercise",
    "ExerciseLog",
    "ExerciseMedia",
    "Measurement",
    "MediaFields",
    "Pathway",
    "PhaseChange",
    "PhaseFields",
    "Plan",
    "PlanCriterion",
    "PlanEdit",
    "PlanHold",
    "PlanPhase",
    "Prescription",
    "PrescriptionMedia",
    "ProposalDismissal",
    "Protocol",
    "ProtocolCriterion",
    "ProtocolItem",
    "ProtocolItemManager",
    "ProtocolPhase",
    "ProtocolPhaseManager",
    "ReferencePoint",
    "RiskOffsets",
    "Side",
    "SlugManager",
    "Swelling",
]

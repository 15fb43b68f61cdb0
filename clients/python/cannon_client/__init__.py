"""Python client for a cannon-aim service, blocking and async, on httpx and pydantic alone.

    from cannon_client import CannonClient, UnreachableTarget

    with CannonClient("http://127.0.0.1:8000") as cannon:
        shot = cannon.aim(7.5, tolerance=0.001)  # 7.5 m, within 1 mm: angle (rad), velocity (m/s)
    moving = cannon.aim_at((6.0, 3.0, 0.5), target_velocity=(0.0, 1.5, 0.0), wind=(0.0, -2.0))
    odds = cannon.aim(7.5, uncertainty=Uncertainty(hit_radius=0.1, velocity_sigma=0.05))
    fitted = cannon.calibrate(shots, 0.02, ["drag", "velocity_bias"])  # ranging shots landed

It imports nothing of the server (no torch, numpy or fastapi), so it loads in a fraction of a
second; its models are held to the served OpenAPI schema by tests/test_client_contract.py.
"""

from cannon_client.answers import (
    AimBatchResponse,
    AimResponse,
    AirEnvelope,
    AirModelCard,
    AnyBatchResponse,
    BatchIntercept,
    BatchSolution,
    BatchUnreachable,
    BatchUnreachableTarget,
    CannonCard,
    ErrorItem,
    Health,
    InterceptBatchResponse,
    InterceptResponse,
    InterceptVerdict,
    LossSurfaceResponse,
    ModelCard,
    NotReadyResponse,
    Point,
    Problem,
    Ready,
    Solution,
    SpaceModelCard,
    TargetSolution,
    TrajectoryResponse,
    ValidationErrorResponse,
    VerifyResponse,
)
from cannon_client.calibration import (
    CalibratedConditions,
    CalibratedUncertainty,
    CalibrateResponse,
    Estimate,
    ObservedShot,
    Prior,
    Residual,
)
from cannon_client.calls import RetryPolicy
from cannon_client.clients import AsyncCannonClient, CannonClient
from cannon_client.conditions import Conditions, Constraints, Scene
from cannon_client.errors import (
    BadShot,
    CannonError,
    InvalidRequest,
    NotIdentifiable,
    NotReady,
    Overloaded,
    ServerError,
    ServerTimeout,
    Unauthorized,
    Unavailable,
    UnreachableTarget,
)
from cannon_client.odds import (
    BestOdds,
    Dispersion,
    HitProbability,
    MeanMiss,
    Odds,
    Point2,
    Uncertainty,
)

__version__ = "0.1.0"

__all__ = [
    "AimBatchResponse",
    "AimResponse",
    "AirEnvelope",
    "AirModelCard",
    "AnyBatchResponse",
    "AsyncCannonClient",
    "BadShot",
    "BatchIntercept",
    "BatchSolution",
    "BatchUnreachable",
    "BatchUnreachableTarget",
    "BestOdds",
    "CalibrateResponse",
    "CalibratedConditions",
    "CalibratedUncertainty",
    "CannonCard",
    "CannonClient",
    "CannonError",
    "Conditions",
    "Constraints",
    "Dispersion",
    "ErrorItem",
    "Estimate",
    "Health",
    "HitProbability",
    "InterceptBatchResponse",
    "InterceptResponse",
    "InterceptVerdict",
    "InvalidRequest",
    "LossSurfaceResponse",
    "MeanMiss",
    "ModelCard",
    "NotIdentifiable",
    "NotReady",
    "NotReadyResponse",
    "ObservedShot",
    "Odds",
    "Overloaded",
    "Point",
    "Point2",
    "Prior",
    "Problem",
    "Ready",
    "Residual",
    "RetryPolicy",
    "Scene",
    "ServerError",
    "ServerTimeout",
    "Solution",
    "SpaceModelCard",
    "TargetSolution",
    "TrajectoryResponse",
    "Unauthorized",
    "Unavailable",
    "Uncertainty",
    "UnreachableTarget",
    "ValidationErrorResponse",
    "VerifyResponse",
]

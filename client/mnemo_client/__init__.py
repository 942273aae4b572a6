"""mnemo-client: the Python client of the mnemo memory service (httpx + pydantic only)."""

from mnemo_client.async_client import AsyncMnemo, AsyncThreads, AsyncWorking
from mnemo_client.errors import (
    AuthenticationError,
    BadRequest,
    Conflict,
    InvalidInput,
    MnemoConnectionError,
    MnemoError,
    MnemoNotFound,
    MnemoUnavailable,
    MnemoUnexpectedResponse,
    MnemoValidationError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    ServerError,
    Unavailable,
    UnexpectedResponse,
    UnknownModel,
    UnsupportedMediaType,
)
from mnemo_client.models import (
    MemoryIn,
    MemoryRecord,
    MemoryType,
    RankingOptions,
    RetrieveResult,
    Role,
    Scope,
)
from mnemo_client.raw import Limits, Reply
from mnemo_client.state_models import (
    ForgetReceipt,
    MemoryHistory,
)
from mnemo_client.sync_client import Mnemo, Threads, Working

__version__ = "0.1.0"
__all__ = [
    "AsyncMnemo",
    "AsyncThreads",
    "AsyncWorking",
    "AuthenticationError",
    "BadRequest",
    "Conflict",
    "ForgetReceipt",
    "InvalidInput",
    "Limits",
    "MemoryHistory",
    "MemoryIn",
    "MemoryRecord",
    "MemoryType",
    "Mnemo",
    "MnemoConnectionError",
    "MnemoError",
    "MnemoNotFound",
    "MnemoUnavailable",
    "MnemoUnexpectedResponse",
    "MnemoValidationError",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "RankingOptions",
    "RateLimited",
    "Reply",
    "RetrieveResult",
    "Role",
    "Scope",
    "ServerError",
    "Threads",
    "Unavailable",
    "UnexpectedResponse",
    "UnknownModel",
    "UnsupportedMediaType",
    "Working",
]

"""mnemo-client: the Python client of the mnemo memory service (httpx + pydantic only).

Its names are imported when first used, not with the package: `mnemo-mcp` lives in a subpackage,
and its `--help` would otherwise load httpx and pydantic to print a few lines."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        SearchResults,
    )
    from mnemo_client.raw import Limits, Reply
    from mnemo_client.state_models import (
        ErasureStatus,
        ForgetPreview,
        ForgetReceipt,
        MemoryHistory,
    )
    from mnemo_client.sync_client import Mnemo, Threads, Working

_MODULE_OF = {
    "AsyncMnemo": "mnemo_client.async_client",
    "AsyncThreads": "mnemo_client.async_client",
    "AsyncWorking": "mnemo_client.async_client",
    "AuthenticationError": "mnemo_client.errors",
    "BadRequest": "mnemo_client.errors",
    "Conflict": "mnemo_client.errors",
    "ErasureStatus": "mnemo_client.state_models",
    "ForgetPreview": "mnemo_client.state_models",
    "ForgetReceipt": "mnemo_client.state_models",
    "InvalidInput": "mnemo_client.errors",
    "Limits": "mnemo_client.raw",
    "MemoryHistory": "mnemo_client.state_models",
    "MemoryIn": "mnemo_client.models",
    "MemoryRecord": "mnemo_client.models",
    "MemoryType": "mnemo_client.models",
    "Mnemo": "mnemo_client.sync_client",
    "MnemoConnectionError": "mnemo_client.errors",
    "MnemoError": "mnemo_client.errors",
    "MnemoNotFound": "mnemo_client.errors",
    "MnemoUnavailable": "mnemo_client.errors",
    "MnemoUnexpectedResponse": "mnemo_client.errors",
    "MnemoValidationError": "mnemo_client.errors",
    "NotFound": "mnemo_client.errors",
    "PayloadTooLarge": "mnemo_client.errors",
    "PermissionDenied": "mnemo_client.errors",
    "RankingOptions": "mnemo_client.models",
    "RateLimited": "mnemo_client.errors",
    "Reply": "mnemo_client.raw",
    "RetrieveResult": "mnemo_client.models",
    "Role": "mnemo_client.models",
    "Scope": "mnemo_client.models",
    "SearchResults": "mnemo_client.models",
    "ServerError": "mnemo_client.errors",
    "Threads": "mnemo_client.sync_client",
    "Unavailable": "mnemo_client.errors",
    "UnexpectedResponse": "mnemo_client.errors",
    "UnknownModel": "mnemo_client.errors",
    "UnsupportedMediaType": "mnemo_client.errors",
    "Working": "mnemo_client.sync_client",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'mnemo_client' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next use finds it without this hook
    return value


__version__ = "0.1.0"
__all__ = [
    "AsyncMnemo",
    "AsyncThreads",
    "AsyncWorking",
    "AuthenticationError",
    "BadRequest",
    "Conflict",
    "ErasureStatus",
    "ForgetPreview",
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
    "SearchResults",
    "ServerError",
    "Threads",
    "Unavailable",
    "UnexpectedResponse",
    "UnknownModel",
    "UnsupportedMediaType",
    "Working",
]

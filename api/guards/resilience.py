"""Graceful shutdown (in-flight writes finish first) and readiness of every dependency.

Shutdown: uvicorn stops accepting connections and waits for open requests (up to
`MNEMO_SHUTDOWN_GRACE_S`, see `mnemo serve`); then the lifespan drains `InflightWrites` for the same
bound before closing the engines, so a write that is still running (under any server, or after its
client went away) completes and is flushed to disk instead of being cut off mid-way. Writes that
arrive while draining get 503 with `Retry-After`: a load balancer sends them to another replica.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from ...compat.edge import stores_nothing, vendor_of
from ...memtypes.errors import Unavailable

log = logging.getLogger("mnemo.shutdown")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NOT_STORING = frozenset({"/v1/retrieve"})  # a POST that only reads
# /ready answers within a load balancer's probe timeout (deploy/k8s: 2 s; checked by
# tests/unit/test_deploy_manifests.py). An embedder still busy then is `busy`, ready all the same; on
# a Redis Cluster every master is pinged, and a failover under way shows as Redis `down` (2 of 3
# masters answering) instead of holding /ready.
EMBEDDER_PROBE_TIMEOUT_S = 1.5
REDIS_PROBE_TIMEOUT_S = 1.5


class InflightWrites:
    """Counts the requests that change data; `drain` waits until none is left."""

    def __init__(self) -> None:
        self.count = 0
        self.draining = False
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        if self.draining:
            raise Unavailable(
                "the service is shutting down; retry on another replica",
                dependency="service",
                retry_after_s=1,
            )
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def drain(self, grace_s: float) -> bool:
        """Refuse new writes, wait for the running ones; False if some were still running at the bound."""
        self.draining = True
        if self.count:
            log.info("waiting up to %ss for %d in-flight write(s)", grace_s, self.count)
        try:
            await asyncio.wait_for(self._idle.wait(), grace_s)
        except TimeoutError:
            log.warning("%d write(s) still running after %ss; closing anyway", self.count, grace_s)
            return False
        return True


class TrackWrites(ASGIMiddleware):
    """Every `/v1` request that is not a plain read, and every such request of the other servers'
    protocols (compat/), is counted in the app's `InflightWrites`."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        vendor = vendor_of(scope["path"]) is not None
        if scope.get("method") in READ_METHODS or not (scope["path"].startswith("/v1/") or vendor):
            await next_app(scope, receive, send)
            return
        state = Litestar.from_scope(scope).state
        inflight: InflightWrites = state.inflight
        storage = getattr(getattr(state, "services", None), "storage", None)
        template = scope.get("path_template") or scope["path"]
        reads = vendor and stores_nothing(str(scope.get("method")), template)
        if storage is not None and scope["path"] not in NOT_STORING and not reads:
            storage.check()  # below the free-space reserve: 507 before anything is written
        inflight.enter()
        try:
            await next_app(scope, receive, send)
        finally:
            inflight.leave()


async def _embedder_status(services: Any) -> dict[str, Any]:
    """Embed a word: proves the model is loaded and its worker alive. A probe queued behind bulk
    work past the timeout is `busy`, still ready: the model works, it is only loaded."""
    try:
        await asyncio.wait_for(services.embedder.embed(["ready"]), EMBEDDER_PROBE_TIMEOUT_S)
    except TimeoutError:
        return {"status": "busy", "ready": True}
    except Exception as exc:  # any failure of the model means it cannot serve
        return {"status": "down", "ready": False, "error": type(exc).__name__}
    return {"status": "up", "ready": True}


def _redis_reachable(redis: dict[str, Any]) -> bool:
    """Redis holds acknowledged state (working memory, threads, forget's scopes): while no node of it
    answers, the service is not ready (an orchestrator acts, and an embedded server is being
    restarted meanwhile). A cluster some of whose masters answer is failing over by itself: degraded."""
    return bool(redis["ready"]) or bool(redis.get("masters", {}).get("answering"))


async def readiness(services: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of `/ready`. Vector store, embedder and Redis are required (503 without
    them); a type unavailable, low storage or a cluster failing over leave it in rotation as
    `degraded` (reads still answer)."""
    if services is None:
        down = {"status": "down", "ready": False}
        deps: dict[str, dict[str, Any]] = {"vectors": down, "redis": down, "embedder": down}
    else:
        health, redis, embedder = await asyncio.gather(  # one probe's time, not the sum
            services.index.health(), services.redis.probe(REDIS_PROBE_TIMEOUT_S), _embedder_status(services)
        )
        vectors: dict[str, Any] = {
            "status": "up" if health.ready else "down",
            "ready": health.ready,
            "backend": health.backend,
        }
        if health.breaker is not None:
            vectors["breaker"] = health.breaker
        if health.types:  # a type's store unavailable holds the service out of rotation; degraded not
            types = health.types
            vectors["types"] = {t: {"state": a.state.value, "reason": a.reason} for t, a in types.items()}
            vectors["ready"] = health.ready and all(a.state != "unavailable" for a in types.values())
            vectors["status"] = "up" if vectors["ready"] else "down"
        if lost := getattr(services.changes.store, "lost", None):  # the change history's shard, gone
            vectors |= {"ready": False, "status": "down", "history": {"state": "unavailable", "reason": lost}}
        redis_up = bool(redis.pop("up"))
        storage = services.storage
        deps = {
            "vectors": vectors,
            "redis": {
                "status": "up" if redis_up else "down",
                "ready": redis_up,
                "breaker": services.redis.breaker_state,
                "embedded": services.redis.embedded is not None,
                **({"restarts": services.redis.embedded.restarts} if services.redis.embedded else {}),
                **redis,  # on a cluster: "masters": {"answering": n, "of": m}
            },
            "embedder": embedder,
        }
        if storage is not None:  # under the reserve: writes get 507, reads still answer
            free, room = storage.free_bytes(), storage.has_room()
            deps["storage"] = {"status": "up" if room else "low", "ready": room, "free_bytes": free}
            deps["storage"] |= {"reserve_bytes": storage.reserve_bytes, "path": str(storage.path)}
    checks = {name: bool(dep["ready"]) for name, dep in deps.items()}
    if not (checks["vectors"] and checks["embedder"] and _redis_reachable(deps["redis"])):
        return 503, {"status": "not ready", "checks": checks, "dependencies": deps}
    serving_all = checks.get("storage", True) and "types" not in deps["vectors"]
    status = "ready" if checks["redis"] and serving_all else "degraded"
    return 200, {"status": status, "checks": checks, "dependencies": deps}

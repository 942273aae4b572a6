"""The app in this process, for the benchmark harness (through `mnemo.lab`): the real app, built as
the service builds it, and what a benchmark asks of it below its API, through functions that take
the running app, never its attributes: its embedder, its index's own neighbours and searches, and
variants of its retrieval settings and ranking model that no user sets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import top_k_search

if TYPE_CHECKING:
    from litestar import Litestar

    from ..api.http.services import Services
    from ..memtypes.ports import Embedder
    from ..memtypes.queries import ScoredPoint, SearchRequest


def edge_app(data_dir: Path, embedder: Embedder | None = None) -> Litestar:
    """The app on Qdrant Edge in `data_dir`, without API keys, whatever MNEMO_QDRANT_* and
    MNEMO_API_KEYS say here; `embedder`: one to use instead of the configured one (a cache)."""
    from ..api.config.settings import Settings
    from ..api.http.app import create_app
    from ..backends.qdrant.config import QdrantConfig

    return create_app(Settings(data_dir=data_dir, api_keys=None, qdrant=QdrantConfig()), embedder)


def configured_app(**settings: Any) -> Litestar:
    """The app with these settings over this environment's: each a field of `Settings`, a group
    (`redis`, `working`, …) given as a dict of its fields, as MNEMO_REDIS__URL and the like set them."""
    from ..api.config.settings import Settings
    from ..api.http.app import create_app

    return create_app(Settings(**settings))


def _services(app: Litestar) -> Services:
    services: Services | None = getattr(app.state, "services", None)
    if services is None:
        raise RuntimeError("the app is not running: its services open with its lifespan (a client of it)")
    return services


def app_embedder(app: Litestar) -> Embedder:
    """The embedder the running `app` embeds with."""
    return _services(app).embedder


async def nearest_similarities(
    app: Litestar, vector: Sequence[float], scope: Mapping[str, Any], types: Sequence[str], depth: int
) -> list[float]:
    """Similarities of the running `app`'s vector index's own nearest neighbours of `vector` in
    `scope` (the tenant of an app without API keys), `depth` of each type, no ranking formula; the
    best `depth` of them, best first."""
    from ..api.guards.auth import SINGLE_TENANT

    requests = [top_k_search(t, vector, SINGLE_TENANT, scope, depth) for t in types]
    found = await _services(app).index.search(requests)
    return sorted((hit.score for hits in found for hit in hits), reverse=True)[:depth]


@contextmanager
def searches_recorded(app: Litestar) -> Iterator[list[SearchRequest]]:
    """Inside, every search the running `app` asks of its vector index is added to the list given."""
    index = _services(app).index
    search = index.search
    sent: list[SearchRequest] = []

    async def recorded(requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        sent.extend(requests)
        return await search(requests)

    index.search = recorded  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        index.search = search  # type: ignore[method-assign]


def search_parts(search: SearchRequest) -> dict[str, SearchRequest]:
    """The search as the service asks it (`search`), and each part of it the engine can answer
    alone: its dense list (`dense`) and its BM25 list (`bm25`), each to the prefetch depth, and for a
    two-stage search its relevance stage cut to the stage's limit (`stage`)."""
    parts = {"search": search}
    depth = search.prefetch_limit
    if search.vector is not None:
        parts["dense"] = replace(
            search, sparse=None, formula=None, stage_formula=None, stage_limit=None, limit=depth
        )
    if search.sparse is not None:
        parts["bm25"] = replace(
            search, vector=None, formula=None, stage_formula=None, stage_limit=None, limit=depth
        )
    if search.stage_formula is not None and search.stage_limit is not None:
        parts["stage"] = replace(
            search,
            formula=search.stage_formula,
            stage_formula=None,
            stage_limit=None,
            limit=search.stage_limit,
        )
    return parts


async def searched_by_part(app: Litestar, search: SearchRequest) -> dict[str, list[ScoredPoint]]:
    """The running `app`'s vector index asked `search` again, whole and by each of its parts
    (`search_parts`), directly: what each answers, by the part's name."""
    index = _services(app).index
    return {kind: (await index.search([part]))[0] for kind, part in search_parts(search).items()}


@contextmanager
def retrieval_varied(
    app: Litestar, config: Mapping[str, Any], preset: str | None, changes: Mapping[str, Any]
) -> Iterator[None]:
    """Inside, the running `app` retrieves with these `RetrievalConfig` fields changed (a ValueError
    names one the settings have not), and ranks by `ranking_variant(preset, changes, its own model)`:
    what a sweep varies that no user sets."""
    retriever = _services(app).retriever
    base_config, base_model = retriever.config, retriever.model
    if config:
        retriever.config = type(base_config).model_validate({**base_config.model_dump(), **config})
    if preset is not None or changes:
        from ..retrieval.pipeline import ranking_variant

        retriever.model = ranking_variant(preset, changes, base_model)
    try:
        yield
    finally:
        retriever.config = base_config
        if retriever.model is not base_model:
            retriever.model = base_model

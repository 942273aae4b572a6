"""Benchmark datasets: two JSONL files, read and checked line by line.

`memories.jsonl` holds what `POST /v1/memories` takes (`id` is the caller's external id);
`queries.jsonl` holds `{id, query, scope, relevant_ids, category?, now?, timezone?, outdated_ids?}`; an empty
`relevant_ids` is a question nothing in the memories answers (abstention sets), which only `mnemo bench
quality` takes (`unanswerable=True`): the judged metrics need something relevant. `outdated_ids` names,
on a question about a value that changed, the older memories its relevant ones replace (scored by
`update_order`); a side file of `{id, outdated_ids}` lines gives them to a dataset that is not yours
to edit (`with_outdated`). Every problem is reported
as a `DatasetError` naming the file and the line, because a benchmark over a silently half-read
dataset produces numbers nobody can trust.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from mnemo.lab import accepted_memory
from mnemo_client.models import MemoryIn, MemoryType, Scope

UNCATEGORIZED = "uncategorized"


class DatasetError(ValueError):
    """A dataset file that cannot be used as it is; the message names the file and the line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class BenchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    query: str = Field(min_length=1)
    scope: Scope = Field(default_factory=Scope)
    relevant_ids: list[str]
    category: str = UNCATEGORIZED
    now: AwareDatetime | None = None
    # The asker's time zone, sent as the retrieval's `timezone`: the days the question names are theirs.
    timezone: str | None = None
    # The older statements of a value that changed, which the relevant (current) ones replace.
    outdated_ids: list[str] = Field(default_factory=list)
    # Fields abstention sets carry for readers (what the benchmark marks, its expected answer).
    has_answer_ids: list[str] = Field(default_factory=list)
    source_type: str | None = None
    answer: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.relevant_ids)

    def retrieve_body(
        self,
        budget: int,
        *,
        ranking: Mapping[str, Any] | None = None,
        types: Sequence[MemoryType] | None = None,
        unfloored: bool = False,
    ) -> dict[str, Any]:
        """This query's `POST /v1/retrieve` body under `budget`: its scope and clock, the ranking
        options where given (even empty), the types where any are named. `unfloored`: for a run that
        measures the ranking (recall@K and the like), whose top K must be the ranking's, not what
        the default confidence floor leaves of it."""
        body: dict[str, Any] = {
            "query": self.query,
            "scope": self.scope.model_dump(exclude_none=True),
            "budget_tokens": budget,
        }
        if ranking is not None:
            body["ranking"] = dict(ranking)
        if self.now is not None:
            body["now"] = self.now.isoformat()
        if self.timezone is not None:
            body["timezone"] = self.timezone
        if types:
            body["types"] = [t.value for t in types]
        if unfloored:
            body["min_confidence"] = 0
        return body


@dataclass(frozen=True)
class NotStored:
    """A memory of the file that the service would refuse (too long, …): left out of the run and
    reported, never a reason to stop it. A query naming it as relevant counts it as missed."""

    line: int
    id: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "reason": self.reason}


@dataclass(frozen=True)
class Dataset:
    memories: list[MemoryIn]
    queries: list[BenchQuery]
    not_stored: tuple[NotStored, ...] = ()

    @property
    def categories(self) -> list[str]:
        return sorted({q.category for q in self.queries})


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(path, None, f"cannot read the file ({exc.strerror})") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise DatasetError(
                    path, number, f"not valid JSON ({exc.msg} at column {exc.colno})"
                ) from None
            if not isinstance(value, dict):
                raise DatasetError(path, number, f"expected a JSON object, got {type(value).__name__}")
            yield number, value


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(line)"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"field {field!r}: {first['msg']}{more}"


def load_memories(path: Path, not_stored: list[NotStored] | None = None) -> list[MemoryIn]:
    """The file's memories. `not_stored`: where given, a memory whose content the service would refuse
    (longer than its limit) is left out and listed there with its reason; else, and for every other
    problem, it is an error naming its line."""
    memories: list[MemoryIn] = []
    seen: dict[str, int] = {}
    for number, value in _json_lines(path):
        try:
            memory = MemoryIn.model_validate(accepted_memory(value))  # checked as the API would
        except ValidationError as exc:
            refused = all(e["loc"][:1] == ("content",) for e in exc.errors())
            if not_stored is None or not refused or not isinstance(value.get("id"), str):
                raise DatasetError(path, number, f"not a valid memory: {_problem(exc)}") from None
            not_stored.append(NotStored(number, value["id"], f"not a valid memory: {_problem(exc)}"))
            continue
        if memory.id is None:
            raise DatasetError(path, number, "a benchmark memory needs an `id` (queries name relevant ids)")
        if memory.id in seen:
            raise DatasetError(path, number, f"id {memory.id!r} already used on line {seen[memory.id]}")
        seen[memory.id] = number
        memories.append(memory)
    if not memories:
        raise DatasetError(path, None, "no memories in the file")
    return memories


def load_queries(path: Path, known_ids: set[str], unanswerable: bool = False) -> list[BenchQuery]:
    queries: list[BenchQuery] = []
    seen: set[str] = set()
    for number, value in _json_lines(path):
        try:
            query = BenchQuery.model_validate(value)
        except ValidationError as exc:
            raise DatasetError(path, number, f"not a valid query: {_problem(exc)}") from None
        if not query.relevant_ids and not unanswerable:
            raise DatasetError(
                path,
                number,
                "field 'relevant_ids' is empty: only `mnemo bench quality` takes unanswerable questions",
            )
        unknown = [r for r in query.relevant_ids if r not in known_ids]
        if unknown:
            raise DatasetError(path, number, f"relevant id {unknown[0]!r} is not in the memories file")
        if problem := outdated_problem(query.relevant_ids, query.outdated_ids, known_ids):
            raise DatasetError(path, number, problem)
        if query.id in seen:
            raise DatasetError(path, number, f"query id {query.id!r} is repeated")
        seen.add(query.id)
        queries.append(query)
    if not queries:
        raise DatasetError(path, None, "no queries in the file")
    return queries


def load_dataset(memories_path: Path, queries_path: Path, unanswerable: bool = False) -> Dataset:
    """`unanswerable`: queries with an empty `relevant_ids` are taken (else refused). A memory the
    service would refuse (longer than its content limit, …) is left out and listed in `not_stored`."""
    not_stored: list[NotStored] = []
    memories = load_memories(memories_path, not_stored)
    known = {m.id for m in memories if m.id is not None} | {n.id for n in not_stored if n.id}
    return Dataset(memories, load_queries(queries_path, known, unanswerable), tuple(not_stored))


def outdated_problem(relevant: Sequence[str], outdated: Sequence[str], known_ids: set[str]) -> str | None:
    """What is wrong with a question's `outdated_ids`, if anything: each a stored memory, none relevant
    (a memory cannot be both the current value and one it replaced), and a question to replace in."""
    if not outdated:
        return None
    if not relevant:
        return "field 'outdated_ids' on a question nothing answers: there is no newer memory"
    if unknown := [o for o in outdated if o not in known_ids]:
        return f"outdated id {unknown[0]!r} is not in the memories file"
    if both := sorted(set(outdated) & set(relevant)):
        return f"id {both[0]!r} is both relevant and outdated"
    return None


_SIDE_LINE = 'expected {"id": a query id, "outdated_ids": [memory ids]}'


def with_outdated(dataset: Dataset, path: Path) -> Dataset:
    """`dataset` with the `outdated_ids` a side file gives its questions: one `{id, outdated_ids}` per
    line, for a dataset whose queries file is not yours to edit. A line may name a question of another
    dataset (one file serves a folder of stores) but at least one must be this one's; a question's own
    `outdated_ids` are replaced."""
    by_id = {q.id: q for q in dataset.queries}
    known = {m.id for m in dataset.memories if m.id is not None} | {n.id for n in dataset.not_stored if n.id}
    given: dict[str, list[str]] = {}
    for number, value in _json_lines(path):
        query_id, outdated = value.get("id"), value.get("outdated_ids")
        if not isinstance(query_id, str) or not isinstance(outdated, list):
            raise DatasetError(path, number, _SIDE_LINE)
        if not all(isinstance(o, str) for o in outdated):
            raise DatasetError(path, number, _SIDE_LINE)
        if query_id not in by_id:
            continue
        if problem := outdated_problem(by_id[query_id].relevant_ids, outdated, known):
            raise DatasetError(path, number, problem)
        given[query_id] = outdated
    if not given:
        raise DatasetError(path, None, "no line names a question of the dataset")
    queries = [
        q.model_copy(update={"outdated_ids": given[q.id]}) if q.id in given else q for q in dataset.queries
    ]
    return Dataset(dataset.memories, queries, dataset.not_stored)


def with_unanswerable(dataset: Dataset, folder: Path) -> Dataset:
    """`dataset` beside a folder of questions nothing answers (its memories/queries.jsonl), in one run:
    its top confidences are then judged against the answerable ones'. Its stores must be its own (no
    scope, memory or query id shared with `dataset`), else one set's memories would answer the other."""
    other = load_dataset(folder / "memories.jsonl", folder / "queries.jsonl", unanswerable=True)
    queries_path = folder / "queries.jsonl"
    for query in other.queries:
        if query.relevant_ids:
            raise DatasetError(queries_path, None, f"query {query.id!r} has relevant_ids: not unanswerable")
    scopes, ids = {m.scope for m in dataset.memories}, {m.id for m in dataset.memories}
    shared = [m.id for m in other.memories if m.scope in scopes or m.id in ids]
    if shared:
        raise DatasetError(folder / "memories.jsonl", None, f"memory {shared[0]!r} shares a scope or id")
    if {q.id for q in other.queries} & {q.id for q in dataset.queries}:
        raise DatasetError(queries_path, None, "a query id is also the answerable set's")
    return Dataset(
        dataset.memories + other.memories,
        dataset.queries + other.queries,
        dataset.not_stored + other.not_stored,
    )


def write_jsonl(path: Path, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count

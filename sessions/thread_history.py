"""Thread history: walk the parent chain, take turns newest-first under a budget, show them in order.

The walk is cycle-safe (a thread seen twice stops it) and reads at most MAX_CHAIN_DEPTH threads.
Turns are taken newest-first until the next one does not fit; stopping there (rather than skipping
to smaller, older turns) keeps the history a contiguous tail of the conversation. Files referenced
by several turns are listed once, attributed to the newest taken turn that referenced them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..memtypes.errors import NotFound
from ..memtypes.ports import TokenCounter, Tokenizers
from ..memtypes.rendering import HISTORY_FILES_HEADER, HISTORY_TURNS_HEADER, file_line, turn_line
from .ports import ThreadStore
from .threads import (
    MAX_CHAIN_DEPTH,
    HistoryFile,
    HistoryMetadata,
    ThreadHistory,
    Turn,
    parse_thread_id,
)


@dataclass(frozen=True)
class Chain:
    """Threads from the asked-for one back through its ancestors, each with its turns oldest-first."""

    links: list[tuple[str, list[Turn]]] = field(default_factory=list)
    cycle_detected: bool = False
    depth_limited: bool = False


@dataclass(frozen=True)
class Packed:
    turns: list[Turn]  # oldest first
    files: list[HistoryFile]  # in order of their newest reference
    context: str
    tokens: int
    trimmed: int


def _turn_cost(turn: Turn, counter: TokenCounter) -> int:
    stored = turn.line_tokens.get(counter.encoding_name)
    return stored if stored is not None else counter.count(turn_line(turn.role.value, turn.content))


def render_history(turns: Sequence[Turn], files: Sequence[HistoryFile]) -> str:
    parts = []
    if files:
        parts += [HISTORY_FILES_HEADER, *(file_line(f.path) for f in files)]
    if turns:
        parts += [HISTORY_TURNS_HEADER, *(turn_line(t.role.value, t.content) for t in turns)]
    return "".join(parts)


def pack_history(chain_turns: Sequence[Turn], budget: int, counter: TokenCounter) -> Packed:
    """`chain_turns` newest first. Every chunk's count adds up (mnemo.memtypes.rendering), so the running
    total is the rendered history's exact count; the final check guards that contract anyway."""
    taken: list[Turn] = []
    newest_ref: dict[str, HistoryFile] = {}
    total = 0
    for turn in chain_turns:
        cost = _turn_cost(turn, counter)
        if not taken:
            cost += counter.count(HISTORY_TURNS_HEADER)
        new_files = [p for p in turn.files if p not in newest_ref]
        if new_files and not newest_ref:
            cost += counter.count(HISTORY_FILES_HEADER)
        cost += sum(counter.count(file_line(p)) for p in new_files)
        if total + cost > budget:
            break
        total += cost
        taken.append(turn)
        for path in new_files:
            newest_ref[path] = HistoryFile(path=path, thread_id=turn.thread_id, seq=turn.seq)
    trimmed = len(chain_turns) - len(taken)
    while True:
        turns = taken[::-1]
        files = list(newest_ref.values())[::-1]
        context = render_history(turns, files)
        exact = counter.count(context)
        if exact <= budget or not taken:
            return Packed(turns, files, context, exact, trimmed)
        # Unreachable while chunk counts add up; drop the oldest turn rather than break the budget.
        dropped = taken.pop()
        trimmed += 1
        newest_ref = {
            p: ref
            for p, ref in newest_ref.items()
            if (ref.thread_id, ref.seq) != (dropped.thread_id, dropped.seq)
        }


class ThreadHistoryReader:
    def __init__(self, store: ThreadStore, tokenizers: Tokenizers) -> None:
        self.store = store
        self.tokenizers = tokenizers

    async def walk(self, tenant: str, thread_id: str) -> Chain:
        links: list[tuple[str, list[Turn]]] = []
        seen: set[str] = set()
        current: str | None = thread_id
        cycle = False
        while current is not None and len(links) < MAX_CHAIN_DEPTH:
            if current in seen:
                cycle = True
                break
            seen.add(current)
            found = await self.store.load(tenant, current)
            if found is None:  # the first one is checked by the caller; an ancestor may have expired
                break
            thread, turns = found
            links.append((thread.id, turns))
            current = thread.parent_thread_id
        depth_limited = current is not None and not cycle and len(links) == MAX_CHAIN_DEPTH
        return Chain(links, cycle, depth_limited)

    async def history(self, tenant: str, raw_thread_id: str, budget: int) -> ThreadHistory:
        thread_id = parse_thread_id(raw_thread_id)
        chain = await self.walk(tenant, thread_id)
        if not chain.links:
            raise NotFound(f"no thread {thread_id} (it may have expired)")
        counter = self.tokenizers.get(self.tokenizers.default)
        newest_first = [t for _, turns in chain.links for t in reversed(turns)]
        packed = pack_history(newest_first, budget, counter)
        return ThreadHistory(
            thread_id=thread_id,
            context=packed.context,
            turns=packed.turns,
            files=packed.files,
            metadata=HistoryMetadata(
                total_tokens=packed.tokens,
                budget=budget,
                encoding=counter.encoding_name,
                turns=len(packed.turns),
                trimmed_count=packed.trimmed,
                chain=[tid for tid, _ in chain.links],
                cycle_detected=chain.cycle_detected,
                depth_limited=chain.depth_limited,
            ),
        )

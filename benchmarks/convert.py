"""`mnemo bench convert locomo|longmemeval FILE OUT`: the public releases of LoCoMo and LongMemEval,
as their authors publish them, into the dataset format (`OUT/memories.jsonl`, `OUT/queries.jsonl`).

Both become one episodic memory per conversation turn, scoped to its conversation (LoCoMo: the
sample; LongMemEval: the question, whose haystack is its own), dated by its session; each question
becomes a query whose `relevant_ids` are the turns the benchmark marks as its evidence. Where to get
each file and its license: docs/datasets.md.

- LoCoMo (`locomo10.json`): a list of samples `{sample_id, conversation: {speaker_a, speaker_b,
  session_N_date_time, session_N: [{speaker, dia_id, text, blip_caption?}]}, qa: [{question,
  answer, evidence: [dia_id], category}]}`. Categories 1–4 are multi-hop, temporal, open-domain and
  single-hop; 5 (adversarial: the answer is not in the conversation) is left out, as LoCoMo's own
  retrieval evaluation does. A photo's caption is appended to its turn as "[shares a photo: …]".
- LongMemEval (`longmemeval_s_cleaned.json`, `_m_`, `_oracle`): a list of questions `{question_id,
  question_type, question, answer, question_date, haystack_session_ids, haystack_dates,
  haystack_sessions: [[{role, content, has_answer?}]]}`. A turn is dated by its session, plus its
  index in seconds (to keep the order); `_abs` questions (nothing answers them) get an empty
  `relevant_ids`, category `abstention`, and the marked turns as `has_answer_ids`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .dataset import DatasetError, load_dataset, write_jsonl

# The id lists of the splits the published figures were measured on (benchmarks/splits/*.txt).
SPLITS = Path(__file__).resolve().parent / "splits"
LOCOMO_CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
_LOCOMO_DATES = ("%I:%M %p on %d %B, %Y", "%I:%M %p on %d %b, %Y", "%I:%M %p on %d %B %Y")
_LONGMEMEVAL_DATES = ("%Y/%m/%d (%a) %H:%M", "%Y/%m/%d %H:%M", "%Y/%m/%d")
_EVIDENCE_SPLIT = re.compile(r"[;,\s]+")


@dataclass
class Converted:
    memories: list[dict[str, Any]] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)

    def leave_out(self, reason: str) -> None:
        self.left_out[reason] = self.left_out.get(reason, 0) + 1


def _date(text: object, formats: tuple[str, ...], where: str, path: Path) -> datetime:
    for form in formats:
        try:
            return datetime.strptime(str(text).strip(), form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise DatasetError(path, None, f"{where}: unreadable date {text!r}")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(path, None, f"not a readable JSON file: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DatasetError(path, None, "expected a JSON list of objects, as the release publishes it")
    return data


def read_split(given: str) -> list[str]:
    """The ids a split names, one a line (`#` starts a comment): a file, or the name of one of
    benchmarks/splits/ (`locomo-dev`, `longmemeval-dev`, `longmemeval-train`, …)."""
    path = Path(given)
    if not path.is_file():
        path = SPLITS / f"{given}.txt"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in SPLITS.glob("*.txt")))
            raise DatasetError(Path(given), None, f"no such file, nor a split of the harness ({known})")
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _selected(
    records: list[dict[str, Any]], key: str, split: list[str] | None, path: Path
) -> list[dict[str, Any]]:
    """The records whose `key` the split names (all without one); a named id the file lacks is an
    error, so a selection never quietly measures fewer conversations or questions than it says."""
    if split is None:
        return records
    wanted = set(split)
    chosen = [r for r in records if str(r.get(key)) in wanted]
    if missing := wanted - {str(r.get(key)) for r in chosen}:
        raise DatasetError(
            path, None, f"the split names {len(missing)} {key}(s) the file lacks: {sorted(missing)[:5]}"
        )
    return chosen


def convert_locomo(path: Path, split: list[str] | None = None) -> Converted:
    out = Converted()
    for n, sample in enumerate(_selected(_records(path), "sample_id", split, path)):
        try:
            _locomo_sample(sample, path, out)
        except (KeyError, TypeError) as exc:
            raise DatasetError(path, None, f"sample {n}: missing or malformed field {exc}") from exc
    return out


def _locomo_sample(sample: dict[str, Any], path: Path, out: Converted) -> None:
    name, talk = str(sample["sample_id"]), sample["conversation"]
    sessions = sorted(
        (int(key.removeprefix("session_")), turns)
        for key, turns in talk.items()
        if re.fullmatch(r"session_\d+", key) and isinstance(turns, list)
    )
    ids: set[str] = set()
    last = None
    asked = 0
    for number, turns in sessions:
        when = _date(talk[f"session_{number}_date_time"], _LOCOMO_DATES, f"{name} session {number}", path)
        last = max(last or when, when)
        for turn in turns:
            content = f"{turn['speaker']}: {turn['text']}"
            if turn.get("blip_caption"):
                content += f" [shares a photo: {turn['blip_caption']}]"
            memory_id = f"{name}:{turn['dia_id']}"
            ids.add(memory_id)
            out.memories.append(
                {"id": memory_id, "type": "episodic", "content": content,
                 "scope": {"user_id": name}, "occurred_at": _iso(when)}
            )  # fmt: skip
    for qa in sample.get("qa", []):  # numbered within the conversation: the same ids in any selection
        category = LOCOMO_CATEGORIES.get(qa.get("category"))
        if category is None:
            out.leave_out("adversarial or unknown category")
            continue
        evidence = [e for raw in qa.get("evidence", []) for e in _EVIDENCE_SPLIT.split(str(raw)) if e]
        relevant = sorted({f"{name}:{e}" for e in evidence} & ids)
        if not relevant:
            out.leave_out("no evidence turn in the conversation")
            continue
        query = {
            "id": f"{name}:q{asked}", "query": str(qa["question"]), "scope": {"user_id": name},
            "relevant_ids": relevant, "category": category, "answer": str(qa.get("answer", "")),
        }  # fmt: skip
        if last is not None:
            query["now"] = _iso(last)
        out.queries.append(query)
        asked += 1


def convert_longmemeval(path: Path, abstention: bool = True, split: list[str] | None = None) -> Converted:
    out = Converted()
    for n, entry in enumerate(_selected(_records(path), "question_id", split, path)):
        try:
            _longmemeval_question(entry, path, out, abstention)
        except (KeyError, TypeError) as exc:
            raise DatasetError(path, None, f"question {n}: missing or malformed field {exc}") from exc
    return out


def _longmemeval_question(entry: dict[str, Any], path: Path, out: Converted, abstention: bool) -> None:
    question_id = str(entry["question_id"])
    unanswerable = question_id.endswith("_abs")
    if unanswerable and not abstention:
        out.leave_out("abstention question")
        return
    scope = {"user_id": question_id}
    marked: list[str] = []
    sessions = zip(
        entry["haystack_session_ids"], entry["haystack_dates"], entry["haystack_sessions"], strict=True
    )
    for session_id, date, turns in sessions:
        when = _date(date, _LONGMEMEVAL_DATES, f"{question_id} session {session_id}", path)
        for index, turn in enumerate(turns):
            memory_id = f"{question_id}:{session_id}:{index}"
            out.memories.append(
                {"id": memory_id, "type": "episodic", "content": f"{turn['role']}: {turn['content']}",
                 "scope": scope, "occurred_at": _iso(when + timedelta(seconds=index))}
            )  # fmt: skip
            if turn.get("has_answer"):
                marked.append(memory_id)
    query: dict[str, Any] = {"id": question_id, "query": str(entry["question"]), "scope": scope}
    if unanswerable:
        query |= {"relevant_ids": [], "has_answer_ids": marked, "category": "abstention",
                  "source_type": str(entry["question_type"])}  # fmt: skip
    elif marked:
        query |= {"relevant_ids": marked, "category": str(entry["question_type"])}
    else:
        out.leave_out("no turn marked has_answer")
        return
    query["answer"] = str(entry.get("answer", ""))
    query["now"] = _iso(_date(entry["question_date"], _LONGMEMEVAL_DATES, f"{question_id} question", path))
    out.queries.append(query)


def convert(
    benchmark: str, source: Path, out_dir: Path, abstention: bool = True, split: list[str] | None = None
) -> Converted:
    """Convert (the split's conversations or questions only, when given) and write `out_dir`'s two
    files, then read them back as the benchmarks will."""
    converted = (
        convert_longmemeval(source, abstention, split)
        if benchmark == "longmemeval"
        else convert_locomo(source, split)
    )
    if not converted.queries:
        raise DatasetError(source, None, f"no {benchmark} question could be converted ({converted.left_out})")
    write_jsonl(out_dir / "memories.jsonl", converted.memories)
    write_jsonl(out_dir / "queries.jsonl", converted.queries)
    load_dataset(out_dir / "memories.jsonl", out_dir / "queries.jsonl", unanswerable=True)
    return converted

"""`mnemo bench convert locomo|longmemeval FILE OUT` on tiny files shaped as the public releases are
(`locomo10.json`, `longmemeval_s_cleaned.json`), written here: what comes out is the dataset format
the benchmarks read, with the ids, dates, scopes, categories and evidence of the source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnemo.benchmarks.cli import mnemo_bench
from mnemo.benchmarks.dataset import load_dataset

LOCOMO = [
    {
        "sample_id": "conv-1",
        "conversation": {
            "speaker_a": "Ana",
            "speaker_b": "Ben",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [
                {"speaker": "Ana", "dia_id": "D1:1", "text": "I joined a climbing gym yesterday."},
                {
                    "speaker": "Ben",
                    "dia_id": "D1:2",
                    "text": "Look at my new bike!",
                    "img_url": ["https://example.invalid/bike.jpg"],
                    "blip_caption": "a photo of a red bicycle",
                    "query": "red bicycle",
                },
            ],
            "session_2_date_time": "10:05 am on 2 June, 2023",
            "session_2": [{"speaker": "Ana", "dia_id": "D2:1", "text": "I climbed my first 6a today."}],
        },
        "qa": [
            {"question": "When did Ana join a climbing gym?", "answer": "7 May 2023", "evidence": ["D1:1"],
             "category": 2},
            {"question": "What did Ana do after joining the gym?", "answer": "climbed a 6a",
             "evidence": ["D1:1; D2:1"], "category": 1},
            {"question": "What colour is Ana's bike?", "adversarial_answer": "red", "evidence": ["D1:2"],
             "category": 5},
            {"question": "Who is Ben's sister?", "answer": "unknown", "evidence": ["D9:9"], "category": 4},
        ],
        "event_summary": {},
        "session_summary": {},
    }
]  # fmt: skip

LONGMEMEVAL = [
    {
        "question_id": "q1",
        "question_type": "knowledge-update",
        "question": "Where do I work now?",
        "answer": "At the bakery",
        "question_date": "2023/05/30 (Tue) 23:40",
        "haystack_session_ids": ["s_a", "s_b"],
        "haystack_dates": ["2023/05/20 (Sat) 02:21", "2023/05/25 (Thu) 09:00"],
        "haystack_sessions": [
            [{"role": "user", "content": "I work at the library.", "has_answer": True},
             {"role": "assistant", "content": "Nice, libraries are calm."}],
            [{"role": "user", "content": "I moved to a job at the bakery.", "has_answer": True},
             {"role": "assistant", "content": "Congratulations!"}],
        ],
        "answer_session_ids": ["s_a", "s_b"],
    },
    {
        "question_id": "q2_abs",
        "question_type": "single-session-user",
        "question": "What is my cat's name?",
        "answer": "You did not mention a cat.",
        "question_date": "2023/05/30 (Tue) 23:41",
        "haystack_session_ids": ["s_c"],
        "haystack_dates": ["2023/05/21 (Sun) 10:00"],
        "haystack_sessions": [[{"role": "user", "content": "My dog is called Rex.", "has_answer": True}]],
        "answer_session_ids": ["s_c"],
    },
]  # fmt: skip


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_locomo_turns_become_memories_and_questions_queries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "locomo10.json"
    source.write_text(json.dumps(LOCOMO))
    assert mnemo_bench(["convert", "locomo", str(source), str(tmp_path / "out")]) == 0
    assert "3 memories, 2 queries" in capsys.readouterr().out
    memories, queries = rows(tmp_path / "out" / "memories.jsonl"), rows(tmp_path / "out" / "queries.jsonl")
    assert memories[1] == {
        "id": "conv-1:D1:2", "type": "episodic",
        "content": "Ben: Look at my new bike! [shares a photo: a photo of a red bicycle]",
        "scope": {"user_id": "conv-1"}, "occurred_at": "2023-05-08T13:56:00Z",
    }  # fmt: skip
    assert memories[2]["occurred_at"] == "2023-06-02T10:05:00Z"
    assert [(q["category"], q["relevant_ids"]) for q in queries] == [
        ("temporal", ["conv-1:D1:1"]),
        ("multi-hop", ["conv-1:D1:1", "conv-1:D2:1"]),  # "D1:1; D2:1" as the release writes some
    ]  # the adversarial question and the one whose evidence is not in the conversation are left out
    assert queries[0]["now"] == "2023-06-02T10:05:00Z" and queries[0]["scope"] == {"user_id": "conv-1"}
    assert (
        len(load_dataset(tmp_path / "out" / "memories.jsonl", tmp_path / "out" / "queries.jsonl").queries)
        == 2
    )


def test_longmemeval_haystacks_become_memories_and_abstention_stays_unanswerable(tmp_path: Path) -> None:
    source = tmp_path / "longmemeval_s_cleaned.json"
    source.write_text(json.dumps(LONGMEMEVAL))
    assert mnemo_bench(["convert", "longmemeval", str(source), str(tmp_path / "out")]) == 0
    memories, queries = rows(tmp_path / "out" / "memories.jsonl"), rows(tmp_path / "out" / "queries.jsonl")
    assert [m["id"] for m in memories] == ["q1:s_a:0", "q1:s_a:1", "q1:s_b:0", "q1:s_b:1", "q2_abs:s_c:0"]
    assert memories[1]["content"] == "assistant: Nice, libraries are calm."
    assert [m["occurred_at"] for m in memories[:2]] == ["2023-05-20T02:21:00Z", "2023-05-20T02:21:01Z"]
    answerable, abstention = queries
    assert (
        answerable["relevant_ids"] == ["q1:s_a:0", "q1:s_b:0"]
        and answerable["category"] == "knowledge-update"
    )
    assert answerable["now"] == "2023-05-30T23:40:00Z" and answerable["scope"] == {"user_id": "q1"}
    assert abstention["relevant_ids"] == [] and abstention["category"] == "abstention"
    assert (
        abstention["has_answer_ids"] == ["q2_abs:s_c:0"]
        and abstention["source_type"] == "single-session-user"
    )
    dataset = load_dataset(
        tmp_path / "out" / "memories.jsonl", tmp_path / "out" / "queries.jsonl", unanswerable=True
    )
    assert len(dataset.memories) == 5
    assert mnemo_bench(["convert", "longmemeval", str(source), str(tmp_path / "a"), "--no-abstention"]) == 0
    assert [q["id"] for q in rows(tmp_path / "a" / "queries.jsonl")] == ["q1"]


def test_a_file_that_is_not_the_release_is_named_with_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "other.json"
    source.write_text(json.dumps({"data": []}))
    assert mnemo_bench(["convert", "locomo", str(source), str(tmp_path / "out")]) == 2
    assert "other.json" in capsys.readouterr().err
    source.write_text(json.dumps([{"question_id": "x"}]))
    assert mnemo_bench(["convert", "longmemeval", str(source), str(tmp_path / "out")]) == 2
    assert "missing or malformed field" in capsys.readouterr().err


def convert(benchmark: str, source: Path, out: Path, *flags: str) -> int:
    return mnemo_bench(["convert", benchmark, str(source), str(out), *flags])


def test_a_split_converts_only_the_conversations_or_questions_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = json.loads(json.dumps(LOCOMO[0])) | {"sample_id": "conv-2"}
    source = tmp_path / "locomo10.json"
    source.write_text(json.dumps([LOCOMO[0], second]))
    ids = tmp_path / "dev.txt"
    ids.write_text("# the dev conversation\nconv-2\n")
    assert convert("locomo", source, tmp_path / "dev", "--split", str(ids)) == 0
    queries = rows(tmp_path / "dev" / "queries.jsonl")
    # Numbered within their conversation: the same ids whichever conversations are converted.
    assert [q["id"] for q in queries] == ["conv-2:q0", "conv-2:q1"]
    assert {m["scope"]["user_id"] for m in rows(tmp_path / "dev" / "memories.jsonl")} == {"conv-2"}
    assert convert("locomo", source, tmp_path / "all") == 0
    assert [q["id"] for q in rows(tmp_path / "all" / "queries.jsonl")][2:] == ["conv-2:q0", "conv-2:q1"]

    lme = tmp_path / "longmemeval_s_cleaned.json"
    lme.write_text(json.dumps(LONGMEMEVAL))
    (tmp_path / "q.txt").write_text("q2_abs\n")
    assert convert("longmemeval", lme, tmp_path / "l", "--split", str(tmp_path / "q.txt")) == 0
    assert [q["id"] for q in rows(tmp_path / "l" / "queries.jsonl")] == ["q2_abs"]
    capsys.readouterr()
    (tmp_path / "q.txt").write_text("q1\nq9\n")  # q9 is not in the file: refused, not skipped
    assert convert("longmemeval", lme, tmp_path / "m", "--split", str(tmp_path / "q.txt")) != 0
    assert "q9" in capsys.readouterr().err


def test_the_published_splits_are_committed_as_id_lists() -> None:
    from mnemo.benchmarks.convert import read_split

    assert read_split("locomo-dev") == ["conv-26", "conv-30", "conv-41"]
    sizes = {
        name: len(read_split(name))
        for name in ("longmemeval-dev", "longmemeval-train", "longmemeval-abstention-dev")
    }
    assert sizes == {"longmemeval-dev": 30, "longmemeval-train": 121, "longmemeval-abstention-dev": 10}
    assert not set(read_split("longmemeval-dev")) & set(read_split("longmemeval-train"))

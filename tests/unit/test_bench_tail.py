"""`mnemo bench latency`'s tail split: the questions' own costs apart from the spread of their repeats."""

from __future__ import annotations

from mnemo.benchmarks.latency.tail import cpu_times, steal_share, tail_lines, tail_split
from mnemo.benchmarks.server import Sample


def asked(question: int, http: list[float]) -> list[Sample]:
    return [Sample(ms, {"embed_ms": ms / 4, "search_ms": ms / 2}, 0, question) for ms in http]


def test_a_slow_question_is_the_workload_s_and_a_slow_repeat_is_the_service_s() -> None:
    # Eighteen questions of 20 ms and two of 40, each always the same: the tail is the workload's.
    steady = [s for q in range(20) for s in asked(q, [40.0 if q >= 18 else 20.0] * 5)]
    split = tail_split(steady)["http_ms"]
    assert split["p95_over_p50"] == split["questions_p95_over_p50"] == 2.0
    assert split["repeat_p95"] == 1.0 and split["questions"] == 20 and split["repeats_per_question"] == 5
    # Twenty alike questions, each slow once in five: the tail is in the repeats.
    noisy = [s for q in range(20) for s in asked(q, [20.0, 20.0, 20.0, 20.0, 40.0])]
    split = tail_split(noisy)["http_ms"]
    assert split["questions_p95_over_p50"] == 1.0
    assert split["p95_over_p50"] == split["repeat_p95"] == 2.0
    assert tail_split(noisy)["embed_ms"]["repeat_p95"] == 2.0  # each stage apart
    assert "pack_ms" not in tail_split(noisy)  # a stage the answers did not time


def test_questions_asked_too_few_times_or_unknown_are_left_out() -> None:
    assert tail_split(asked(0, [20.0, 30.0])) == {}
    assert tail_split([Sample(20.0, {}, 0)] * 10) == {}  # which question: not recorded


def test_the_summary_line_and_the_host_s_share() -> None:
    split = tail_split([s for q in range(20) for s in asked(q, [20.0, 20.0, 20.0, 20.0, 40.0])])
    sizes = {"100000": {"http": {"1": {"tail": split, "steal_share": 0.012}, "4": {}}}}
    [line] = [line for line in tail_lines(sizes) if line.startswith("- ")]
    assert "each of 20 questions asked 5 times: http p95 / p50 2.00" in line
    assert "the questions' own costs 1.00" in line and "1.2% of the machine's time" in line
    assert tail_lines({"100000": {"http": {"1": {"tail": {}}}}}) == []
    assert steal_share([0] * 8, [10, 0, 0, 80, 0, 0, 0, 10]) == 0.1
    assert steal_share(None, [1] * 8) is None
    now = cpu_times()
    assert now is None or len(now) >= 8

"""`mnemo bench latency`'s tail split: the questions' own costs apart from the spread of their repeats,
and a host that pages out untouched memory named with the machine."""

from __future__ import annotations

from pathlib import Path

from mnemo.benchmarks.latency.tail import cpu_times, steal_share, tail_lines, tail_split
from mnemo.benchmarks.report import machine, machine_line, proactive_reclaim_s
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


def _scheme(root: Path, state: str, aggr_us: int, action: str, min_age: int) -> None:
    context = root / "0" / "contexts" / "0"
    (context / "monitoring_attrs" / "intervals").mkdir(parents=True)
    (root / "0" / "state").write_text(f"{state}\n")
    (context / "monitoring_attrs" / "intervals" / "aggr_us").write_text(f"{aggr_us}\n")
    scheme = context / "schemes" / "0"
    (scheme / "access_pattern" / "age").mkdir(parents=True)
    (scheme / "action").write_text(f"{action}\n")
    (scheme / "access_pattern" / "age" / "min").write_text(f"{min_age}\n")


def test_a_kernel_that_pages_out_untouched_memory_is_named_with_the_machine(tmp_path: Path) -> None:
    _scheme(tmp_path / "on", "on", 5_000_000, "pageout", 12)
    _scheme(tmp_path / "off", "off", 5_000_000, "pageout", 12)
    _scheme(tmp_path / "stat", "on", 5_000_000, "stat", 1)
    assert proactive_reclaim_s(tmp_path / "on") == 60.0
    assert proactive_reclaim_s(tmp_path / "off") is proactive_reclaim_s(tmp_path / "stat") is None
    assert proactive_reclaim_s(tmp_path / "absent") is None
    info = {**machine(), "pages_out_untouched_after_s": 60.0}
    assert machine_line(info).endswith("; its kernel pages out memory untouched for 60 s (DAMON)")
    assert "DAMON" not in machine_line({**info, "pages_out_untouched_after_s": None})

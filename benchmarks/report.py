"""Writing a run's outputs: results.json, a Markdown summary, PNG plots, and the machine it ran on."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Where Linux's DAMON is run from user space (sysfs): a running pageout scheme reclaims memory that
# went untouched for a while, page cache included, whatever memory is free.
DAMON_KDAMONDS = Path("/sys/kernel/mm/damon/admin/kdamonds")


def _sysfs_value(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def proactive_reclaim_s(kdamonds: Path = DAMON_KDAMONDS) -> float | None:
    """After how many seconds untouched this machine's kernel pages memory out (a running DAMON
    pageout scheme, as some VMs run to hand memory back to their host); None where it does not.
    There a large store's rarely read pages leave the page cache, and the retrieval that next needs
    one waits for the disk: a tail of the host's making, which the summary should name."""
    ages = []
    for context in kdamonds.glob("*/contexts/*/"):
        if _sysfs_value(context.parent.parent / "state") != "on":
            continue
        aggregation_us = _sysfs_value(context / "monitoring_attrs/intervals/aggr_us") or ""
        for scheme in context.glob("schemes/*/"):
            min_age = _sysfs_value(scheme / "access_pattern/age/min") or ""
            pageout = _sysfs_value(scheme / "action") == "pageout"
            if pageout and aggregation_us.isdigit() and min_age.isdigit():
                ages.append(int(min_age) * int(aggregation_us) / 1e6)
    return min(ages) if ages else None


def machine() -> dict[str, Any]:
    """Cores, RAM and CPU model: numbers mean little without the machine they were measured on."""
    import psutil

    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        # Other work on the machine skews every timing; say how busy it was when the run started.
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "pages_out_untouched_after_s": proactive_reclaim_s(),
    }


def machine_line(info: Mapping[str, Any]) -> str:
    reclaim = info.get("pages_out_untouched_after_s")
    return (
        f"Machine: {info['cpu_model']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, "
        f"Python {info['python']}; load average {info.get('load_avg_1m')} when it started "
        f"({info['measured_at']})"
        + ("" if reclaim is None else f"; its kernel pages out memory untouched for {reclaim:g} s (DAMON)")
    )


def machine_line_with_final_load(results: Mapping[str, Any]) -> str:
    """`machine_line` of a run's results, and how busy the machine still was when the run ended
    (`load_avg_1m_at_end`)."""
    return machine_line(results["machine"]) + f"; load average {results['load_avg_1m_at_end']} at the end."


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def write_outputs(out: Path, results: Any, summary: str) -> None:
    """A run's two outputs in `out` (made if missing): its results as results.json, its summary as
    summary.md."""
    write_json(out / "results.json", results)
    (out / "summary.md").write_text(summary, encoding="utf-8")


def markdown_blocks(*blocks: str) -> str:
    """A Markdown document of blocks (a heading, a paragraph, a table), a blank line after each."""
    return "\n\n".join(blocks) + "\n"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; floats are shown with three decimals."""

    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def update_order_table(order: Mapping[str, Mapping[str, Any]]) -> str:
    """The knowledge updates' order per system (`metrics.update_order`) as a Markdown table."""
    return table(
        ["system", "newer above / pairs", "update_order"],
        [
            [system, f"{o['newer_above']}/{o['pairs']}", "-" if o["share"] is None else o["share"]]
            for system, o in order.items()
        ],
    )


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, never need a display
    import matplotlib.pyplot as plt

    return plt


def line_plot(
    path: Path,
    title: str,
    xlabel: str,
    ylabel: str,
    xs: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    logx: bool = False,
    ylim: tuple[float, float] | None = None,
) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for name, ys in series.items():
        ax.plot(xs, ys, marker="o", label=name)
    if logx:
        ax.set_xscale("log")
    ax.set_xticks(list(xs), [f"{x:,}" for x in xs])
    ax.minorticks_off()  # a log axis would otherwise print its own labels over ours
    if ylim:
        ax.set_ylim(*ylim)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def bar_plot(
    path: Path, title: str, ylabel: str, groups: Sequence[str], series: Mapping[str, Sequence[float]]
) -> None:
    """Grouped bars: one group per label in `groups`, one bar per series in each group."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.4, 1.2 * len(groups) + 2), 4.0), dpi=100)
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([g + i * width for g in range(len(groups))], values, width, label=name)
    ax.set_xticks([g + 0.4 - width / 2 for g in range(len(groups))], list(groups))
    ax.set(title=title, ylabel=ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

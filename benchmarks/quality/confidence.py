"""How well mnemo's `confidence` says what it claims, from `mnemo bench quality`'s per-query rows.

- Calibration: over the top `TOP` hits of every query, the expected calibration error (ECE: the
  hit-weighted mean, over ten equal-width bins of confidence, of |mean confidence − share relevant|)
  and the reliability table behind it (plotted as `reliability.png`).
- Separation: the AUROC of each question's top confidence between the answerable questions and
  those nothing answers (the chance that an answerable one's top hit is the more confident).
- By kind: ECE of the answerable questions' hits and of the unanswerable ones' (`bench quality
  --unanswerable`: a whole haystack judged beside an abstention set).
- By store size: ECE per size band of a scoped dataset (`mnemo bench scopes`: the band is in the
  query's id), beside that of whole haystacks, and the ECE that a perfectly calibrated model with
  the same confidences would show there (`calibrated_ece`): with a few dozen hits in a band, ten
  bins read noise as error, so a band's ECE means something only well above it.
- Abstention at `THRESHOLD`: of the questions nothing answers (empty `relevant_ids`), the share whose
  top confidence is below it (mnemo abstains); of the answerable ones, the share that keep a relevant
  hit at or above it, and the share it would wrongly abstain on.
- The context at the budget runs' floor (the service's default unless `--min-confidence`), at
  `BUDGET` tokens: the share of the unanswerable questions whose context holds at most `NEAR_EMPTY`
  memories (near empty), and the answerable questions' budget recall there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..metrics import set_recall

THRESHOLD = 0.5
TOP = 10
BINS = 10
DRAWS = 200  # label draws behind `calibrated_ece`
BUDGET = "1024"
NEAR_EMPTY = 1  # memories at most in a context that says next to nothing


def judged_hits(rows: Sequence[Mapping[str, Any]], top: int = TOP) -> list[tuple[float, bool]]:
    """(confidence, relevant?) of each query's top hits: unanswerable queries' hits are all irrelevant."""
    pairs = []
    for row in rows:
        relevant = set(row["relevant_ids"])
        ranked, confidence = row["ranked"]["mnemo"][:top], row["confidence"]["mnemo"][:top]
        pairs += [(c, i in relevant) for i, c in zip(ranked, confidence, strict=True)]
    return pairs


def calibration(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> dict[str, Any]:
    """ECE and the reliability table of (confidence, relevant?) pairs, in `bins` equal-width bins."""
    table = []
    error = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, r) for c, r in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        confidence = sum(c for c, _ in inside) / len(inside)
        relevant = sum(1 for _, r in inside if r) / len(inside)
        error += len(inside) * abs(confidence - relevant)
        table.append({"bin": [lo, hi], "hits": len(inside), "confidence": confidence, "relevant": relevant})
    return {"ece": error / len(pairs) if pairs else 0.0, "hits": len(pairs), "bins": table}


def calibrated_ece(confidences: Sequence[float], bins: int = BINS, draws: int = DRAWS) -> float:
    """The mean ECE of `confidences` over `draws` sets of labels drawn from them (each hit relevant
    with the probability it states): what a perfectly calibrated model scores by chance alone."""
    import numpy as np

    if not confidences:
        return 0.0
    c = np.asarray(confidences, dtype=float)
    binned = np.searchsorted([b / bins for b in range(bins)], c, side="right") - 1  # as `calibration`
    labels = np.random.default_rng(0).random((draws, len(c))) < c
    error = np.zeros(draws)
    for b in np.unique(binned):
        inside = binned == b
        error += np.abs(c[inside].sum() - labels[:, inside].sum(axis=1))
    return float(error.mean() / len(c))


def abstention(rows: Sequence[Mapping[str, Any]], threshold: float = THRESHOLD) -> dict[str, Any]:
    def share(flags: list[bool]) -> float | None:
        return sum(flags) / len(flags) if flags else None

    answerable = [r for r in rows if r["relevant_ids"]]
    unanswerable = [r for r in rows if not r["relevant_ids"]]
    kept = [any(c >= threshold and i in set(r["relevant_ids"]) for i, c in _top(r)) for r in answerable]
    return {
        "threshold": threshold,
        "unanswerable": len(unanswerable),
        "abstained": share([r["top_confidence"]["mnemo"] < threshold for r in unanswerable]),
        "answerable": len(answerable),
        "answerable_kept": share(kept),
        "answerable_abstained": share([r["top_confidence"]["mnemo"] < threshold for r in answerable]),
    }


def default_context(rows: Sequence[Mapping[str, Any]], budget: str = BUDGET) -> dict[str, Any] | None:
    """What mnemo packed at `budget` under the budget runs' floor: the share of the unanswerable
    questions whose context holds at most `NEAR_EMPTY` memories, and the answerable questions' mean
    budget recall (None where the runs had no such budget)."""
    packed = [(r, r["packed"]["mnemo"].get(budget)) for r in rows]
    if any(p is None for _, p in packed):
        return None
    unanswerable = [len(p["ids"]) <= NEAR_EMPTY for r, p in packed if not r["relevant_ids"]]
    recall = [set_recall(p["ids"], r["relevant_ids"]) for r, p in packed if r["relevant_ids"]]
    return {
        "budget": int(budget),
        "unanswerable": len(unanswerable),
        "near_empty": sum(unanswerable) / len(unanswerable) if unanswerable else None,
        "answerable": len(recall),
        "answerable_budget_recall": sum(recall) / len(recall) if recall else None,
    }


def _top(row: Mapping[str, Any]) -> list[tuple[str, float]]:
    return list(zip(row["ranked"]["mnemo"], row["confidence"]["mnemo"], strict=True))


def auroc(rows: Sequence[Mapping[str, Any]]) -> float | None:
    """The AUROC of the top confidence, answerable against unanswerable questions (ties count half);
    None without both kinds."""
    yes = [float(r["top_confidence"]["mnemo"]) for r in rows if r["relevant_ids"]]
    no = [float(r["top_confidence"]["mnemo"]) for r in rows if not r["relevant_ids"]]
    if not yes or not no:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in yes for b in no)
    return wins / (len(yes) * len(no))


def by_size(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """ECE, what a calibrated model would score there, and AUROC per size band (`scopes.size_band`
    of each query's id)."""
    from .scopes import size_band

    bands: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        bands.setdefault(size_band(str(row["id"])), []).append(row)
    out: dict[str, dict[str, Any]] = {}
    for band, group in sorted(
        bands.items(), key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0)
    ):
        hits = judged_hits(group)
        out[band] = {
            "ece": calibration(hits)["ece"],
            "calibrated_ece": calibrated_ece([c for c, _ in hits]),
            "queries": len(group),
            "auroc": auroc(group),
        }
    return out


def by_kind(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """ECE of the answerable questions and of the unanswerable ones, each kind present."""
    kinds = {"answerable": [r for r in rows if r["relevant_ids"]]}
    kinds["unanswerable"] = [r for r in rows if not r["relevant_ids"]]
    return {
        kind: {"ece": calibration(judged_hits(group))["ece"], "queries": len(group)}
        for kind, group in kinds.items()
        if group
    }


def score_confidence(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The `confidence` section of results.json."""
    return {
        f"calibration@{TOP}": calibration(judged_hits(rows)),
        "auroc": auroc(rows),
        "by_kind": by_kind(rows),
        "by_size": by_size(rows),
        "abstention": abstention(rows),
        "default_context": default_context(rows),
    }


def summary_lines(confidence: Mapping[str, Any]) -> list[str]:
    cal = confidence[f"calibration@{TOP}"]
    return [
        "## Confidence",
        "",
        *_headline(confidence, cal),
        *_size_table(confidence.get("by_size", {})),
        *_bin_table(cal["bins"]),
        _abstention(confidence["abstention"]),
        "",
        *_default_context(confidence.get("default_context")),
        "![reliability](reliability.png)",
        "",
    ]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _three_places(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _headline(confidence: Mapping[str, Any], cal: Mapping[str, Any]) -> list[str]:
    """ECE over the top hits, AUROC of the top confidence, ECE by kind of question."""
    auroc_text = (
        "— (needs both kinds)" if confidence.get("auroc") is None else f"**{confidence['auroc']:.3f}**"
    )
    kinds = ", ".join(
        f"{kind} ({v['queries']} questions) {v['ece']:.3f}"
        for kind, v in confidence.get("by_kind", {}).items()
    )
    return [
        f"Calibration over each query's top {TOP} hits ({cal['hits']} hits): **ECE {cal['ece']:.3f}**.",
        "",
        f"Top confidence, answerable against unanswerable questions: AUROC {auroc_text}.",
        "",
        f"ECE@10 by kind: {kinds}.",
        "",
    ]


def _size_table(by_size: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [
        "| store size | queries | ECE@10 | ECE@10 if calibrated | AUROC |",
        "|---|---|---|---|---|",
        *(
            f"| {band} | {v['queries']} | {v['ece']:.3f} | {v.get('calibrated_ece', 0.0):.3f} | "
            f"{_three_places(v['auroc'])} |"
            for band, v in by_size.items()
        ),
        "",
    ]


def _bin_table(bins: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        "| confidence bin | hits | mean confidence | share relevant |",
        "|---|---|---|---|",
        *(
            f"| {lo:.1f}–{hi:.1f} | {b['hits']} | {b['confidence']:.3f} | {b['relevant']:.3f} |"
            for b in bins
            for lo, hi in [b["bin"]]
        ),
        "",
    ]


def _abstention(abst: Mapping[str, Any]) -> str:
    return (
        f"Abstention at confidence {abst['threshold']}: unanswerable questions ({abst['unanswerable']}) "
        f"whose top hit is below it: **{_pct(abst['abstained'])}**; answerable questions "
        f"({abst['answerable']}) keeping a relevant hit at or above it: **{_pct(abst['answerable_kept'])}**, "
        f"abstained on: {_pct(abst['answerable_abstained'])}."
    )


def _default_context(context: Mapping[str, Any] | None) -> list[str]:
    """How empty the default context is for unanswerable questions (only where the run read it)."""
    if context is None:
        return []
    return [
        f"The context at {context['budget']} tokens under the budget runs' floor: unanswerable "
        f"questions ({context['unanswerable']}) near empty (at most {NEAR_EMPTY} memory): "
        f"**{_pct(context['near_empty'])}**; answerable questions' ({context['answerable']}) "
        f"budget recall: **{_three_places(context['answerable_budget_recall'])}**.",
        "",
    ]


def reliability_plot(path: Path, confidence: Mapping[str, Any]) -> None:
    from ..report import _pyplot

    cal = confidence[f"calibration@{TOP}"]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.8), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    xs = [b["confidence"] for b in cal["bins"]]
    ys = [b["relevant"] for b in cal["bins"]]
    sizes = [max(12.0, 400.0 * b["hits"] / max(1, cal["hits"])) for b in cal["bins"]]
    ax.plot(xs, ys, color="tab:blue", alpha=0.5)
    ax.scatter(xs, ys, s=sizes, color="tab:blue", label="mnemo (area: hits)")
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="confidence",
        ylabel="share relevant",
        title=f"reliability, top {TOP} (ECE {cal['ece']:.3f})",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

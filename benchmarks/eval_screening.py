"""Evaluate the risk scanner on ../shared/data (issue 4) and write the results.

Prints a table of counts and scores only (never message text, conversation ids
or file names) and writes benchmarks/results/screening.json.

    python -m benchmarks.eval_screening [--pj P] [--whatsapp W] [--nps N]
        [--pii S] [--fixtures F] [--no-model]

Conversation figures use the shipped configuration: word-list findings plus
the hashed-word model's lean as a gate (see safeguarding/screening/risk.py).
The model was fitted on ~70% of DEV (``screening_data.fit_split``); figures on
the other 30% ("unseen") are the honest ones, and the same keys are also
given for the rules alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.screening_data import (
    FIXTURES,
    NPS,
    PII,
    PJ,
    WHATSAPP,
    fit_split,
    jsonl,
    whatsapp_chats,
)
from safeguarding.screening import ConversationRisk, scan_many
from safeguarding.screening.model import RiskModel, default_model

RESULTS = Path(__file__).resolve().parent / "results" / "screening.json"
PII_TYPES = {
    "phone": ("pii.phone", "PHONE_NUMBER"),
    "email": ("pii.email", "EMAIL_ADDRESS"),
    "address": ("pii.address", "STREET_ADDRESS"),
}
Scorer = Callable[[str], float] | None


def first_high(
    senders: Sequence[str], texts: Sequence[str], scorer: Scorer
) -> int | None:
    """Index of the first message that raises any sender to high, or None."""
    risk = ConversationRisk()
    for index, (sender, findings) in enumerate(
        zip(senders, scan_many(texts), strict=True)
    ):
        score = scorer(texts[index]) if scorer else None
        event = risk.add(sender, findings, model_score=score)
        if event is not None and event.early_warning:
            return index
    return None


def _pj_summary(
    firsts: list[int | None], lengths: list[int], decoys: list[bool]
) -> dict[str, Any]:
    hits = [(f, n) for f, n in zip(firsts, lengths, strict=True) if f is not None]
    fractions = [f / n for f, n in hits]
    return {
        "conversations": len(firsts),
        "pj_detection_rate": round(len(hits) / len(firsts), 4),
        "pj_first_alert_fraction_median": _r(statistics.median(fractions))
        if hits
        else None,
        "pj_first_alert_fraction_p90": _r(_quantile(fractions, 0.9)) if hits else None,
        "pj_first_alert_index_median": statistics.median(f for f, _ in hits)
        if hits
        else None,
        "pj_decoy_high_rate": round(sum(decoys) / len(decoys), 4),
    }


def eval_pj(path: Path, scorer: Scorer) -> dict[str, Any]:
    rows: list[tuple[bool, int | None, int, bool]] = []
    for conv in jsonl(path):
        pred, decoy = conv["predator"], conv["decoy"]
        first = first_high(["p"] * len(pred), pred, scorer)
        decoy_high = first_high(["d"] * len(decoy), decoy, scorer) is not None
        rows.append((fit_split(conv["id"]), first, len(pred), decoy_high))
    out = _pj_summary([r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
    unseen = [r for r in rows if not r[0]]
    out["unseen"] = _pj_summary(
        [r[1] for r in unseen], [r[2] for r in unseen], [r[3] for r in unseen]
    )
    return out


def eval_whatsapp(path: Path, scorer: Scorer) -> dict[str, Any]:
    rows = []
    for chat in whatsapp_chats(path):
        alarm = first_high(chat.senders, chat.texts, scorer) is not None
        rows.append((fit_split(chat.key), chat.english, alarm))

    def rate(subset: list[tuple[bool, bool, bool]]) -> float | None:
        return round(sum(r[2] for r in subset) / len(subset), 4) if subset else None

    english = [r for r in rows if r[1]]
    return {
        "whatsapp_chats": len(rows),
        "whatsapp_chats_english": len(english),
        "whatsapp_false_alarm_rate": rate(rows),
        "whatsapp_false_alarm_rate_english": rate(english),
        "whatsapp_false_alarm_rate_english_unseen": rate(
            [r for r in english if not r[0]]
        ),
    }


def eval_nps(path: Path, scorer: Scorer) -> dict[str, float]:
    by_room: dict[str, list[bool]] = {}
    for session in jsonl(path):
        posts = [p for p in session["posts"] if p["class"] != "System"]
        senders = [p["user"] for p in posts]
        alarm = first_high(senders, [p["text"] for p in posts], scorer) is not None
        by_room.setdefault(session["room"], []).append(alarm)
    return {room: round(sum(v) / len(v), 4) for room, v in sorted(by_room.items())}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _pr(
    gold: list[list[tuple[int, int]]], pred: list[list[tuple[int, int]]]
) -> dict[str, float | None]:
    tp_pred = sum(
        any(_overlaps(p, g) for g in gs)
        for ps, gs in zip(pred, gold, strict=True)
        for p in ps
    )
    tp_gold = sum(
        any(_overlaps(g, p) for p in ps)
        for ps, gs in zip(pred, gold, strict=True)
        for g in gs
    )
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    return {
        "precision": _r(tp_pred / n_pred) if n_pred else None,
        "recall": _r(tp_gold / n_gold) if n_gold else None,
        "predicted": n_pred,
        "gold": n_gold,
    }


def _presidio() -> dict[str, Any]:
    import tldextract
    import tldextract.tldextract as tld

    # Offline: use the suffix list bundled with tldextract, never the network.
    tld.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        PhoneRecognizer,
    )

    return {"PHONE_NUMBER": PhoneRecognizer(), "EMAIL_ADDRESS": EmailRecognizer()}


def presidio_spans(
    recognizers: dict[str, Any], text: str
) -> dict[str, list[tuple[int, int]]]:
    return {
        entity: [
            (r.start, r.end)
            for r in rec.analyze(text, entities=[entity], nlp_artifacts=None)
        ]
        for entity, rec in recognizers.items()
    }


def eval_pii(path: Path) -> dict[str, Any]:
    samples = list(jsonl(path))
    texts = [s["full_text"] for s in samples]
    ours = scan_many(texts)
    recognizers = _presidio()
    theirs = [presidio_spans(recognizers, t) for t in texts]
    precision: dict[str, Any] = {"safecontact": {}, "presidio": {}}
    recall: dict[str, Any] = {"safecontact": {}, "presidio": {}}
    for name, (indicator, entity) in PII_TYPES.items():
        gold = [
            [
                (s["start_position"], s["end_position"])
                for s in x["spans"]
                if s["entity_type"] == entity
            ]
            for x in samples
        ]
        mine = [
            [(f.start, f.end) for f in fs if f.indicator == indicator] for fs in ours
        ]
        for who, pred in (
            ("safecontact", mine),
            ("presidio", [t.get(entity) for t in theirs]),
        ):
            if any(
                p is None for p in pred
            ):  # presidio has no address pattern recognizer
                precision[who][name] = recall[who][name] = None
                continue
            scores = _pr(gold, pred)  # type: ignore[arg-type]
            precision[who][name], recall[who][name] = (
                scores["precision"],
                scores["recall"],
            )
    return {
        "pii_samples": len(samples),
        "pii_precision": precision,
        "pii_recall": recall,
    }


def throughput(texts: list[str], model: RiskModel | None) -> dict[str, float | None]:
    scan_many(texts[:1000])
    start = time.perf_counter()
    for i in range(0, len(texts), 10_000):
        scan_many(texts[i : i + 10_000])
    ours = len(texts) / (time.perf_counter() - start)
    with_model = None
    if model is not None:
        start = time.perf_counter()
        for text in texts:
            model.score(text)
        with_model = 1 / (1 / ours + (time.perf_counter() - start) / len(texts))
    recognizers = _presidio()
    sample = texts[:3000]
    start = time.perf_counter()
    for text in sample:
        presidio_spans(recognizers, text)
    theirs = len(sample) / (time.perf_counter() - start)
    return {
        "safecontact": round(ours),
        "safecontact_with_model": round(with_model) if with_model else None,
        "presidio": round(theirs),
        "messages": len(texts),
    }


def unparsed_rate(fixtures: Path, whatsapp: Path) -> float | None:
    from benchmarks.eval_whatsapp import unparsed_line_rate

    return float(unparsed_line_rate(fixtures, whatsapp)["whatsapp_unparsed_line_rate"])


def _r(value: float) -> float:
    return round(value, 4)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def conversation_figures(args: argparse.Namespace, scorer: Scorer) -> dict[str, Any]:
    out = eval_pj(args.pj, scorer)
    out.update(eval_whatsapp(args.whatsapp, scorer))
    out["nps_high_rate_by_room"] = eval_nps(args.nps, scorer)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    parser.add_argument("--nps", type=Path, default=NPS)
    parser.add_argument("--pii", type=Path, default=PII)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    model = None if args.no_model else default_model()
    results = conversation_figures(args, model.score if model else None)
    results["configuration"] = "rules" if model is None else "rules+model"
    if model is not None:
        results["rules_only"] = conversation_figures(args, None)
    results.update(eval_pii(args.pii))
    texts = [t for chat in whatsapp_chats(args.whatsapp) for t in chat.texts]
    results["throughput_messages_per_s"] = throughput(texts, model)
    results["whatsapp_unparsed_line_rate"] = unparsed_rate(args.fixtures, args.whatsapp)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def print_table(results: dict[str, Any]) -> None:
    rows = [
        ("pj_detection_rate", ">= 0.98"),
        ("pj_first_alert_fraction_median", "<= 0.04"),
        ("pj_first_alert_fraction_p90", ""),
        ("pj_first_alert_index_median", ""),
        ("pj_decoy_high_rate", "<= 0.05"),
        ("whatsapp_false_alarm_rate", ""),
        ("whatsapp_false_alarm_rate_english", "<= 0.02"),
        ("whatsapp_false_alarm_rate_english_unseen", "<= 0.02"),
    ]
    print(f"{'figure':44} {'all DEV':>10} {'unseen':>10} {'rules only':>10}  target")
    rules = results.get("rules_only", {})
    for key, target in rows:
        unseen = results.get("unseen", {}).get(key, "")
        print(
            f"{key:44} {results.get(key)!s:>10} {unseen!s:>10} {rules.get(key, '')!s:>10}  {target}"
        )
    print(f"{'nps_high_rate_by_room':44} {results['nps_high_rate_by_room']}")
    for who in ("safecontact", "presidio"):
        for name in PII_TYPES:
            p, r = results["pii_precision"][who][name], results["pii_recall"][who][name]
            print(f"pii {name:8} {who:12} precision {p!s:>7} recall {r!s:>7}")
    print(f"{'throughput_messages_per_s':44} {results['throughput_messages_per_s']}")
    print(
        f"{'whatsapp_unparsed_line_rate':44} {results['whatsapp_unparsed_line_rate']}"
    )


if __name__ == "__main__":
    main()

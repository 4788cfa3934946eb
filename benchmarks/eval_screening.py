"""Evaluate the risk scanner on ../shared/data (issue 4) and write the results.

Prints a table of counts and scores only (never message text, conversation ids
or file names) and writes benchmarks/results/screening.json.

    python benchmarks/eval_screening.py [--pj P] [--whatsapp W] [--nps N]
        [--pii S] [--fixtures F] [--no-model]

Every conversation goes through ``safeguarding.screening.pipeline.assess``,
the same pipeline the gateway and ``manage.py scan`` use. The headline
conversation figures are *out of fold*: the DEV conversations are split into
five folds (by conversation), five models are fitted each without one fold
(``fit_screening_model.fold_models``) and each conversation is scored by the
model that never saw it. ``in_sample`` gives the same keys for the shipped
model (fitted on all of DEV) and ``rules_only`` for the word lists alone.
NPS is never fitted on, so its figures use the shipped model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.eval_conversation import chosen_without_fold, read_once
from benchmarks.eval_indicators import (
    fold_line_models,
    indicator_results,
    print_indicators,
)
from benchmarks.eval_obfuscation import eval_obfuscation, print_obfuscation
from benchmarks.fit_screening_model import (
    fold_models,
    fold_of,
    load,
    matrix,
)
from benchmarks.screening_data import (
    FIXTURES,
    NPS,
    PII,
    PJ,
    WHATSAPP,
    Chat,
    jsonl,
    whatsapp_chats,
)
from safeguarding.screening import scan_many
from safeguarding.screening.indicator_model import LineModel, default_line_model
from safeguarding.screening.model import PARAMS, RiskModel, default_model
from safeguarding.screening.pipeline import first_high

RESULTS = Path(__file__).resolve().parent / "results" / "screening.json"
PII_TYPES = {
    "phone": ("pii.phone", "PHONE_NUMBER"),
    "email": ("pii.email", "EMAIL_ADDRESS"),
    "address": ("pii.address", "STREET_ADDRESS"),
}
# The risk model and the line model a conversation is scored with.
Models = tuple[RiskModel | None, LineModel | None]
ModelFor = Callable[[str], Models]  # conversation key -> its models
NO_MODELS: Models = (None, None)


@dataclass(frozen=True, slots=True)
class Data:
    pj: list[tuple[str, list[str], list[str]]]
    chats: list[Chat]
    nps: list[tuple[str, list[str], list[str]]]


def read_data(args: argparse.Namespace) -> Data:
    pj = [(c["id"], c["predator"], c["decoy"]) for c in jsonl(args.pj)]
    nps = []
    for session in jsonl(args.nps):
        posts = [p for p in session["posts"] if p["class"] != "System"]
        nps.append(
            (session["room"], [p["user"] for p in posts], [p["text"] for p in posts])
        )
    return Data(pj, list(whatsapp_chats(args.whatsapp)), nps)


def _first(senders: Sequence[str], texts: Sequence[str], models: Models) -> int | None:
    model, lines = models
    return first_high(zip(senders, texts, strict=True), model=model, lines=lines)


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


def eval_pj(data: Data, model_for: ModelFor) -> dict[str, Any]:
    firsts, lengths, decoys = [], [], []
    for key, pred, decoy in data.pj:
        model = model_for(key)
        firsts.append(_first(["p"] * len(pred), pred, model))
        lengths.append(len(pred))
        decoys.append(_first(["d"] * len(decoy), decoy, model) is not None)
    return _pj_summary(firsts, lengths, decoys)


def eval_whatsapp(data: Data, model_for: ModelFor) -> dict[str, Any]:
    rows = [
        (chat.english, _first(chat.senders, chat.texts, model_for(chat.key)))
        for chat in data.chats
    ]

    def rate(subset: list[tuple[bool, int | None]]) -> float | None:
        alarms = sum(first is not None for _, first in subset)
        return round(alarms / len(subset), 4) if subset else None

    english = [r for r in rows if r[0]]
    return {
        "whatsapp_chats": len(rows),
        "whatsapp_chats_english": len(english),
        "whatsapp_false_alarm_rate": rate(rows),
        "whatsapp_false_alarm_rate_english": rate(english),
    }


def eval_nps(data: Data, model: Models) -> dict[str, float]:
    by_room: dict[str, list[bool]] = {}
    for room, senders, texts in data.nps:
        by_room.setdefault(room, []).append(_first(senders, texts, model) is not None)
    return {room: round(sum(v) / len(v), 4) for room, v in sorted(by_room.items())}


def conversation_figures(
    data: Data, model_for: ModelFor, nps_model: Models
) -> dict[str, Any]:
    out = eval_pj(data, model_for)
    out.update(eval_whatsapp(data, model_for))
    out["nps_high_rate_by_room"] = eval_nps(data, nps_model)
    return out


def out_of_fold(
    args: argparse.Namespace, data: Data, line_models: Sequence[LineModel]
) -> dict[str, Any]:
    """Figures where every conversation is scored by models fitted without it
    (the risk model and the line model, at the shipped operating point)."""
    corpus = load(args.pj, args.whatsapp)
    models = fold_models(corpus, matrix(corpus.texts))
    thresholds = default_line_model().thresholds
    lines = [replace(m, thresholds=thresholds) for m in line_models]

    def model_for(key: str) -> Models:
        return models[fold_of(key)], lines[fold_of(key)]

    out = conversation_figures(data, model_for, (default_model(), default_line_model()))
    read = read_once(data.pj, data.chats, model_for)
    out["conversation_thresholds_out_of_fold"] = chosen_without_fold(read)
    return out


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


# Presidio's predefined pattern recognisers for the personal details our
# scanner finds, by our indicator: phone, email, bank (cards and IBANs),
# postcode (UK) and private links (Presidio's URL recogniser finds any link,
# a wider net than ours). Addresses, social-media handles and school names
# have no pattern recogniser in Presidio (only its NER models, which are not
# pattern matching), so they have no counterpart here.
PRESIDIO_MATCHED = {
    "pii.phone": ("PhoneRecognizer",),
    "pii.email": ("EmailRecognizer",),
    "pii.bank": ("CreditCardRecognizer", "IbanRecognizer"),
    "pii.postcode": ("UkPostcodeRecognizer",),
    "pii.private_link": ("UrlRecognizer",),
}
PHONE_AND_EMAIL = ("PhoneRecognizer", "EmailRecognizer")


def _presidio(names: tuple[str, ...] = PHONE_AND_EMAIL) -> dict[str, Any]:
    """Presidio's recognisers by name, as {entity: recogniser}."""
    import tldextract
    import tldextract.tldextract as tld

    # Offline: use the suffix list bundled with tldextract, never the network.
    tld.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer import predefined_recognizers

    recognizers = [getattr(predefined_recognizers, name)() for name in names]
    return {r.supported_entities[0]: r for r in recognizers}


def presidio_matched() -> dict[str, Any]:
    """Every recogniser of ``PRESIDIO_MATCHED``, type for type with ours."""
    return _presidio(tuple(n for names in PRESIDIO_MATCHED.values() for n in names))


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


def unparsed_rate(fixtures: Path, whatsapp: Path) -> float | None:
    from benchmarks.eval_whatsapp import unparsed_line_rate

    return float(unparsed_line_rate(fixtures, whatsapp)["whatsapp_unparsed_line_rate"])


def _r(value: float) -> float:
    return round(value, 4)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pj", type=Path, default=PJ)
    parser.add_argument("--whatsapp", type=Path, default=WHATSAPP)
    parser.add_argument("--nps", type=Path, default=NPS)
    parser.add_argument("--pii", type=Path, default=PII)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--conversation-only",
        action="store_true",
        help="update only the conversation figures in --out",
    )
    args = parser.parse_args()
    data = read_data(args)
    if args.conversation_only:
        conversation_only(args, data)
        return
    shipped = default_model()
    both = (shipped, default_line_model())
    rules = conversation_figures(data, lambda _key: NO_MODELS, NO_MODELS)
    folded = None if args.no_model else fold_line_models(args.pj, args.whatsapp)
    if folded is None:
        results = {**rules, "configuration": "rules"}
    else:
        results = {**out_of_fold(args, data, folded.models)}
        results["configuration"] = "rules+model+line model"
        results["in_sample"] = conversation_figures(data, lambda _key: both, both)
        results["rules_only"] = rules
    results.update(eval_pii(args.pii))
    results.update(eval_obfuscation(args.pii))
    # Speed is measured by bench_screening.py (benchmarks/results/bench_screening.json).
    results["throughput"] = "benchmarks/results/bench_screening.json"
    results["model_params_bytes"] = PARAMS.stat().st_size
    results["whatsapp_unparsed_line_rate"] = unparsed_rate(args.fixtures, args.whatsapp)
    if folded is not None:
        results.update(indicator_results(folded))
    print_table(results)
    if not args.no_model:
        print_indicators(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def conversation_only(args: argparse.Namespace, data: Data) -> None:
    """Recompute the conversation figures (out of fold, in sample, rules
    only, NPS) and keep every other figure of ``--out`` as it was."""
    folded = fold_line_models(args.pj, args.whatsapp)
    both = (default_model(), default_line_model())
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results.update(out_of_fold(args, data, folded.models))
    results["in_sample"] = conversation_figures(data, lambda _key: both, both)
    results["rules_only"] = conversation_figures(
        data, lambda _key: NO_MODELS, NO_MODELS
    )
    print_conversation(results)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def print_conversation(results: dict[str, Any]) -> None:
    rows = [
        ("pj_detection_rate", ">= 0.99"),  # issue 13's targets
        ("pj_first_alert_fraction_median", "<= 0.03"),
        ("pj_first_alert_fraction_p90", ""),
        ("pj_first_alert_index_median", ""),
        ("pj_decoy_high_rate", "<= 0.03"),
        ("whatsapp_false_alarm_rate", ""),
        ("whatsapp_false_alarm_rate_english", "0"),
    ]
    print(
        f"{'figure':36} {'out of fold':>11} {'in sample':>10} {'rules only':>10}  target"
    )
    ins, rules = results.get("in_sample", {}), results.get("rules_only", {})
    for key, target in rows:
        print(
            f"{key:36} {results.get(key)!s:>11} {ins.get(key, '')!s:>10} "
            f"{rules.get(key, '')!s:>10}  {target}"
        )
    print(f"{'nps_high_rate_by_room':36} {results['nps_high_rate_by_room']}")
    strict = results.get("conversation_thresholds_out_of_fold")
    if strict:
        print(f"risk constants chosen without the fold judged: {strict}")


def print_table(results: dict[str, Any]) -> None:
    print_conversation(results)
    for who in ("safecontact", "presidio"):
        for name in PII_TYPES:
            p, r = results["pii_precision"][who][name], results["pii_recall"][who][name]
            print(f"pii {name:8} {who:12} precision {p!s:>7} recall {r!s:>7}")
    print_obfuscation(results)
    print(f"{'model_params_bytes':36} {results['model_params_bytes']}")
    print(
        f"{'whatsapp_unparsed_line_rate':36} {results['whatsapp_unparsed_line_rate']}"
        "  target < 0.001"
    )


if __name__ == "__main__":
    main()

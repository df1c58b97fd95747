"""Score predictions against gold files, as ``../shared/dev/GUIDELINES.md`` defines.

Entities match when one label (name or alias) of each agrees after normalising
(NFKC, Traditional to Simplified, spaces and quotes removed); typed scores also
need the same type. A relation counts when both ends match gold entities and
the predicate is the same (``partnerOf`` either way round).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KgError
from .model import ENTITY_TYPES, PREDICATES, Resolved
from .normalise import to_simplified

_DROP = re.compile(r"[\s“”\"'《》「」『』]")


def norm_label(text: str) -> str:
    return _DROP.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


@dataclass
class Scores:
    """Counts for precision/recall/F1: matched predictions, predictions, matched gold, gold."""

    tp_pred: int = 0
    pred: int = 0
    tp_gold: int = 0
    gold: int = 0

    def add(self, other: Scores) -> None:
        self.tp_pred += other.tp_pred
        self.pred += other.pred
        self.tp_gold += other.tp_gold
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp_pred / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    name: str
    entities: Scores = field(default_factory=Scores)  # typed
    untyped: Scores = field(default_factory=Scores)
    relations: Scores = field(default_factory=Scores)
    by_type: dict[str, Scores] = field(default_factory=dict)
    by_predicate: dict[str, Scores] = field(default_factory=dict)
    missed_entities: list[str] = field(default_factory=list)
    spurious_entities: list[str] = field(default_factory=list)
    missed_relations: list[str] = field(default_factory=list)
    spurious_relations: list[str] = field(default_factory=list)
    roles_correct: int = 0
    roles_total: int = 0
    events_pred: int = 0
    events_gold: int = 0
    # confidence band ("0.6") -> [correct, predicted], entities and relations together:
    # how often a fact given that score is right (the check behind --min-confidence)
    calibration: dict[str, list[int]] = field(default_factory=dict)

    def note_confidence(self, confidence: float | None, correct: bool) -> None:
        if confidence is None:
            return
        band = f"{min(0.9, int(confidence * 10) / 10):.1f}"
        cell = self.calibration.setdefault(band, [0, 0])
        cell[0] += correct
        cell[1] += 1

    def add(self, other: Report) -> None:
        for band, (ok, n) in other.calibration.items():
            cell = self.calibration.setdefault(band, [0, 0])
            cell[0] += ok
            cell[1] += n
        for name in ("entities", "untyped", "relations"):
            getattr(self, name).add(getattr(other, name))
        for table, theirs in ((self.by_type, other.by_type), (self.by_predicate, other.by_predicate)):
            for key, scores in theirs.items():
                table.setdefault(key, Scores()).add(scores)
        self.roles_correct += other.roles_correct
        self.roles_total += other.roles_total
        self.events_pred += other.events_pred
        self.events_gold += other.events_gold


def load_gold(path: str | Path) -> dict:
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KgError("no such gold file", str(path)) from None
    except json.JSONDecodeError as err:
        raise KgError(f"invalid JSON: {err.msg}", str(path), err.lineno, err.colno) from None
    if not isinstance(gold, dict) or not isinstance(gold.get("entities"), list):
        raise KgError("gold file must be an object with an 'entities' list", str(path))
    return gold


def predictions(resolved: Resolved) -> tuple[list[dict], list[dict], int]:
    """Entities and relations of a build in the gold format (names, aliases, s/p/o/role)."""
    names = {e.id: e.name for e in resolved.entities}
    entities = [{"name": e.name, "type": e.type, "aliases": list(e.aliases), "confidence": e.confidence}
                for e in resolved.entities]
    relations = [{"s": names[r.subject], "p": r.predicate, "o": names[r.object], "role": r.role,
                  "confidence": r.confidence}
                 for r in resolved.relations if r.subject in names and r.object in names]
    return entities, relations, len(resolved.events)


def score(name: str, gold: dict, pred_entities: list[dict], pred_relations: list[dict],
          pred_events: int = 0) -> Report:
    report = Report(name)
    gold_entities = gold["entities"]
    labels = lambda e: {norm_label(x) for x in [e["name"], *e.get("aliases", [])]}  # noqa: E731
    gold_labels = [labels(e) for e in gold_entities]
    pred_labels = [labels(e) for e in pred_entities]

    def matches(i_pred: int, typed: bool) -> list[int]:
        return [j for j, gl in enumerate(gold_labels) if pred_labels[i_pred] & gl and
                (not typed or pred_entities[i_pred]["type"] == gold_entities[j]["type"])]

    for typed, scores in ((True, report.entities), (False, report.untyped)):
        matched_gold: set[int] = set()
        for i, pe in enumerate(pred_entities):
            if pe["type"] not in ENTITY_TYPES:
                continue
            found = matches(i, typed)
            scores.pred += 1
            scores.tp_pred += bool(found)
            matched_gold.update(found)
            if typed:
                report.note_confidence(pe.get("confidence"), bool(found))
                by = report.by_type.setdefault(pe["type"], Scores())
                by.pred += 1
                by.tp_pred += bool(found)
                if not found:
                    report.spurious_entities.append(f"{pe['name']} ({pe['type']})")
        scores.gold = len(gold_entities)
        scores.tp_gold = len(matched_gold)
        if typed:
            for j, ge in enumerate(gold_entities):
                by = report.by_type.setdefault(ge["type"], Scores())
                by.gold += 1
                by.tp_gold += j in matched_gold
                if j not in matched_gold:
                    report.missed_entities.append(f"{ge['name']} ({ge['type']})")

    gold_index = {norm_label(e["name"]): j for j, e in enumerate(gold_entities)}

    def gold_ids(name: str) -> set[int]:
        n = norm_label(name)
        return {j for j, gl in enumerate(gold_labels) if n in gl} | (
            {gold_index[n]} if n in gold_index else set())

    pred_ends = {}
    for pe, pl in zip(pred_entities, pred_labels):
        pred_ends[pe["name"]] = {j for j, gl in enumerate(gold_labels) if pl & gl}
    gold_rel = [(gold_ids(r["s"]), r["p"], gold_ids(r["o"]), r.get("role")) for r in gold.get("relations", [])]
    matched_gold_rel: set[int] = set()
    for pr in pred_relations:
        if pr["p"] not in PREDICATES:
            continue
        s, o = pred_ends.get(pr["s"], set()), pred_ends.get(pr["o"], set())
        hits = [k for k, (gs, gp, go, _) in enumerate(gold_rel) if gp == pr["p"] and
                (s & gs and o & go or gp == "partnerOf" and s & go and o & gs)]
        report.note_confidence(pr.get("confidence"), bool(hits))
        by = report.by_predicate.setdefault(pr["p"], Scores())
        report.relations.pred += 1
        by.pred += 1
        if hits:
            report.relations.tp_pred += 1
            by.tp_pred += 1
            matched_gold_rel.update(hits)
            gold_roles = {gold_rel[k][3] for k in hits if gold_rel[k][3]}
            if gold_roles:
                report.roles_total += 1
                report.roles_correct += pr.get("role") in gold_roles
        else:
            report.spurious_relations.append(f"{pr['s']} {pr['p']} {pr['o']}")
    for k, r in enumerate(gold.get("relations", [])):
        by = report.by_predicate.setdefault(r["p"], Scores())
        by.gold += 1
        by.tp_gold += k in matched_gold_rel
        if k not in matched_gold_rel:
            report.missed_relations.append(f"{r['s']} {r['p']} {r['o']}" + (f" ({r['role']})" if r.get("role") else ""))
    report.relations.gold = len(gold_rel)
    report.relations.tp_gold = len(matched_gold_rel)
    report.events_pred = pred_events
    report.events_gold = len(gold.get("events", []))
    return report


def format_report(reports: list[Report], verbose: bool = False) -> str:
    """Per-document lines, then the micro average, then per type and per predicate."""
    total = Report("micro-average")
    lines = [f"{'document':<24} {'ent P':>6} {'ent R':>6} {'ent F1':>6}  {'rel P':>6} {'rel R':>6} {'rel F1':>6}"]
    for r in reports:
        total.add(r)
        lines.append(_row(r))
    if len(reports) > 1:
        lines.append(_row(total))
    lines.append("")
    lines.append(f"untyped entity F1 {total.untyped.f1:.3f}; roles right {total.roles_correct}/{total.roles_total}; "
                 f"events predicted {total.events_pred}, gold {total.events_gold}")
    lines.append("")
    lines.append(f"{'type / predicate':<24} {'P':>6} {'R':>6} {'F1':>6} {'pred':>5} {'gold':>5}")
    for key in sorted(total.by_type):
        s = total.by_type[key]
        lines.append(f"{key:<24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.pred:5d} {s.gold:5d}")
    for key in sorted(total.by_predicate):
        s = total.by_predicate[key]
        lines.append(f"{key:<24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.pred:5d} {s.gold:5d}")
    if total.calibration:
        lines.append("")
        lines.append("precision by confidence (entities and relations): " + "  ".join(
            f"{band}+ {ok / n:.2f} ({n})" for band, (ok, n) in sorted(total.calibration.items())))
    if verbose:
        for r in reports:
            lines.append("")
            lines.append(f"== {r.name}")
            for title, items in (("missed entities", r.missed_entities), ("spurious entities", r.spurious_entities),
                                 ("missed relations", r.missed_relations),
                                 ("spurious relations", r.spurious_relations)):
                lines.append(f"  {title} ({len(items)}):")
                lines.extend(f"    {item}" for item in sorted(items))
    return "\n".join(lines)


def _row(r: Report) -> str:
    e, rel = r.entities, r.relations
    return (f"{r.name:<24} {e.precision:6.3f} {e.recall:6.3f} {e.f1:6.3f}  "
            f"{rel.precision:6.3f} {rel.recall:6.3f} {rel.f1:6.3f}")


"""Scoring follows GUIDELINES.md; figures on our own corpus are floors that may only rise."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, DEV
from kg.cli import _eval_pairs
from kg.evaluate import Report, norm_label, predictions, score
from kg.pipeline import run_one

GOLD = {
    "entities": [
        {"name": "拓展科技", "type": "Company", "aliases": ["拓展科技有限公司"]},
        {"name": "周明", "type": "Person", "aliases": []},
        {"name": "乙公司", "type": "Company", "aliases": []},
    ],
    "relations": [
        {"s": "周明", "p": "holdsPosition", "o": "拓展科技", "role": "董事长"},
        {"s": "乙公司", "p": "partnerOf", "o": "拓展科技"},
    ],
}


def test_alias_match_type_and_symmetric_partner():
    pred_entities = [{"name": "拓展科技有限公司", "type": "Company", "aliases": []},
                     {"name": "周明", "type": "Organization", "aliases": []},
                     {"name": "乙公司", "type": "Company", "aliases": []},
                     {"name": "无关", "type": "Place", "aliases": []}]
    pred_relations = [{"s": "周明", "p": "holdsPosition", "o": "拓展科技有限公司", "role": "董事长"},
                      {"s": "拓展科技有限公司", "p": "partnerOf", "o": "乙公司", "role": None},
                      {"s": "无关", "p": "locatedIn", "o": "乙公司", "role": None}]
    r = score("t", GOLD, pred_entities, pred_relations)
    assert (r.entities.tp_pred, r.entities.pred, r.entities.tp_gold, r.entities.gold) == (2, 4, 2, 3)
    assert (r.untyped.tp_pred, r.untyped.tp_gold) == (3, 3)
    assert (r.relations.tp_pred, r.relations.pred, r.relations.tp_gold) == (2, 3, 2)
    assert r.roles_correct == r.roles_total == 1
    assert r.missed_entities == ["周明 (Person)"]


def test_labels_are_normalised_like_the_guidelines_say():
    assert norm_label("「拓維 資訊」") == "拓维资讯" == norm_label("《拓维资讯》")


def micro(folder, prefix: str = "") -> Report:
    from kg.evaluate import load_gold

    total = Report("all")
    for doc, gold in _eval_pairs((folder,), None):
        if Path(gold).name.startswith(prefix):
            ents, rels, n = predictions(run_one(doc))
            total.add(score(doc, load_gold(gold), ents, rels, n))
    return total


def test_own_corpus_floors():
    total = micro(CORPUS, "a")
    assert total.entities.gold == 137 and total.relations.gold == 117
    assert total.entities.f1 >= 0.94
    assert total.relations.f1 >= 0.84


def test_second_corpus_floors():
    """The b-set was written by someone who had not seen the rules; it was held out
    until the c-set replaced it, and rules have been tuned on it since."""
    total = micro(CORPUS, "b")
    assert total.entities.gold == 215 and total.relations.gold == 180
    assert total.entities.f1 >= 0.91
    assert total.relations.f1 >= 0.76


def test_held_out_corpus_floors():
    """The c-set was written by a helper who saw neither the rules nor their output,
    and no rule is tuned on it: the honest forecast for articles never seen."""
    total = micro(CORPUS, "c")
    assert total.entities.gold == 242 and total.relations.gold == 218
    assert total.entities.f1 >= 0.85
    assert total.relations.f1 >= 0.63


@pytest.mark.skipif(not DEV.is_dir(), reason="the development set lives in ../shared/dev beside the repo")
def test_development_set_floors():
    pairs = _eval_pairs((DEV,), None)
    assert len(pairs) == 7
    total = micro(DEV)
    assert total.entities.f1 >= 0.91
    assert total.relations.f1 >= 0.80


def test_higher_confidence_means_more_often_right():
    total = micro(CORPUS)
    bands = total.calibration
    high = [bands[b] for b in bands if b >= "0.8"]
    low = [bands[b] for b in bands if b < "0.7"]
    rate = lambda cells: sum(ok for ok, _ in cells) / sum(n for _, n in cells)  # noqa: E731
    assert high and low and rate(high) > rate(low) + 0.1
    # A score is a conservative estimate: facts in each band are right about as often as the band says, or more.
    for band, (ok, n) in bands.items():
        assert ok / n >= float(band) - 0.05, band

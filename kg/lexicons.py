"""The word lists in ``data/lexicons``, read once and cached.

Each file is documented (source, licence) in ``data/README.md``. A user adds
names with ``kg build --lexicon FILE`` (``name<TAB>type`` lines).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import KgError
from .model import ENTITY_TYPES


def project_dir(name: str) -> Path:
    """``data`` or ``ontology``: beside the package in a checkout, under ``share/kg`` when installed."""
    here = Path(__file__).resolve().parents[1] / name
    if here.is_dir():
        return here
    installed = Path(sys.prefix) / "share" / "kg" / name
    if installed.is_dir():
        return installed
    raise KgError(f"cannot find the '{name}' folder (looked in {here} and {installed})")


def _rows(path: Path) -> list[list[str]]:
    """Tab-separated rows without comments; the first row is the header and is dropped."""
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return rows[1:] if path.suffix == ".tsv" else rows


@dataclass(frozen=True)
class Place:
    name: str
    level: str
    parent: str
    short: str


@dataclass
class Lexicons:
    titles: dict[str, str] = field(default_factory=dict)  # title -> kind
    org_suffixes: list[tuple[str, str, str]] = field(default_factory=list)  # (suffix, type, strength)
    party_bodies: list[str] = field(default_factory=list)
    party_qualifiers: list[str] = field(default_factory=list)
    party_units: frozenset[str] = frozenset()  # 研发党支部, 机关党委: a body for one department
    triggers: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    generic: frozenset[str] = frozenset()
    places: dict[str, list[Place]] = field(default_factory=dict)  # name or short form -> places
    surnames: frozenset[str] = frozenset()
    user_terms: dict[str, str] = field(default_factory=dict)  # name -> entity type

    def place(self, name: str) -> Place | None:
        found = self.places.get(name)
        return found[0] if found else None

    def user_words(self) -> list[tuple[str, str]]:
        """Words for the segmenter, with a POS tag, so that names and titles stay whole."""
        words = [(t, "nnt") for t in self.titles]
        words += [(b, "nparty") for b in self.party_bodies if len(b) > 1]
        words += [(name, "ns") for name in self.places if len(name) > 1]
        words += [(name, "nuser") for name in self.user_terms]
        return sorted(set(words))


@cache
def lexicons(user_files: tuple[str, ...] = ()) -> Lexicons:
    """The shipped lexicons plus the user's ``name<TAB>type`` files."""
    return load(project_dir("data") / "lexicons", tuple(Path(p) for p in user_files))


def load(folder: Path, user_files: tuple[Path, ...] = ()) -> Lexicons:
    lex = Lexicons()
    lex.titles = {row[0]: row[1] for row in _rows(folder / "titles.tsv")}
    lex.org_suffixes = sorted(((r[0], r[1], r[2]) for r in _rows(folder / "org_suffixes.tsv")),
                              key=lambda r: (-len(r[0]), r[0]))
    bodies = _rows(folder / "party_bodies.tsv")
    lex.party_bodies = sorted((r[0] for r in bodies if r[1] == "body"), key=lambda w: (-len(w), w))
    lex.party_qualifiers = sorted((r[0] for r in bodies if r[1] in ("qualifier", "unit")), key=lambda w: (-len(w), w))
    lex.party_units = frozenset(r[0] for r in bodies if r[1] == "unit")
    lex.triggers = {r[0]: (_dash(r[1]), _dash(r[2])) for r in _rows(folder / "triggers.tsv")}
    lex.generic = frozenset(r[0] for r in _rows(folder / "generic_words.txt"))
    places_file = folder / "places.tsv"
    if places_file.exists():
        for row in _rows(places_file):
            name, level, parent, short = (row + ["", "", "", ""])[:4]
            place = Place(name, level, parent, short)
            lex.places.setdefault(name, []).append(place)
            # County short forms (凌云, 大关) are too often ordinary words: only full names count.
            if short and short not in lex.generic and level != "county":
                lex.places.setdefault(short, []).append(place)
    surnames_file = folder / "surnames.txt"
    if surnames_file.exists():
        lex.surnames = frozenset(r[0] for r in _rows(surnames_file))
    for path in user_files:
        lex.user_terms.update(read_user_lexicon(path))
    return lex


def _dash(value: str) -> str | None:
    return None if value in ("", "-") else value


def read_user_lexicon(path: Path) -> dict[str, str]:
    """``name<TAB>type`` lines (type one of the six entity types); ``#`` starts a comment."""
    terms: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise KgError(f"cannot read lexicon: {err}", str(path)) from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or parts[1].strip() not in ENTITY_TYPES:
            raise KgError(f"expected 'name<TAB>type' with type one of {', '.join(ENTITY_TYPES)}",
                          str(path), number)
        terms[parts[0].strip()] = parts[1].strip()
    return terms


@cache
def alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern matching any of ``words`` (longest first if so ordered)."""
    return re.compile("|".join(re.escape(w) for w in words))

"""Checks on the word lists shipped in data/lexicons/ and their documentation."""

import re
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
LEXICONS = DATA / "lexicons"
README = DATA / "README.md"

LEVELS = {"country", "region", "province", "prefecture", "county"}
# A header must name its licence: the word itself, or a licence identifier.
LICENCE_RE = re.compile(
    r"licen[cs]e|public domain|CC0|CC-BY|MIT|Apache|BSD|Unicode-3\.0|ODbL",
    re.IGNORECASE,
)


def _shipped_files():
    return sorted(
        p for p in LEXICONS.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix != ".pyc"
    )


def _word_lists():
    return [p for p in _shipped_files() if p.suffix in {".tsv", ".txt"}]


def _places():
    lines = (LEXICONS / "places.tsv").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", "places.tsv must end with a newline"
    body = [line for line in lines[:-1] if not line.startswith("# ")]
    assert body[0] == "name\tlevel\tparent\tshort"
    return [line.split("\t") for line in body[1:]]


def _surnames():
    lines = (LEXICONS / "surnames.txt").read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("# ")]
    assert body[0].split("\t")[0] == "surname"
    return [line.split("\t")[0] for line in body[1:]]


def test_word_lists_exist():
    names = {p.name for p in _word_lists()}
    assert {"places.tsv", "surnames.txt"} <= names


def test_header_comment_names_a_licence():
    for path in _word_lists():
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.startswith("# "), f"{path.name}: first line is not a '# ' comment"
        assert LICENCE_RE.search(first), f"{path.name}: header comment names no licence"


def test_word_lists_are_utf8_lf():
    for path in _word_lists():
        raw = path.read_bytes()
        raw.decode("utf-8")
        assert b"\r" not in raw, f"{path.name}: CR line endings"
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: BOM"


def test_places_rows_have_four_columns_and_known_levels():
    rows = _places()
    assert rows
    for row in rows:
        assert len(row) == 4, row
        name, level, _parent, _short = row
        assert name, row
        assert level in LEVELS, row


def test_places_parents_exist():
    rows = _places()
    names = {row[0] for row in rows}
    for name, level, parent, _short in rows:
        if level in {"country", "region", "province"}:
            assert parent == "", (name, parent)
        else:
            assert parent, name
        if parent:
            assert parent in names, (name, parent)


def test_places_no_duplicate_name_parent():
    counts = Counter((row[0], row[2]) for row in _places())
    dupes = sorted(pair for pair, n in counts.items() if n > 1)
    assert not dupes, dupes[:10]


def test_places_known_rows():
    rows = {(r[0], r[1], r[2]): r[3] for r in _places()}
    assert rows[("湖南省", "province", "")] == "湖南"
    assert ("长沙市", "prefecture", "湖南省") in rows
    assert ("茶陵县", "county", "株洲市") in rows
    assert ("意大利", "country", "") in rows
    assert ("华中地区", "region", "") in rows
    assert rows[("新疆维吾尔自治区", "province", "")] == "新疆"
    assert rows[("香港特别行政区", "province", "")] == "香港"
    assert rows[("伊犁哈萨克自治州", "prefecture", "新疆维吾尔自治区")] == "伊犁"
    assert rows[("福田区", "county", "深圳市")] == "福田"


def test_places_level_counts():
    levels = [row[1] for row in _places()]
    assert levels.count("province") == 34
    assert levels.count("prefecture") > 300
    assert levels.count("county") > 2800
    assert levels.count("country") > 200


def test_places_short_forms():
    for name, _level, _parent, short in _places():
        if short:
            assert short != name, name
            assert len(short) >= 2, (name, short)
    shorts = {(r[0], r[2]): r[3] for r in _places()}
    assert shorts[("城区", "晋城市")] == ""
    assert shorts[("东区", "攀枝花市")] == ""


def test_places_sorted():
    order = {level: i for i, level in enumerate(["country", "region", "province", "prefecture", "county"])}
    keys = [(order[r[1]], r[0], r[2]) for r in _places()]
    assert keys == sorted(keys)


def test_surnames():
    names = _surnames()
    assert {"王", "李", "欧阳"} <= set(names)
    assert len(names) == len(set(names)), "duplicate surnames"
    assert all(name and " " not in name for name in names)


def test_readme_documents_every_file():
    text = README.read_text(encoding="utf-8")
    sections = set(re.findall(r"^##\s+`?([^`\n]+?)`?\s*$", text, flags=re.MULTILINE))
    missing = [p.name for p in _shipped_files() if p.name not in sections]
    assert not missing, f"data/README.md has no section for: {missing}"

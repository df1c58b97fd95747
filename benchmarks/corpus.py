"""Generate any number of invented Chinese news articles, the input of the scale benchmarks.

    python benchmarks/corpus.py N -o corpus.jsonl.gz [--seed 0] [--start K]

Writes articles K..K+N-1 of one endless sequence as JSON lines (gzip when the name
ends in .gz), each ``{"text", "title", "date", "source", "url"}``. Article k
depends only on the seed and k, so the same command writes the same bytes, and
``--start 100000`` gives articles never seen in the first 100,000 that still
name the same companies and persons.

Articles are built from ``benchmarks/templates/`` and ``data/lexicons/``:
20,000 invented companies (place + brand core + trade word + legal ending,
short form later), three officers each (60,000 persons), their party bodies,
government bodies of their city, dates and numbers. Companies are drawn with a
Zipf-like popularity, so a few are hubs named in thousands of articles and most
in a handful. About 10% of the articles are in Traditional characters, some
carry page boilerplate or have lost their punctuation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import random
import sys
import zlib
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEXICONS = ROOT / "data" / "lexicons"
TEMPLATES = Path(__file__).resolve().parent / "templates"

COMPANIES = 20_000
OFFICERS = 3  # per company: head, manager, party secretary -> 60,000 persons
GUIDES = 2_000
JOURNALISTS = 1_500
ZIPF_EXPONENT = 1.0
FIRST_DAY = dt.date(2016, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days + 1
TRADITIONAL_SHARE = 0.10
NO_PUNCTUATION_SHARE = 0.12
LEGAL_ENDINGS = {"有限公司": 8, "股份有限公司": 3, "有限责任公司": 2, "集团有限公司": 1}
PARTY_KINDS = {"党委": 4, "党支部": 5, "党总支": 2}
HEAD_TITLES = {"董事长": 8, "执行董事": 1, "总经理": 1}
MANAGER_TITLES = {"总经理": 5, "副总经理": 3, "总裁": 1, "首席技术官": 1}
MIN_BODY, MAX_BODY = 300, 820  # characters of the sentences; page lines come on top


# -- reading the lexicons and templates ---------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    """Rows of a lexicon or template file: comment lines and the header row left out."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    has_header = path.suffix == ".tsv" or path.name == "surnames.txt"
    return [line.split("\t") for line in lines[1 if has_header else 0:]]


def read_words(path: Path) -> list[str]:
    return [row[0] for row in read_rows(path)]


@dataclass(frozen=True, slots=True)
class City:
    full: str  # 长沙市
    short: str  # 长沙
    province: str  # 湖南省
    province_short: str  # 湖南
    counties: tuple[str, ...]


def read_cities() -> list[City]:
    """Prefecture-level cities named ``X市`` that have counties listed, with their province."""
    rows = read_rows(LEXICONS / "places.tsv")
    province_short = {name: short or name for name, level, _, short in rows if level == "province"}
    counties: dict[str, list[str]] = {}
    for name, level, parent, _ in rows:
        if level == "county":
            counties.setdefault(parent, []).append(name)
    return [City(name, short, parent, province_short[parent], tuple(counties[name]))
            for name, level, parent, short in rows
            if level == "prefecture" and short and name == short + "市" and counties.get(name)
            and parent in province_short]


def check_titles(titles: list[str]) -> None:
    """Every title the generator writes must be one kg knows (titles.tsv), or the test corpus lies."""
    known = set(read_words(LEXICONS / "titles.tsv"))
    unknown = sorted(t for t in titles if t not in known)
    if unknown:
        raise SystemExit(f"titles not in data/lexicons/titles.tsv: {', '.join(unknown)}")


# -- the fixed pools ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Company:
    full: str  # 湖南星睿智能有限公司
    short: str  # 星睿智能
    city: City
    zone: str  # 长沙高新区
    business: str
    party_kind: str  # 党委 | 党支部 | 党总支
    officers: tuple[str, str, str]  # head, manager, party secretary
    head_title: str
    manager_title: str
    head_is_secretary: bool  # "党委书记、董事长" stacked on the head


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


class Pools:
    """Everything that recurs across articles, drawn once from the seed: companies, persons, outlets."""

    def __init__(self, seed: int = 0, companies: int = COMPANIES):
        rng = random.Random(f"kg-corpus:{seed}:pools")
        self.cities = read_cities()
        self.surnames = read_words(LEXICONS / "surnames.txt")
        self.common_surnames = [s for s in read_words(TEMPLATES / "common_surnames.txt") if s in self.surnames]
        self.given_chars = read_words(TEMPLATES / "given_chars.txt")
        self.taken: set[str] = set()  # names already given: persons and brand cores stay distinct
        self.companies = self._companies(rng, companies)
        self.guides = [self.person(rng) for _ in range(GUIDES)]
        self.journalists = [self.person(rng) for _ in range(JOURNALISTS)]
        organs = read_rows(TEMPLATES / "organs.tsv")
        self.officials = {(c.full, body): self.person(rng) for c in self.cities for body, _ in organs}
        self.organs = [(body, head) for body, head in organs]
        check_titles([h for _, h in organs] + ["副" + h for _, h in organs] + list(HEAD_TITLES)
                     + list(MANAGER_TITLES) + [k + "书记" for k in PARTY_KINDS])
        endings = read_words(TEMPLATES / "outlets.txt")
        provinces = sorted({c.province_short for c in self.cities})
        self.outlets = {p: [p + e for e in endings] for p in provinces}
        # The companies were drawn at random, so their order can serve as the popularity rank.
        self.cum_weights = list(accumulate(1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(self.companies))))

    def person(self, rng: random.Random) -> str:
        """A new person name: a surname (common ones more often) and one or two given characters."""
        while True:
            surname = rng.choice(self.common_surnames if rng.random() < 0.75 else self.surnames)
            given = "".join(rng.choices(self.given_chars, k=1 if rng.random() < 0.25 else 2))
            if surname + given not in self.taken:
                self.taken.add(surname + given)
                return surname + given

    def _companies(self, rng: random.Random, count: int) -> list[Company]:
        brand_chars = read_words(TEMPLATES / "brand_chars.txt")
        trades = read_rows(TEMPLATES / "trades.tsv")
        avoid = self._avoided_cores()
        companies = []
        while len(companies) < count:
            core = "".join(rng.sample(brand_chars, 2 if rng.random() < 0.7 else 3))
            trade, business = rng.choice(trades)
            if core in avoid or core + trade in self.taken:
                continue
            self.taken.add(core + trade)
            city = rng.choice(self.cities)
            place = city.province_short if rng.random() < 0.5 else city.short
            kind = weighted(rng, PARTY_KINDS)
            officers = (self.person(rng), self.person(rng), self.person(rng))
            companies.append(Company(
                full=place + core + trade + weighted(rng, LEGAL_ENDINGS), short=core + trade, city=city,
                zone=city.short + rng.choice(("高新区", "经开区")), business=business, party_kind=kind,
                officers=officers, head_title=weighted(rng, HEAD_TITLES),
                manager_title=weighted(rng, MANAGER_TITLES), head_is_secretary=rng.random() < 0.4))
        return companies

    @staticmethod
    def _avoided_cores() -> set[str]:
        """Brand cores that would read as a place, or as a name in the demo article (real companies)."""
        places = {row[0] for row in read_rows(LEXICONS / "places.tsv")}
        places |= {row[3] for row in read_rows(LEXICONS / "places.tsv") if row[3]}
        demo = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "samples").glob("*.txt")))
        cores = {demo[i:i + n] for n in (2, 3) for i in range(len(demo) - n + 1)}
        return places | cores

    def popular(self, rng: random.Random) -> Company:
        """A company drawn by popularity (Zipf): rank r is drawn in proportion to 1/(r+1)."""
        rank = bisect(self.cum_weights, rng.random() * self.cum_weights[-1])
        return self.companies[min(rank, len(self.companies) - 1)]


# -- one article ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Templates:
    sentences: dict[str, list[str]]
    headlines: dict[str, list[str]]
    top: list[str]
    bottom: list[str]
    fields: list[str]
    honours: list[str]
    activities: list[str]


def read_templates() -> Templates:
    def by_kind(name: str) -> dict[str, list[str]]:
        kinds: dict[str, list[str]] = {}
        for kind, template in read_rows(TEMPLATES / name):
            kinds.setdefault(kind, []).append(template)
        return kinds

    lines = read_rows(TEMPLATES / "boilerplate.tsv")
    return Templates(by_kind("sentences.tsv"), by_kind("headlines.tsv"),
                     [line for where, line in lines if where == "top"],
                     [line for where, line in lines if where == "bottom"],
                     read_words(TEMPLATES / "fields.txt"), read_words(TEMPLATES / "honours.txt"),
                     read_words(TEMPLATES / "activities.txt"))


# How often a body sentence is of each kind (the lead comes first, always).
BODY_KINDS = {"partnership": 5, "quote": 4, "guidance": 3, "founding": 3, "visit": 2, "filler": 3,
              "award": 1, "donation": 1, "meeting": 1}


class Generator:
    """Article k of the endless sequence for a seed, with what it names."""

    def __init__(self, seed: int = 0, companies: int = COMPANIES):
        self.seed = seed
        self.pools = Pools(seed, companies)
        self.templates = read_templates()
        self._s2t = None

    def article(self, k: int) -> tuple[dict, dict]:
        """The JSON record of article ``k`` and what it used: {"companies": [(full, short)], "persons": [...]}."""
        rng = random.Random(f"kg-corpus:{self.seed}:article:{k}")
        published = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        slots = self._slots(rng, published)
        kinds, sentences = self._body(rng, slots, published)
        title = self._headline(rng, kinds, slots, published)
        source = rng.choice(self.pools.outlets[slots["prov_s"]])
        text = self._page(rng, title, sentences, source, published)
        used = self._used(text, slots, kinds, sentences)
        if rng.random() < TRADITIONAL_SHARE:
            text, title = self.traditional(text), self.traditional(title)
        record = {"text": text, "title": title, "date": published.isoformat(), "source": source,
                  "url": f"https://news.example.com/{published:%Y/%m%d}/{k:07d}.html"}
        return record, used

    def traditional(self, text: str) -> str:
        if self._s2t is None:
            import opencc

            self._s2t = opencc.OpenCC("s2t")
        return self._s2t.convert(text)

    # -- filling the slots ---------------------------------------------------

    def _slots(self, rng: random.Random, published: dt.date) -> dict[str, str]:
        """The names and numbers that stay the same through one article."""
        pools = self.pools
        a = pools.popular(rng)
        b, c = self._others(rng, a)
        city = a.city
        organs = rng.sample(pools.organs, 2)
        values = {"city": city.full, "city_s": city.short, "prov": city.province, "prov_s": city.province_short,
                  "county": rng.choice(city.counties), "zone": a.zone}
        for i, (body, head) in enumerate(organs):
            name = "gov" if i == 0 else "gov2"
            values[name] = body.format(**values)
            values[name + "_head"] = pools.officials[(city.full, body)]
            values[name + "_title"] = head if rng.random() < 0.6 else "副" + head
        values.update(self._company_slots("a", a))
        values.update(self._company_slots("b", b))
        values.update(self._company_slots("c", c))
        values.update(A=a.full, B=b.full, C=c.full, zone_gov=a.zone + "管委会", zone_party=a.zone + "党工委",
                      guide=self._guide(a), business=a.business)
        founded = rng.randint(1998, published.year - 2)
        staff = rng.randint(40, 3000)
        values.update(year=str(founded), party_year=str(rng.randint(founded + 1, published.year)),
                      year2=str(rng.randint(founded, published.year)), staff=str(staff),
                      members=str(rng.randint(3, max(4, staff // 6))))
        return values

    def _others(self, rng: random.Random, a: Company) -> tuple[Company, Company]:
        """Two more companies, distinct from ``a`` and each other (partners, subsidiaries)."""
        found: list[Company] = []
        while len(found) < 2:
            other = self.pools.popular(rng)
            if other is not a and other not in found:
                found.append(other)
        return found[0], found[1]

    def _guide(self, company: Company) -> str:
        """A company keeps its party-building instructor from article to article."""
        return self.pools.guides[hash_index(company.short, GUIDES)]

    @staticmethod
    def _company_slots(key: str, company: Company) -> dict[str, str]:
        head, manager, secretary = company.officers
        sec_title = company.party_kind + "书记"
        return {key: company.short, f"{key}_party": company.short + company.party_kind,
                f"{key}_boss": head, f"{key}_boss_title": company.head_title,
                f"{key}_boss_titles": (sec_title + "、" if company.head_is_secretary else "") + company.head_title,
                f"{key}_mgr": manager, f"{key}_mgr_title": company.manager_title,
                f"{key}_sec": head if company.head_is_secretary else secretary, f"{key}_sec_title": sec_title}

    def _fresh(self, rng: random.Random, published: dt.date) -> dict[str, str]:
        """Numbers, dates and words drawn anew for each sentence."""
        t = self.templates
        fields = rng.sample(t.fields, 2)
        honours = rng.sample(t.honours, 2)
        return {"date": event_date(rng, published), "n": str(rng.randint(2, 30)), "n2": str(rng.randint(3, 60)),
                "n3": str(rng.randint(2, 90) * 100), "n4": str(rng.randint(120, 4000)),
                "n5": str(rng.randint(500, 60000)), "money": str(rng.randint(50, 9000)),
                "money2": str(rng.randint(2, 200)), "pct": str(rng.randint(5, 80)),
                "patents": str(rng.randint(3, 260)), "field": fields[0], "field2": fields[1],
                "honour": honours[0], "honour2": honours[1], "activity": rng.choice(t.activities)}

    # -- sentences and page --------------------------------------------------

    def _body(self, rng: random.Random, slots: dict[str, str], published: dt.date) -> tuple[list[str], list[str]]:
        """The lead, then 3-11 body sentences, no template twice; most articles have a partnership.

        Returns the kinds and the sentences, the body kept within about 300-820 characters.
        """
        unused = {kind: rng.sample(templates, len(templates)) for kind, templates in self.templates.sentences.items()}
        wanted = rng.randint(4, 12)
        kinds = ["partnership"] if rng.random() < 0.65 else []
        while len(kinds) < wanted - 1:
            kind = rng.choices(list(BODY_KINDS), list(BODY_KINDS.values()))[0]
            if kinds.count(kind) < len(unused[kind]):
                kinds.append(kind)
        rng.shuffle(kinds)
        kinds.insert(0, "lead")
        sentences = [self._sentence(rng, unused[kind].pop(), slots, published) for kind in kinds]
        while len(sentences) < 12 and sum(map(len, sentences)) < MIN_BODY:
            kind = rng.choice([k for k in BODY_KINDS if unused[k]])
            kinds.append(kind)
            sentences.append(self._sentence(rng, unused[kind].pop(), slots, published))
        while len(sentences) > 4 and sum(map(len, sentences)) > MAX_BODY:
            kinds.pop()
            sentences.pop()
        return kinds, sentences

    def _sentence(self, rng: random.Random, template: str, slots: dict[str, str], published: dt.date) -> str:
        return template.format_map({**slots, **self._fresh(rng, published)})

    def _headline(self, rng: random.Random, kinds: list[str], slots: dict[str, str], published: dt.date) -> str:
        headlines = self.templates.headlines
        choices = [h for kind in dict.fromkeys(kinds) for h in headlines.get(kind, [])] or headlines["generic"]
        if rng.random() < 0.3:
            choices = headlines["generic"]
        return rng.choice(choices).format_map({**slots, **self._fresh(rng, published)})

    def _page(self, rng: random.Random, title: str, sentences: list[str], source: str, published: dt.date) -> str:
        """The article as scraped: maybe a breadcrumb, title, info line, byline, paragraphs, page footer."""
        t = self.templates
        reporter, correspondent, editor = rng.sample(self.pools.journalists, 3)
        lines: list[str] = []
        if rng.random() < 0.25:
            lines.append(rng.choice(t.top))
        if rng.random() < 0.3:
            lines.append(title)
        if rng.random() < 0.4:
            clock = f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
            lines.append(f"来源：{source} 编辑：{editor} {published.isoformat()} {clock}")
        paragraphs = split_paragraphs(rng, sentences)
        byline = rng.random()
        if byline < 0.55:
            paragraphs[0] = f"{source}讯（记者 {reporter} 通讯员 {correspondent}）" + paragraphs[0]
        elif byline < 0.8:
            lines.append(f"记者 {reporter} 通讯员 {correspondent}")
        if rng.random() < NO_PUNCTUATION_SHARE:
            paragraphs = [drop_punctuation(rng, p) for p in paragraphs]
        lines.extend(paragraphs)
        if rng.random() < 0.3:
            footer = rng.sample(t.bottom, rng.randint(1, 3))
            lines.extend(line.format(editor=editor, source=source) for line in footer)
        return "\n".join(lines)

    @staticmethod
    def _used(text: str, slots: dict[str, str], kinds: list[str], sentences: list[str]) -> dict:
        """What the text names (before any Traditional conversion), for tests that check extraction.

        ``partners`` are the (short, short) company pairs that a partnership sentence links.
        """
        companies = [(slots[k.upper()], slots[k]) for k in "abc" if slots[k] in text or slots[k.upper()] in text]
        persons = sorted({slots[k] for k in ("a_boss", "a_mgr", "a_sec", "b_boss", "guide", "gov_head", "gov2_head")
                          if slots[k] in text})
        partners = {(slots["a"], slots[k]) for kind, sentence in zip(kinds, sentences) if kind == "partnership"
                    for k in "bc" if slots[k] in sentence and slots[k + "_party"] not in sentence}
        return {"companies": companies, "persons": persons, "partners": sorted(partners)}


def hash_index(text: str, size: int) -> int:
    """A stable index for ``text`` (Python's hash() changes from run to run)."""
    return zlib.crc32(text.encode("utf-8")) % size


def event_date(rng: random.Random, published: dt.date) -> str:
    """An event date up to three years before ``published``, written as news does (absolute or relative)."""
    style = rng.random()
    if style < 0.08:
        return rng.choice(("昨日", "近日", "日前"))
    if style < 0.3 and published.month > 1:
        return f"今年{rng.randint(1, published.month - 1)}月"
    if style < 0.4:
        return f"去年{rng.randint(1, 12)}月"
    day = published - dt.timedelta(days=rng.randint(1, 3 * 365))
    if style < 0.75:
        return f"{day.year}年{day.month}月"
    return f"{day.year}年{day.month}月{day.day}日"


def split_paragraphs(rng: random.Random, sentences: list[str]) -> list[str]:
    """Group sentences into one to four paragraphs, keeping their order."""
    count = min(len(sentences), rng.randint(1, 4))
    cuts = sorted(rng.sample(range(1, len(sentences)), count - 1)) if count > 1 else []
    bounds = [0, *cuts, len(sentences)]
    return ["".join(sentences[i:j]) for i, j in zip(bounds, bounds[1:])]


def drop_punctuation(rng: random.Random, paragraph: str) -> str:
    """Lose most full stops and some commas, as pages scraped from some sites do."""
    out = []
    for char in paragraph:
        if char == "。" and rng.random() < 0.7:
            continue
        out.append(" " if char == "，" and rng.random() < 0.3 else char)
    return "".join(out)


# -- writing ---------------------------------------------------------------------


def generate(n: int, seed: int = 0, start: int = 0, generator: Generator | None = None) -> Iterator[dict]:
    """Records of articles ``start`` .. ``start + n - 1``."""
    generator = generator or Generator(seed)
    for k in range(start, start + n):
        yield generator.article(k)[0]


def write(path: Path, n: int, seed: int = 0, start: int = 0) -> tuple[int, int]:
    """Write the articles to ``path`` (gzip if it ends in .gz, fixed header: same bytes every run).

    Returns (articles, characters of text).
    """
    chars = 0
    with open(path, "wb") as raw:
        out = (gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0)
               if path.name.endswith(".gz") else raw)
        with io.TextIOWrapper(out, encoding="utf-8", newline="\n") as text:
            for record in generate(n, seed, start):
                chars += len(record["text"])
                text.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n, chars


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many articles")
    parser.add_argument("-o", "--output", type=Path, required=True, help="out.jsonl.gz (or out.jsonl)")
    parser.add_argument("--seed", type=int, default=0, help="another seed gives other companies and persons")
    parser.add_argument("--start", type=int, default=0, help="index of the first article (default 0)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.start < 0:
        parser.error("N must be at least 1 and --start not negative")
    n, chars = write(args.output, args.n, args.seed, args.start)
    print(f"{n} articles, {chars} characters -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()

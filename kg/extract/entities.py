"""Find typed names in a sentence: places, organisations, party bodies, persons.

Rules work over jieba tokens and the shipped lexicons; none of them knows a
particular company or person. A name is found from its shape (an organisation
suffix, a party-body word, a gazetteer entry) or its context (a title before a
person's name, 说/表示 after it, a byline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..lexicons import Lexicons
from ..model import Mention, Token
from ..segment import sub_words, word_frequency

# Tokens that end a name when walking left from a suffix.
FUNCTION_WORDS = frozenset(
    "的 在 和 与 及 是 有 为 了 将 对 向 从 由 被 把 让 给 也 都 还 已 即 并 等 或 以 于 就 这 那 其 该 各 每 "
    "之 上 下 内 外 里 时 后 前 个 名 位 家 让 帮 经 据 跟 同 且 而 则 又 再 更 最 很 能 会 要 可 "
    "及其 以及 通过 经过 成为 作为 对于 关于 其中 包括 来自 位于 担任 出任 当选 我们 他们 她们 目前 如今 "
    "近年来 近日 当天 当日 同时 此外 另外 随后 今年 去年 昨天 昨日 今天 今日 同年 次年 本报讯 本报 记者 "
    "全省 全市 全区 全县 全国 全体 各级 许多 很多 一些 多家 多个 这些 那些 带领 联合 协调 积极 依托 推动 "
    "组织 围绕 助力 支持 采访 发起 成立 组建 设立 挂牌 召开 举行 举办 参加 出席 参与 签署 签约 携手 共建 "
    "结对 走访 调研 考察 指导 帮扶 派驻 入驻 对接 得知 了解 认为 表示 介绍 告诉 说 讲 称 强调 指出 代表 "
    "当选 兼任 分别 相继 先后 均 已经 正在 正 把 将其 之一 下称 简称 以下简称 统称 俗称 变为 改为 转为 变成 化为 为例".split())
# Counted or pointing words (首家, 一家, 多个, 该所) end a name when walking left.
COUNTED = re.compile(r"^(首|一|两|二|三|几|多|各|每|这|那|该|本|此|某|全)(家|个|名|位|批|所|级|支)$")
NAME_POS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng", "m", "vn", "an", "l", "nuser",
                      "x_alnum", "b", "a", "s", "ng", "g", "v", "vg", "z", "zg"})
GENERIC_HEADS = ("企业", "公司", "平台", "单位", "机构", "组织", "品牌", "企业家", "集团")
ZONE = re.compile(r"(高新技术产业开发区|经济技术开发区|高新区|经开区|开发区|自贸区|保税区|新区|工业园区|工业园|产业园|"
                  r"软件园|科技园|科学城|创新城|智慧城)(二期|三期|一期)?")
DATE_LIKE = re.compile(r"^(\d{1,4}|[一二三四五六七八九十〇零]+)(年|月|日|号|时|分)?$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿几多首半数]")  # jieba tags unknown words m too
PROPER = ("nr", "ns", "nt", "nz", "nrt", "nrfg", "j")
NATIONAL = ("中央", "国家", "国务院", "全国")  # the national level names organs as a place does (中央编办)
COMMON = 500  # jieba dictionary frequency above which a word is everyday vocabulary
PLURAL_PLACES = re.compile(r"各|县市区|县市|市县|区县|县区|市区县|乡镇|镇街")  # "某州各县市", "援建县市区": many places, no name
DOCTRINE = re.compile(r"新时代|思想|理论|精神|同志重要")  # a leader's name inside a doctrine's title
SPEECH = ("说", "表示", "介绍", "告诉", "指出", "坦言", "认为", "强调", "透露", "回忆", "笑着说")


@dataclass(frozen=True)
class SentenceContext:
    """What the entity rules look at: the sentence, its tokens and the lexicons."""

    text: str  # the whole document text
    start: int
    end: int
    index: int
    tokens: list[Token]
    lex: Lexicons
    barriers: frozenset[int] = frozenset()  # offsets a name may not start before (ends of persons)


def find_mentions(ctx: SentenceContext) -> list[Mention]:
    """All entity mentions in one sentence, overlaps settled (longer and stronger win)."""
    persons = _persons(ctx)
    # A person found from a title or speech verb ends any name walking left into it.
    ctx = replace(ctx, barriers=frozenset(p.end for p in persons if p.confidence >= 0.75))
    found: list[Mention] = []
    found += _places(ctx)
    found += _organisations(ctx, found)
    found += _party_bodies(ctx, found)
    found += _departments(ctx, found)
    found += _listed_companies(ctx)
    found += _partner_slots(ctx)
    found += _title_slots(ctx)
    found += _appositions(ctx)
    found += _company_lists(ctx, found)
    found += persons
    found += _user_terms(ctx)
    return settle(found)


def settle(mentions: list[Mention]) -> list[Mention]:
    """Drop mentions inside a longer one, except owners kept on purpose; dedupe; sort by offset."""
    ranked = sorted(set(mentions), key=lambda m: (-(m.end - m.start), -m.confidence, m.start, m.label, m.name))
    kept: list[Mention] = []
    for m in ranked:
        clash = False
        for k in kept:
            if m.start >= k.start and m.end <= k.end:
                if m.rule == "owner" and k.label in ("PartyOrganization", "GovernmentOrganization") \
                        and m.start == k.start:
                    continue
                clash = True
                break
            if m.start < k.end and k.start < m.end:  # partial overlap: the longer one (kept) wins
                clash = True
                break
        if not clash:
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.end, m.label))


def _mention(ctx: SentenceContext, start: int, end: int, label: str, conf: float, rule: str,
             name: str | None = None, aliases: tuple[str, ...] = ()) -> Mention:
    surface = ctx.text[start:end]
    return Mention(start, end, surface, label, ctx.index, clean_name(name or surface), conf, rule,
                   tuple(clean_name(a) for a in aliases))


def clean_name(name: str) -> str:
    """Strip spaces, quotes and stray punctuation from a name."""
    name = re.sub(r"[\s“”\"'《》「」『』【】]", "", name)
    return name.strip("·・-_,.;:、")


# -- places ------------------------------------------------------------------


def _places(ctx: SentenceContext) -> list[Mention]:
    out = []
    toks = ctx.tokens
    for i, tok in enumerate(toks):
        place = ctx.lex.place(tok.text)
        if place is None or len(tok.text) < 2:
            continue
        if place.level == "county" and len(tok.text) == 2 and word_frequency(tok.text) > 200 \
                and not (i and ctx.lex.place(toks[i - 1].text)):
            continue  # 城区, 矿区, 郊区: districts so named are everyday words unless their city comes first
        start, end = tok.start, tok.end
        # Join a run of places (株洲市茶陵县) and a zone word after them (长沙高新区).
        j = i + 1
        while j < len(toks) and ctx.lex.place(toks[j].text) and _is_below(ctx.lex, toks[j].text, toks[j - 1].text):
            end = toks[j].end
            j += 1
        zone = ZONE.match(ctx.text, end, ctx.end)
        if zone:
            end = zone.end()
        nxt = toks[j] if j < len(toks) else None
        if place.level == "country" and not zone and nxt is not None and nxt.pos in ("n", "nz", "nt", "j", "vn") \
                and j == i + 1:
            continue  # 中国特色, 中国城乡: the country qualifies a noun, it is not a location here
        conf = 0.9 if place.level in ("province", "prefecture", "country", "region") or zone else 0.75
        tail = ctx.text[toks[j - 1].start:end] if j > i + 1 else None
        out.append(_mention(ctx, start, end, "Place", conf, "gazetteer", aliases=(tail,) if tail else ()))
    for m in ZONE.finditer(ctx.text, ctx.start, ctx.end):  # 高新区 alone, or after an unknown name
        if any(p.end == m.end() for p in out):
            continue  # a known place plus its zone word: found above
        start = _trim_common(ctx, _name_start(ctx, m.start(), max_len=6), m.start())
        if start < m.start() or ctx.text[m.start():m.end()] in ("高新区", "经开区", "开发区"):
            city = next((p for p in out if p.end == start and p.rule == "gazetteer"), None)
            if city is not None and start < m.start():  # 鄂尔多斯蒙苏经济开发区: one place, named with its city
                out.remove(city)
                out.append(_mention(ctx, city.start, m.end(), "Place", 0.7, "zone",
                                    aliases=(ctx.text[start:m.end()],)))
            else:
                out.append(_mention(ctx, start, m.end(), "Place", 0.7, "zone"))
    out += _districts(ctx, out)
    out += _townships(ctx, out)
    return out


def _districts(ctx: SentenceContext, places: list[Mention]) -> list[Mention]:
    """A district or county the gazetteer does not list (renamed or merged since),
    written right after its city: 某某市旧名区. The short form is kept as an alias."""
    out = []
    for p in places:
        place = ctx.lex.place(p.name)
        if place is None or place.level not in ("prefecture", "province"):
            continue  # a city, or a municipality (北京市崇文区)
        tok = next((t for t in ctx.tokens if t.start == p.end), None)
        if tok is None or tok.pos != "ns" or not 3 <= len(tok.text) <= 4 or tok.text[-1] not in "区县" \
                or ctx.lex.place(tok.text) or ZONE.search(tok.text) or _everyday(tok.text[:-1]):
            continue
        out.append(_mention(ctx, p.start, tok.end, "Place", 0.7, "district", aliases=(tok.text,)))
    return out


TOWNSHIP = re.compile(r"街道|社区|苏木|嘎查|镇|乡|村")
_NOT_HEAD_POS = ("p", "c", "u", "d", "v", "r", "m", "q", "f", "t")


def _townships(ctx: SentenceContext, places: list[Mention]) -> list[Mention]:
    """Towns, townships, streets and villages the gazetteer does not list: 桂园街道, 石塘镇, X村.

    The name before the ending is two or three characters on a word boundary that
    is not an everyday word (城镇, 农村 and 小镇 are not names); one rare character
    may name a village. A listed place right before it is kept in the name
    (安吉县溪龙乡), with the short form as an alias."""
    out = []
    starts = {t.start: t for t in ctx.tokens}
    for m in TOWNSHIP.finditer(ctx.text, ctx.start, ctx.end):
        at, suffix = m.start(), m.group()
        if ctx.text[at - 1:at] == suffix or suffix == "村" and ctx.text[at - 2:at] == "嘎查":
            continue  # X村村党支部: the second 村 belongs to 村党支部; 嘎查村 is "villages"
        for length in (5, 4, 3, 2, 1):
            if length > 3 and not _transliterated(ctx, at - length, at):
                continue
            head = ctx.text[at - length:at]
            first = starts.get(at - length)
            if at - length < ctx.start or first is None or not all(_HAN.match(c) for c in head):
                continue
            if length == 1 and (suffix != "村" or word_frequency(head) > 50):
                continue
            if first.pos.startswith(_NOT_HEAD_POS) and (len(first.text) == 1 or _common(first.text)) and length > 1:
                continue
            lead = sub_words(head)[0]
            if length > 1 and len(lead) >= 2 and (_common(lead) or word_frequency(head[-1]) <= 50 < word_frequency(lead)):
                continue  # 推动X村, 清风X村: a word in front of a one-character village name
            if head[-1] in "镇乡村道区" or head in FUNCTION_WORDS or head in ctx.lex.titles or \
                    word_frequency(head + suffix) > 50 or length > 1 and _everyday(head):
                continue
            parent = min((p for p in places if p.end == at - length and p.rule != "district"),
                         key=lambda p: p.start, default=None)  # an unlisted district stays a place of its own
            start = parent.start if parent is not None else at - length
            tail = ctx.text[at - length:m.end()]
            aliases = (tail,) if parent is not None else ()
            out.append(_mention(ctx, start, m.end(), "Place", 0.7, "township", aliases=aliases))
            break
    return out


def _transliterated(ctx: SentenceContext, start: int, end: int) -> bool:
    """A long place name spelled out from Mongolian, Uyghur or Tibetan (阿勒腾席热):
    on word boundaries, made of words jieba barely knows."""
    toks = [t for t in ctx.tokens if t.start < end and start < t.end]
    return bool(toks) and toks[0].start == start and all(_HAN.match(c) for c in ctx.text[start:end]) \
        and not NUMERAL.search(ctx.text[start:end]) \
        and all(word_frequency(t.text) < 100 for t in toks) and not ctx.lex.place(toks[0].text)


def _is_below(lex: Lexicons, child: str, parent: str) -> bool:
    parents = {p.name for p in lex.places.get(parent, [])}
    return any(p.parent in parents for p in lex.places.get(child, []))


# -- organisations -----------------------------------------------------------


def _organisations(ctx: SentenceContext, places: list[Mention]) -> list[Mention]:
    out = []
    sentence = ctx.text[ctx.start:ctx.end]
    taken: list[tuple[int, int]] = []
    pending: list[tuple[int, int, str]] = []
    for suffix, label, strength in ctx.lex.org_suffixes:
        if suffix not in sentence:
            continue
        for m in re.finditer(re.escape(suffix), sentence):
            s_start, s_end = ctx.start + m.start(), ctx.start + m.end()
            if any(a <= s_start < b for a, b in taken):
                continue
            if strength == "industry" and not _token_boundary(ctx, s_start, s_end):
                continue
            if len(suffix) == 1 and _inside_common_word(ctx, s_start):
                continue  # 格局, 大局, 董事局主席: the character ends an ordinary word, not a name
            start = _name_start(ctx, s_start, max_len=16 if strength == "legal" else 4)
            if strength == "legal":
                longer = _name_start(ctx, s_start, max_len=16, lenient=True)
                first = next((t for t in ctx.tokens if t.start == longer), None)
                if longer < start and first is not None and (first.pos in PROPER or ctx.lex.place(first.text)):
                    start = longer
            start = max([start] + [b for a, b in taken if start < b <= s_start])
            start = min([start] + [p.start for p in places if p.end == s_start and p.start < start])
            start = _trim_common(ctx, start, s_start)
            head = ctx.text[start:s_start]
            common = _all_common(ctx, start, s_start)
            if common and strength == "legal" and label == "Organization" and ctx.text[start - 1] != "、":
                pending.append((start, s_end, label))  # a school or lab named by its field: needs a parent
                continue
            if not _good_head(ctx, head, strength) or common or _verb_head(ctx, start, s_start):
                continue
            if suffix in _PLAIN_KINDS and not _distinctive(ctx, start, s_start, places):
                continue  # 牧民合作社, 职业学校: a kind of body, not one body's name
            if strength == "industry" and _trade_phrase(ctx, start, s_start, s_end):
                continue
            conf = 0.85 if strength == "legal" else 0.75  # trade endings: 30 right in 33 on dev and a/b
            if strength == "legal" and label == "Company" and len(head) >= 4:
                conf = 0.9
            out.append(_mention(ctx, start, s_end, label, conf, f"suffix:{strength}"))
            taken.append((start, s_end))
    return _units(ctx, out, pending)


_PLAIN_KINDS = ("合作社", "学校")


def _distinctive(ctx: SentenceContext, start: int, end: int, places: list[Mention]) -> bool:
    """The words before a plain kind of body include a place, a rare word, or the
    name of a village the sentence names (龙凤村 … 龙凤茶叶专业合作社)."""
    words = [t for t in ctx.tokens if start <= t.start and t.end <= end]
    named = {re.sub(r"(村|镇|乡|社区|街道|嘎查)$", "", p.name) for p in places}
    return any(ctx.lex.place(t.text) or word_frequency(t.text) < 100 for t in words) or \
        any(len(n) >= 2 and ctx.text.startswith(n, start) for n in named)


def _units(ctx: SentenceContext, found: list[Mention], pending: list[tuple[int, int, str]]) -> list[Mention]:
    """A school or centre named by its field, written right after the organisation
    it belongs to, is named with it (X大学食品与营养学院)."""
    parent_at = {m.end: m for m in found}
    out = list(found)
    for start, end, label in pending:
        parent = parent_at.get(start)
        if parent is not None and not title_at(ctx.tokens, ctx.lex, end):
            out.append(_mention(ctx, parent.start, end, label, 0.8, "suffix:unit"))
    return out


def _inside_common_word(ctx: SentenceContext, at: int) -> bool:
    word = next((t for t in ctx.tokens if t.start <= at < t.end), None)
    if word is not None and len(word.text) > 1 and (
            word.start == at and word.text[1:] in ctx.lex.titles  # 局局长: the organ, then its head
            or word.end == at + 1 and len(word.text) >= 3 and word_frequency(word.text[:-1]) > COMMON):
        return False  # 保障局: an everyday word, then the organ's ending
    return word is not None and len(word.text) > 1 and (
        word_frequency(word.text) > 0 and word.pos not in PROPER
        or word_frequency(word.text) >= 20 and word.pos != "nt" or word.pos == "nnt")


def title_at(tokens: list[Token], lex: Lexicons, at: int) -> bool:
    """A title starts at ``at`` (not one that starts with a party body: X学院党委书记)."""
    return any(t.start == at and t.text in lex.titles and not t.text.startswith(("党", "纪委", "支部"))
               for t in tokens)


def units_before_titles(text: str, mentions: list[Mention], tokens: list[Token], lex: Lexicons) -> list[Mention]:
    """Drop a unit written between an organisation and a title: in X公司材料研究所所长
    the unit is part of the post held at X, not an organisation of its own."""
    orgs = [m for m in mentions if m.label in ("Company", "Organization", "GovernmentOrganization")]
    return [m for m in mentions if not (
        m.rule == "suffix:legal" and title_at(tokens, lex, m.end) and
        any(p.end <= m.start and re.fullmatch(r"[\u4e00-\u9fff]{0,6}", text[p.end:m.start]) for p in orgs))]


def _trade_phrase(ctx: SentenceContext, start: int, s_start: int, s_end: int) -> bool:
    """A trade word after ordinary words is a phrase, not a short company name:
    货车司机建设, 产线建设 (the trade word used as an action), X村农业, or an item of
    a list of topics (红色文化、旅游文化、X文化)."""
    head = [t for t in ctx.tokens if start <= t.start and t.end <= s_start]
    trade = next((t for t in ctx.tokens if t.start == s_start), None)
    if any(len(t.text) >= 2 and word_frequency(t.text) >= 100 and t.pos not in ("nr", "ns", "nt", "nz") for t in head):
        return True
    if trade is not None and trade.pos in ("v", "vn") and head and head[-1].pos == "n":
        return True
    if ctx.text[s_start - 1] in "村镇乡":
        return True
    left = max(ctx.text.rfind(p, ctx.start, start) for p in "，,。；;：:!！?？")
    right = min([i for i in (ctx.text.find(p, s_end, ctx.end) for p in "，,。；;：:!！?？") if i >= 0] + [ctx.end])
    clause = ctx.text[max(left + 1, ctx.start):right]
    if "、" not in clause:
        return False
    trades = tuple(sx for sx, _, st in ctx.lex.org_suffixes if st == "industry")
    for item in clause.split("、"):
        item = re.split(r"等|和|及", item)[0]
        for sx in trades:
            if item.endswith(sx) and len(item) > len(sx) and _everyday(item[-len(sx) - 2:-len(sx)]):
                return True  # a sibling like 红色文化 shows the list is of topics
    return False


def _token_boundary(ctx: SentenceContext, start: int, end: int) -> bool:
    """The suffix is a whole word, and the next word does not continue a common noun (信息产业)."""
    starts = {t.start for t in ctx.tokens}
    ends = {t.end for t in ctx.tokens}
    if start not in starts or end not in ends:
        return False
    nxt = next((t for t in ctx.tokens if t.start == end), None)
    return nxt is None or not _HAN.match(nxt.text) or nxt.pos in ("x", "nparty", "nnt", "v", "p", "c", "uj", "ul", "d", "f") or \
        nxt.text in ("等", "与", "和", "、", "联合", "成为", "党员")


def _verb_head(ctx: SentenceContext, start: int, end: int) -> bool:
    """写入公司章程, 认购公司股份: a verb before 公司, not a name."""
    toks = [t for t in ctx.tokens if start <= t.start and t.end <= end]
    return len(toks) == 1 and toks[0].pos in ("v", "vd") and word_frequency(toks[0].text) > 0


def _good_head(ctx: SentenceContext, head: str, strength: str) -> bool:
    if len(head) < 2 or head in ctx.lex.generic or not _HAN.search(head + "a") or DATE_LIKE.match(head) \
            or PLURAL_PLACES.search(head) or re.match(r"[一二三四五六七八九十0-9]+期", head):
        return False  # 三期物业公司: "the phase-three property company", not a name
    place = next((head[:i] for i in range(len(head) - 1, 1, -1) if ctx.lex.place(head[:i])), None)
    if place and head[len(place):] in ctx.lex.generic:
        return False  # 台湾上市公司, 浙江民营企业: a place and a description, not a name
    if head.endswith(GENERIC_HEADS) and strength == "industry":
        return False
    if strength == "industry" and ctx.lex.place(head):
        return False  # 湖南农业, 柘岭村农业: a place and a trade, not a name
    if strength == "industry":
        # A trade word after a common word (电子信息, 网络安全) is not a company name.
        return word_frequency(head) < 200 and not any(head.endswith(s) for s, _, st in ctx.lex.org_suffixes
                                                       if st == "industry")
    return True


def _name_start(ctx: SentenceContext, at: int, max_len: int, lenient: bool = False) -> int:
    """Walk left from ``at`` over name-like tokens; return where the name starts.

    ``lenient`` also crosses everyday verbs (建设, 发展), which full legal names
    contain (中国能源建设集团有限公司); callers keep that longer start only when
    it lands on a place or a proper noun."""
    start = at
    inner = _gloss_before(ctx, at)
    if inner is not None:
        start = at = inner  # X商务区(SBD)商会: walk on past the brackets
    inside = next((t for t in ctx.tokens if t.start < at < t.end), None)
    if inside is not None:  # jieba kept the name and the suffix in one word (南昌大学)
        if inside.pos in ("x",) or ctx.text[inside.start:at] in FUNCTION_WORDS:
            return at
        start = inside.start
    joined = False  # the token before a name-internal 与 belongs to the name whatever it is
    for tok in reversed([t for t in ctx.tokens if t.end <= start]):
        if tok.end > start:
            continue  # inside brackets already crossed
        inner = _gloss_before(ctx, start) if start < at else None
        if inner is not None:
            start = inner  # 格力(石家庄)智能: the brackets belong to the name
            if tok.end > start:
                continue
        if tok.end != start or at - tok.start > max_len or tok.end in ctx.barriers:
            break
        last_of_name = tok.end == at and len(tok.text) == 1 and tok.pos == "v" and _short_form_before(ctx, tok)
        after_and = any(t.start == tok.end and _noun_and(ctx, t) for t in ctx.tokens)
        if not (joined or after_and or _name_like(tok, ctx.lex) or lenient and _lenient_name_like(tok, ctx.lex)
                or last_of_name or _noun_di(ctx, tok) or _noun_and(ctx, tok) or _bound_character(ctx, tok)):
            break
        joined = _noun_and(ctx, tok)
        if _split_wrongly(ctx, tok):
            start = tok.start + 1  # 派驻华晟: jieba glued the end of a word to the next one
            break
        start = tok.start
    if joined:
        start = next(t.end for t in ctx.tokens if t.start == start)  # never start on 与
    if ctx.text.startswith("中共", start) and at - start >= 4:
        start += 2  # 中共X党委: the party prefix is not part of the name
    # Never start on a digit run that is a date or count (2019年10月, 10余家).
    while start < at and ctx.text[start] in "0123456789年月日余多家个名":
        if re.match(r"\d+[a-zA-Z\u4e00-\u9fff]", ctx.text[start:at]) and not re.match(r"\d+[年月日余多家个名]", ctx.text[start:at]):
            break
        start += 1
    return start


def _gloss_before(ctx: SentenceContext, at: int) -> int | None:
    """Where "(SBD)" or "(石家庄)" ending at ``at`` opens, when a name-like word stands before it."""
    gloss = re.search(r"[(（]([A-Za-z0-9]{2,8}|[\u4e00-\u9fff]{2,4})[)）]$", ctx.text[max(ctx.start, at - 10):at])
    if gloss and (gloss.group(1).isascii() or ctx.lex.place(gloss.group(1))):
        opens = at - len(gloss.group())
        if any(t.end == opens and _name_like(t, ctx.lex) for t in ctx.tokens):
            return opens
    return None


def _split_wrongly(ctx: SentenceContext, tok: Token) -> bool:
    """An unknown word whose first character completes the word before it (派 + 驻华晟 → 派驻 + 华晟)."""
    if len(tok.text) < 2:
        return False
    before = next((t for t in ctx.tokens if t.end == tok.start), None)
    if before is None:
        return False
    glued = before.text + tok.text[0]
    if glued in FUNCTION_WORDS or glued in ctx.lex.triggers:
        return True  # 派 + 驻华晟 → 派驻 + 华晟
    return word_frequency(tok.text) == 0 and word_frequency(glued) > 50


def _bound_character(ctx: SentenceContext, tok: Token) -> bool:
    """多 in 好柿多: a character jieba reads as a numeral, right after a lone
    character of a name, is part of the name (numerals follow numbers, not nouns)."""
    if len(tok.text) != 1 or tok.pos != "m" or tok.text.isdigit():
        return False
    before = next((t for t in ctx.tokens if t.end == tok.start), None)
    return before is not None and len(before.text) == 1 and _HAN.match(before.text) is not None \
        and before.text not in FUNCTION_WORDS and not before.pos.startswith(("m", "q", "d", "r", "p", "c", "u"))


def _noun_di(ctx: SentenceContext, tok: Token) -> bool:
    """地 between two nouns is the noun "land" inside a name (金天地服装), not the adverb marker."""
    if tok.text != "地":
        return False
    before = next((t for t in ctx.tokens if t.end == tok.start), None)
    after = next((t for t in ctx.tokens if t.start == tok.end), None)
    return before is not None and after is not None and before.pos in ("n", "nz", "nr", "ns") \
        and after.pos in ("n", "nz", "nt")


def _noun_and(ctx: SentenceContext, tok: Token) -> bool:
    """与 or 和 between two plain nouns is part of a name (食品与营养学院, 物流与采购联合会,
    工业和信息化局); between proper names it joins two names (华为与腾讯)."""
    if tok.text not in ("与", "和"):
        return False
    before = next((t for t in ctx.tokens if t.end == tok.start), None)
    after = next((t for t in ctx.tokens if t.start == tok.end), None)
    if tok.text == "和" and after is not None and any(after.text == s for s, _, _ in ctx.lex.org_suffixes):
        return False  # 活动室和集团: two things, the second an organisation's ending
    return before is not None and after is not None and len(before.text) >= 2 and len(after.text) >= 2 \
        and before.pos in ("n", "vn") and after.pos in ("n", "vn", "v") and not ctx.lex.place(before.text)


def _trim_common(ctx: SentenceContext, start: int, end: int) -> int:
    """Drop leading common words (事迹, 汇报, 困难) that the left walk took in; places stay."""
    toks = [t for t in ctx.tokens if start <= t.start and t.end <= end]
    first = start
    while len(toks) > 1 and toks[0].text not in ctx.lex.places and toks[0].text not in NATIONAL \
            and word_frequency(toks[0].text) > COMMON \
            and len(toks[0].text) > 1 and toks[0].pos not in PROPER and not toks[0].text.isascii() \
            and not _noun_and(ctx, toks[1]) and not ZONE.fullmatch(toks[1].text):  # 软件产业园: a park named by its trade
        toks = toks[1:]
        first = toks[0].start
    return first


def _all_common(ctx: SentenceContext, start: int, end: int) -> bool:
    """A head made only of everyday words (互联网游戏) describes, it does not name."""
    toks = [t for t in ctx.tokens if start <= t.start and t.end <= end]
    if len(toks) >= 2 and all(len(t.text) == 1 and t.text not in FUNCTION_WORDS for t in toks):
        return False  # 绿 禾: single characters jieba could not join are a name, not everyday words
    return bool(toks) and toks[0].text not in ctx.lex.places and toks[0].text not in NATIONAL and all(
        word_frequency(t.text) > COMMON and t.pos not in ("nr", "ns", "nt", "nz") for t in toks)


def _short_form_before(ctx: SentenceContext, tok: Token) -> bool:
    """A rare abbreviation stands right before ``tok`` (中能 before 建 in 中能建集团)."""
    prev = next((t for t in ctx.tokens if t.end == tok.start), None)
    return prev is not None and prev.pos in ("j", "nz", "nt") and not _common(prev.text)


def _lenient_name_like(tok: Token, lex: Lexicons) -> bool:
    word = tok.text
    return tok.pos in ("v", "vn") and len(word) >= 2 and word not in FUNCTION_WORDS and word not in lex.triggers \
        and word not in lex.titles


def _names_something(ctx: SentenceContext, start: int, end: int) -> bool:
    """An owner in front of a party body is a noun phrase: it does not end in a verb
    (改成党委, 做党委) and is not a phrase of everyday words (大力加强党委)."""
    toks = [t for t in ctx.tokens if start <= t.start and t.end <= end]
    if PLURAL_PLACES.search(ctx.text[start:end]):
        return False
    rest = "".join(t.text for t in toks if not ctx.lex.place(t.text))
    if not toks or all(_everyday(t.text) for t in toks) and (len(rest) < 5 or rest == "".join(t.text for t in toks)):
        return False  # everyday words name something only as a long run after a place (X市金天地服装市场)
    if any(t.pos in ("nrt", "nrfg", "ns", "nt", "j", "eng") and not _everyday(t.text) or ctx.lex.place(t.text)
           for t in toks):
        return True
    return not toks[-1].pos.startswith(("v", "d", "p", "c", "u", "r"))


def _common(word: str) -> bool:
    return word in FUNCTION_WORDS or word_frequency(word) > COMMON


def _everyday(word: str) -> bool:
    """A common word, or two common words run together (大力+支持), even if jieba lists the pair."""
    if word in FUNCTION_WORDS or word_frequency(word) > COMMON:
        return True
    if len(word) < 4:
        return False
    parts = sub_words(word)
    if len(parts) > 1 and all(len(w) >= 2 for w in parts):
        return all(_everyday(w) for w in parts)
    return any(word_frequency(word[:i]) > COMMON and word_frequency(word[i:]) > COMMON for i in range(2, len(word) - 1))


def _name_like(tok: Token, lex: Lexicons) -> bool:
    word = tok.text
    if word in FUNCTION_WORDS or word in lex.titles or word in lex.triggers or word in lex.generic:
        return False
    if COUNTED.match(word) or tok.pos == "m" and NUMERAL.search(word) and not re.search(r"[0-9A-Za-z]", word):
        return False
    if tok.pos.startswith("v") and len(word) == 1 and word_frequency(word) > 2000:
        return False
    if word.endswith(GENERIC_HEADS) and word not in lex.places:
        return False
    if tok.pos in ("nparty", "nnt", "x") and not word.isalnum():
        return False
    if tok.pos in ("nparty", "nnt"):
        return False
    if DATE_LIKE.match(word) and word[-1] in "年月日号时分":
        return False
    if tok.pos.startswith("v") and len(word) >= 2 and word_frequency(word) > 2000:
        return False
    if word.isascii() and word.isalnum():
        return True
    if tok.pos == "f":
        return re.fullmatch(r"[东南西北前后中][方部]", word) is not None  # 前方指挥部, 东部战区
    return tok.pos in NAME_POS or word in lex.places


# -- party bodies --------------------------------------------------------------


def _party_bodies(ctx: SentenceContext, found: list[Mention]) -> list[Mention]:
    """"<owner><qualifiers><body>": 黔东科技党委, 南宁市物流行业党委, 锦程数智研发党支部.

    The owner is an organisation or place found already and ending at the body
    or at one of its qualifiers, else the name-like words just before it. A
    city's or county's own 党委 (黔南州党委) is a government organ, like 市委."""
    out = []
    sentence = ctx.text[ctx.start:ctx.end]
    pattern = "|".join(re.escape(b) for b in ctx.lex.party_bodies)
    qualifiers = "|".join(re.escape(q) for q in ctx.lex.party_qualifiers)
    qualifier = re.compile(rf"(?:{qualifiers})(?:\((?:{qualifiers})\))?")
    for m in re.finditer(rf"(?:(?:{qualifiers})(?:\((?:{qualifiers})\))?)*(?:{pattern})(?![织员])", sentence):
        b_start, b_end = ctx.start + m.start(), ctx.start + m.end()
        body = m.group()
        if body in ("支部",) or sentence[m.end():m.end() + 2] in ("书记",) and body == "党组":
            continue
        cuts, at = [b_start], b_start
        while (q := qualifier.match(ctx.text, at, b_end)) and q.end() < b_end:
            at = q.end()
            cuts.append(at)
        owner = max((o for o in found if o.end in cuts and o.start < o.end and o.label != "PartyOrganization"),
                    key=lambda o: (o.end - o.start, o.confidence), default=None)
        if owner is None:
            start = _trim_common(ctx, _name_start(ctx, b_start, max_len=10), b_start)
            head = ctx.text[start:b_start]
            after_body = any(ctx.text.endswith(b, ctx.start, start) for b in ctx.lex.party_bodies)
            if len(head) >= 2 and head not in ctx.lex.generic and not DATE_LIKE.match(head) and not after_body \
                    and not _all_common(ctx, start, b_start) and word_frequency(head) <= COMMON \
                    and _names_something(ctx, start, b_start):
                owner = _mention(ctx, start, b_start, _owner_type(ctx, head), 0.75, "owner")  # 26 in 28 right
        if owner is None and re.match(r"行业|产业链", body):
            # "南宁市物流行业党委": a place, the trade in everyday words, the trade's committee
            place = next((p for p in found if p.label == "Place" and 0 < b_start - p.end <= 4
                          and re.fullmatch(r"[\u4e00-\u9fff]+", ctx.text[p.end:b_start])), None)
            if place is not None:
                out.append(_mention(ctx, place.start, b_end, "PartyOrganization", 0.8, "party-body"))
            continue
        if owner is None:
            continue  # "党支部" with no named owner: not an entity (coreference may name it later)
        label = "PartyOrganization"
        if owner.label == "Place" and ctx.text[owner.end:b_end] == "党委" and _county_or_above(ctx.lex, owner.name):
            label = "GovernmentOrganization"
        shared = re.match(r"行业|联合|产业链", ctx.text[owner.end:b_end])
        if shared and owner.rule == "owner" and owner.confidence < 0.85:
            # 鞋服行业党委, 小微鞋企联合党支部: the words before name a trade or a group of
            # firms, not one organisation; a place written before them belongs to the name.
            place = next((p for p in found if p.label == "Place" and p.end == owner.start), None)
            out.append(_mention(ctx, place.start if place else owner.start, b_end, label, 0.8, "party-body"))
            continue
        if owner.label != "Place":  # a place inside a body's name is not an entity of its own
            out.append(Mention(owner.start, owner.end, owner.text, owner.label, ctx.index, owner.name,
                               owner.confidence, "owner"))
        out.append(_mention(ctx, owner.start, b_end, label, 0.85, "party-body"))
    return out


DEPARTMENT = re.compile(r"组织部|宣传部|统战部|政法委|办公室|纪委|监委")


def _departments(ctx: SentenceContext, found: list[Mention]) -> list[Mention]:
    """"黔南州党委组织部", "X公司党委办公室": a department named after the organ it
    belongs to; the organ is kept as the owner so the department can point to it."""
    out = []
    for m in DEPARTMENT.finditer(ctx.text, ctx.start, ctx.end):
        organ = max((o for o in found if o.end == m.start() and o.label in ("GovernmentOrganization", "PartyOrganization")),
                    key=lambda o: o.end - o.start, default=None)
        if organ is None:
            continue
        label = "PartyOrganization" if m.group() == "纪委" else "GovernmentOrganization"
        if m.group() == "办公室" and organ.label == "PartyOrganization":
            continue  # 党委办公室主任: a post inside the body, not an organ of its own
        out.append(Mention(organ.start, organ.end, organ.text, organ.label, ctx.index, organ.name,
                           organ.confidence, "owner"))
        out.append(_mention(ctx, organ.start, m.end(), label, 0.8, "department"))
    return out


_STACKED_ORGAN = re.compile(r"(?<=[、兼])(纪委|监委|党委|党总支|党支部|组织部|宣传部|统战部)"
                            r"(?=常务副书记|副书记|书记|副主任|主任|常委|委员|常务副部长|副部长|部长)")
_ORGAN_END = re.compile(r"(党委|党工委|纪委|监委|[省市州县区旗盟]委)$")


def stacked_organs(text: str, start: int, end: int, index: int, found: list[Mention], lex: Lexicons) -> list[Mention]:
    """"X纪委副书记、监委副主任", "Y党委副书记、纪委书记", "Z县委常委、组织部部长":
    an organ word opening the next title in a list belongs to the same owner as
    the organ before it (X监委, Y纪委, Z县委组织部)."""
    out = []
    for m in _STACKED_ORGAN.finditer(text, start, end):
        clause_start = max(text.rfind(p, start, m.start()) for p in ",，。;；:：")
        organ = m.group()
        before = [o for o in found if clause_start < o.start and o.end < m.start() and o.rule != "owner" and (
            _ORGAN_END.search(o.name) and o.label in ("PartyOrganization", "GovernmentOrganization")
            or organ.startswith("党") and o.label in ("Company", "Organization"))]
        if not before:
            continue
        prev = max(before, key=lambda o: (o.end, o.end - o.start))
        if prev.label in ("Company", "Organization"):  # X董事长兼党委书记: X's own party body
            out.append(Mention(m.start(), m.end(), organ, "PartyOrganization", index, prev.name + organ, 0.7,
                               "stacked-organ"))
            out.append(Mention(m.start(), m.start(), "", prev.label, index, prev.name, prev.confidence, "owner"))
            continue
        if organ.endswith("部"):  # a department of the organ itself
            out.append(Mention(m.start(), m.end(), organ, "GovernmentOrganization", index, prev.name + organ, 0.7,
                               "department"))
            out.append(Mention(m.start(), m.start(), "", prev.label, index, prev.name, prev.confidence, "owner"))
            continue
        base = _ORGAN_END.sub("", prev.name) if re.search("(党委|党工委|纪委|监委)$", prev.name) else prev.name[:-1]
        owner = next((o for o in found if o.rule == "owner" and o.start == prev.start and o.end < prev.end), None)
        if organ == "纪委":
            label = "PartyOrganization"
        elif organ == "监委":
            label = "GovernmentOrganization"
        else:
            place = owner is None and lex.place(base) is not None
            label = "GovernmentOrganization" if place and _county_or_above(lex, base) else "PartyOrganization"
        out.append(Mention(m.start(), m.end(), organ, label, index, base + organ, 0.7, "stacked-organ"))
        if owner is not None and organ != "监委":
            out.append(Mention(m.start(), m.start(), "", owner.label, index, owner.name, owner.confidence, "owner"))
    return out + _village_committees(text, start, end, index, found)


_VILLAGE_COMMITTEE = re.compile(r"(?<=[、兼\s])(村委会|居委会|村民委员会|居民委员会|嘎查委员会)(?=副主任|主任|委员|负责人)")
_VILLAGE_BODY = re.compile(r"(?P<base>.+(?:村|社区|嘎查))(?:党支部|支部|党总支|党委)$")


def _village_committees(text: str, start: int, end: int, index: int, found: list[Mention]) -> list[Mention]:
    """"X村党支部书记、村委会主任Y", "X社区党委书记、居委会主任Y": the committee of the
    village or community whose party body the sentence has just named."""
    out = []
    for m in _VILLAGE_COMMITTEE.finditer(text, start, end):
        body = max((o for o in found if o.end <= m.start() and o.label == "PartyOrganization"
                    and _VILLAGE_BODY.match(o.name)), key=lambda o: o.end, default=None)
        if body is None:
            continue
        base = _VILLAGE_BODY.match(body.name)["base"]
        organ = m.group()
        overlap = next((k for k in (2, 1) if base.endswith(organ[:k])), 0)
        out.append(Mention(m.start(), m.end(), organ, "GovernmentOrganization", index, base + organ[overlap:], 0.7,
                           "stacked-organ"))
    return out


_STOCK_CODE = re.compile(r"([\u4e00-\u9fffA-Za-z0-9]{2,8})[(（](?:\d{3,6}|\d{3,6}\.(?:HK|SZ|SH|hk|sz|sh)|[A-Z]{1,5})[)）]")


def _listed_companies(ctx: SentenceContext) -> list[Mention]:
    """"小米(1810)", "腾讯(00700.HK)": a name with a stock code is a listed company."""
    out = []
    for m in _STOCK_CODE.finditer(ctx.text, ctx.start, ctx.end):
        if any(ctx.text.startswith(sx, m.end()) for sx, _, _ in ctx.lex.org_suffixes):
            continue  # 南部商务区(SBD)商会: an abbreviation inside a name, not a stock code
        start = _name_start(ctx, m.end(1), max_len=8)
        toks = [t for t in ctx.tokens if start <= t.start and t.end <= m.end(1)]
        while toks and (_common(toks[0].text) or toks[0].pos.startswith(("p", "u", "v", "d", "c"))):
            toks = toks[1:]
        if toks and len(ctx.text[toks[0].start:m.end(1)]) >= 2:
            out.append(_mention(ctx, toks[0].start, m.end(1), "Company", 0.8, "stock-code"))
    return out


def _county_or_above(lex: Lexicons, name: str) -> bool:
    place = lex.place(name)
    if place is not None:
        return place.level in ("province", "prefecture", "county")
    return name.endswith(("省", "市", "州", "县", "盟", "旗")) or name.endswith("区") and not ZONE.search(name) \
        and not name.endswith(("社区", "小区", "园区", "矿区", "景区", "街区", "城区"))


def _owner_type(ctx: SentenceContext, head: str) -> str:
    for suffix, label, _ in ctx.lex.org_suffixes:
        if head.endswith(suffix):
            return label
    if ctx.lex.place(head) or ZONE.search(head) or head.endswith(("镇", "村", "街道", "乡", "社区")) or \
            head.endswith(("州", "市", "县", "省")) and ctx.lex.place(head[:-1]):
        return "Place"
    return "Company"


# -- partners named only by context --------------------------------------------

_PARTNER_JOIN = ("与", "同", "和", "成为", "联合", "携手", "经")
_PARTNER_WORDS = re.compile(r"携手|合作|签约|签署|共建|结对|授权|联合")


def _partner_slots(ctx: SentenceContext) -> list[Mention]:
    """"与X携手", "成为X…合作伙伴", "经X授权": X is an organisation even if no suffix says so."""
    out = []
    toks = ctx.tokens
    for i, tok in enumerate(toks[:-1]):
        if tok.text not in _PARTNER_JOIN:
            continue
        nxt = toks[i + 1]
        if re.search(r"(?:镇|乡|村|街道|社区|嘎查|苏木|县|区|市|省|州|旗|盟)$", nxt.text):
            continue  # 与全旺镇结对: a place; its party body or government is the partner
        if not (2 <= len(nxt.text) <= 6) or not _name_like(nxt, ctx.lex) or nxt.text in ctx.lex.places:
            span = _name_in_pieces(ctx, toks, i + 1)
            if span is not None:
                out.append(_mention(ctx, span[0], span[1], "Company", 0.6, "partner-slot"))
            continue
        if i + 2 < len(toks) and toks[i + 2].text == "的":
            continue  # 与驻区的X: a modifier, the partner comes after 的
        if word_frequency(nxt.text) > COMMON or nxt.pos not in ("nr", "nz", "nt", "ns", "eng", "nrt", "nrfg", "n"):
            continue
        clause_end = min([ctx.end] + [m.start() + nxt.end for m in re.finditer(r"[,;。]", ctx.text[nxt.end:ctx.end])])
        if _PARTNER_WORDS.search(ctx.text, nxt.end, clause_end):
            end = nxt.end
            if i + 3 < len(toks) and len(toks[i + 2].text) <= 2 and toks[i + 2].pos in ("n", "nz", "vn", "ng", "ns") \
                    and _HAN.match(toks[i + 2].text) and _SIGNS.match(toks[i + 3].text) \
                    and not (len(toks[i + 2].text) == 2 and ctx.lex.place(toks[i + 2].text)):
                end = toks[i + 2].end  # 与吉利汽车签约, 与腾讯云合作: the trade word is part of the name
            out.append(_mention(ctx, nxt.start, end, "Company", 0.7, "partner-slot"))
    return out


_SIGNS = re.compile(r"签订|签署|签约|合作|共建|结对|携手|合资|达成")


def _name_in_pieces(ctx: SentenceContext, toks, first: int) -> tuple[int, int] | None:
    """"与三一重工签订…": a name jieba cut into pieces, read up to the verb of signing."""
    for k in range(first + 1, min(first + 4, len(toks))):
        if not _SIGNS.match(toks[k].text):
            continue
        pieces = toks[first:k]
        start, end = pieces[0].start, pieces[-1].end
        name = ctx.text[start:end]
        if not (3 <= len(name) <= 6) or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", name) or \
                ctx.lex.place(name) or _everyday(name) or name[0] in ctx.lex.surnames and len(name) <= 3:
            return None
        if any(t.text in FUNCTION_WORDS or t.pos[:1] in ("d", "p", "c", "u", "r", "v") and t.pos != "vn"
               for t in pieces) or all(word_frequency(t.text) >= 100 for t in pieces):
            return None
        return start, end
    return None


def _title_slots(ctx: SentenceContext) -> list[Mention]:
    """"冠岱精机董事长林某": a rare name right before a company title is the company,
    even with no suffix to say so."""
    out = []
    toks = ctx.tokens
    for i, tok in enumerate(toks):
        if ctx.lex.titles.get(tok.text) != "corporate" or i == 0:
            continue
        start = _name_start(ctx, tok.start, max_len=8)
        head = [t for t in toks if start <= t.start and t.end <= tok.start]
        if not head or len(ctx.text[start:tok.start]) < 3 or start in ctx.barriers:
            continue
        if any(ctx.lex.place(t.text) or t.pos in ("nr", "nrfg") and len(t.text) == 3 for t in head):
            continue  # a place or a person in front: not a company name
        if not all(word_frequency(t.text) < 20 and _HAN.match(t.text) for t in head):
            continue
        before = ctx.text[start - 1:start] if start > ctx.start else ""
        if before and before not in ",，。;；:：、“”\"( （\n" and not _HAN.match(before):
            continue
        out.append(_mention(ctx, start, tok.start, "Company", 0.6, "title-slot"))
    return out


_KIND_NOUNS = ("企业", "公司", "平台", "品牌")


def _appositions(ctx: SentenceContext) -> list[Mention]:
    """"互联网教育企业云栖学堂", "新零售平台鲜丰优选": a rare name right after a noun
    saying what kind of firm it is."""
    out = []
    toks = ctx.tokens
    trades = {sx for sx, _, st in ctx.lex.org_suffixes if st == "industry"}
    for i, tok in enumerate(toks[:-1]):
        if tok.text not in _KIND_NOUNS or i == 0 or not (toks[i - 1].pos in ("n", "vn", "nz") or toks[i - 1].text in "”\""):
            continue  # 互联网教育企业X: a sector before the noun; not 助力企业转型升级
        j, rare = i + 1, False
        while j < len(toks) and _HAN.match(toks[j].text) and toks[j].text not in FUNCTION_WORDS \
                and toks[j].text not in ("到", "从") and (word_frequency(toks[j].text) < 500 or toks[j].text in trades) \
                and not (ctx.lex.place(toks[j].text) and j > i + 1) and toks[j].text not in ctx.lex.titles \
                and not toks[j].pos.startswith(("nnt", "l", "i", "d", "p", "c", "u")):
            rare = rare or word_frequency(toks[j].text) < 100
            j += 1
        end = toks[j - 1].end if j > i + 1 else None
        after = toks[j].text if j < len(toks) else "。"
        if end is None or not rare or not 2 <= end - toks[i + 1].start <= 8 or toks[i + 1].pos.startswith("v"):
            continue  # 助力企业转型升级: a verb phrase, not a name
        if not (after in ("到", "从", "等", "和", "与") or not _HAN.match(after)):
            continue  # the name must end where the phrase does
        out.append(_mention(ctx, toks[i + 1].start, end, "Company", 0.7, "apposition"))
    return out


_LIST_END = re.compile(r"等(?:\d+余?家|[一二三四五六七八九十]+家|多家|\d+个)?(?:配套|上下游|民营|会员|成员|科技|骨干|龙头)?(?:企业|公司)")


def _company_lists(ctx: SentenceContext, found: list[Mention]) -> list[Mention]:
    """"蓝鲸科技、云舟软件等10余家企业", "恒远智能、华晟电气、6度智控等企业": every
    item of a list that ends in 等…企业 is a company."""
    out = []
    for m in _LIST_END.finditer(ctx.text, ctx.start, ctx.end):
        items, end = [], m.start()
        while True:
            sep = ctx.text.rfind("、", ctx.start, end)
            start = sep + 1 if sep >= 0 and end - sep - 1 <= 8 else None
            if start is None:
                known = next((f for f in found if f.end == end and f.label == "Company"), None)
                joined = re.search(r"(?:与|和|同)([^与和同,，。;；、]{2,8})$", ctx.text[max(ctx.start, end - 9):end])
                start = known.start if known else end - len(joined[1]) if joined and items else \
                    _trim_common(ctx, _name_start(ctx, end, max_len=8), end)
                items.append((start, end))
                break
            items.append((start, end))
            end = sep
        if len(items) < 2:
            continue
        for a, b in items:
            name = ctx.text[a:b]
            if len(name) < 2 or _everyday(name) or ctx.lex.place(name) or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", name):
                continue
            out.append(_mention(ctx, a, b, "Company", 0.7, "company-list"))
    return out


# -- persons -----------------------------------------------------------------


def _persons(ctx: SentenceContext) -> list[Mention]:
    out = []
    toks = ctx.tokens
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.text in ctx.lex.titles or tok.text in ("党员", "通讯员", "作者", "摄影"):
            name = _name_after(ctx, toks, i + 1) or _name_without_surname(ctx, toks, i + 1)
            if name:
                out.append(_mention(ctx, name[0], name[1], "Person", 0.85, "title+name"))
        if nxt and (nxt.text in SPEECH or nxt.text.startswith(SPEECH)) and _person_token(tok, ctx.lex):
            out.append(_mention(ctx, tok.start, tok.end, "Person", 0.75, "name+speech"))
        if nxt and nxt.text in ("是", "为") and _person_token(tok, ctx.lex) and i + 2 < len(toks) \
                and toks[i + 2].text.startswith("一名"):
            out.append(_mention(ctx, tok.start, tok.end, "Person", 0.7, "name+是一名"))
        if tok.pos in ("nr", "nrfg") and len(tok.text) == 3 and _person_token(tok, ctx.lex) \
                and word_frequency(tok.text) < 5 and not DOCTRINE.match(ctx.text, tok.end):
            out.append(_mention(ctx, tok.start, tok.end, "Person", 0.5, "jieba-nr"))
    out += _quoted_speakers(ctx)
    out += _person_lists(ctx, out)
    return out


_SPEAKER = re.compile(r"(?:^|(?<=[”」\"'’。!?!?;;,,\s]))([\u4e00-\u9fff]{2,3}?)(?=说|表示|介绍|坦言|告诉|是一名|笑着说)")


def _quoted_speakers(ctx: SentenceContext) -> list[Mention]:
    """"……”钟晓岚说": a surname and one or two characters right after a quote or a
    sentence break and right before a speech verb."""
    out = []
    for m in _SPEAKER.finditer(ctx.text, ctx.start, ctx.end):
        name = m.group(1)
        if (name[:2] in ctx.lex.surnames or name[0] in ctx.lex.surnames) and word_frequency(name) < 5 \
                and name not in FUNCTION_WORDS and name not in ctx.lex.titles and name[-1] not in "们者时后":
            out.append(_mention(ctx, m.start(1), m.end(1), "Person", 0.7, "quote+name+speech"))
    return out


def _person_lists(ctx: SentenceContext, persons: list[Mention]) -> list[Mention]:
    """"胡一鸣、方建华、彭子涵等": the other items of a list that names persons are persons."""
    out = []
    known = {(p.start, p.end) for p in persons}
    for m in re.finditer(r"[\u4e00-\u9fff]{2,3}(?:、[\u4e00-\u9fff]{2,3})+(?=等|[,,。;;)）]|$)", ctx.text[ctx.start:ctx.end]):
        items, pos = [], ctx.start + m.start()
        for part in m.group().split("、"):
            items.append((pos, pos + len(part)))
            pos += len(part) + 1
        hits = [span for span in items if span in known]
        if not hits or len(hits) == len(items):
            continue
        for a, b in items:
            name = ctx.text[a:b]
            if (a, b) not in known and (name[:2] in ctx.lex.surnames or name[0] in ctx.lex.surnames) \
                    and word_frequency(name) < 5 and name not in ctx.lex.titles:
                out.append(_mention(ctx, a, b, "Person", 0.65, "person-list"))
    return out


def _person_token(tok: Token, lex: Lexicons, strict: bool = True) -> bool:
    """A word that can be a person's name; ``strict`` also asks that it be rare
    in the dictionary (a title before it is context enough otherwise)."""
    word = tok.text
    if not (2 <= len(word) <= 4) or not all("\u4e00" <= c <= "\u9fff" for c in word):
        return False
    if word in lex.places or word in lex.titles or word in FUNCTION_WORDS or word in lex.generic \
            or word[-1] in "局厅委办署院" and len(word) == 3:
        return False  # 药监局: an organ's short name that jieba read as a person
    has_surname = word[:2] in lex.surnames or word[0] in lex.surnames
    if not strict:
        return has_surname and (tok.pos.startswith("nr") or word_frequency(word) < 5)
    return has_surname and word_frequency(word) < 20 and (tok.pos.startswith("nr") or word_frequency(word) < 5)


_BARE_NAME = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fff·]{2,7}?)(?=[,，。;；)）、\s]|说|表示|介绍|指出|强调|告诉|$)")


def _name_without_surname(ctx: SentenceContext, toks: list[Token], i: int) -> tuple[int, int] | None:
    """A Mongolian, Tibetan or Uyghur name after a title (记者 萨仁托娅, 书记额尔敦巴特尔):
    three to eight characters up to punctuation or a speech verb, with no
    everyday word inside (不走过场 is a phrase, not a name)."""
    while i < len(toks) and toks[i].text in (" ", ":", ":"):
        i += 1
    if i >= len(toks):
        return None
    m = _BARE_NAME.match(ctx.text, toks[i].start, ctx.end)
    if m is None or m.group(1)[0] in FUNCTION_WORDS:
        return None
    name = m.group(1).replace("·", "")
    if word_frequency(name) > 0:
        return None  # 照本宣科: a word the dictionary knows is not a transliterated name
    if any(word_frequency(name[k:k + 2]) > COMMON for k in range(len(name) - 1)) or \
            any(c in "了的着过们地得是在和与及" for c in name) or name in ctx.lex.titles:
        return None
    if any(m.start(1) <= t.start and t.end <= m.end(1) and len(t.text) > 1 and word_frequency(t.text) > 0
           and t.pos.startswith(("v", "d", "a", "l", "i")) for t in toks):
        return None  # 逐一述职: known adverbs and verbs, not a name
    return m.start(1), m.end(1)


def _name_after(ctx: SentenceContext, toks: list[Token], i: int) -> tuple[int, int] | None:
    """A person's name right after a title: a surname plus one or two characters."""
    while i < len(toks) and toks[i].text in (":", ":", " ", "丨", "|"):
        i += 1
    if i >= len(toks):
        return None
    tok = toks[i]
    if _person_token(tok, ctx.lex, strict=False) and len(tok.text) <= 3:
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if len(tok.text) == 2 and nxt is not None and len(nxt.text) == 1 and _HAN.match(nxt.text) \
                and nxt.pos in ("nrt", "nr", "ng", "x", "nrfg", "n", "yg", "zg", "ag", "tg", "rg", "dg", "vg") \
                and nxt.text not in FUNCTION_WORDS and nxt.text not in "等说称和与及":
            return tok.start, nxt.end  # jieba split a three-character name (韩立 明)
        if len(tok.text) == 2 and nxt is not None and len(nxt.text) == 2 and nxt.text[1] in "说称" \
                and _HAN.match(nxt.text[0]) and nxt.text[0] not in FUNCTION_WORDS:
            return tok.start, nxt.start + 1  # 郑雅 文说: the name's last character went to the verb
        if len(tok.text) == 1 and tok.text in ctx.lex.surnames and nxt is not None and len(nxt.text) <= 2 \
                and _HAN.match(nxt.text) and nxt.text not in FUNCTION_WORDS and nxt.text not in ctx.lex.titles \
                and not nxt.text.startswith(SPEECH) and word_frequency(nxt.text) < 1000:
            return tok.start, nxt.end  # 侯 建平: a surname, then a given name jieba reads as a word
        return tok.start, tok.end
    # jieba split the name (林 岚 / 钟晓岚说): rebuild it from characters.
    text = ctx.text[tok.start:ctx.end]
    surname_len = 2 if text[:2] in ctx.lex.surnames else 1 if text[:1] in ctx.lex.surnames else 0
    if not surname_len:
        return None
    for length in (surname_len + 2, surname_len + 1):
        cand = text[:length]
        if len(cand) < length or not all("\u4e00" <= c <= "\u9fff" for c in cand):
            continue
        rest = text[length:length + 2]
        ends_word = any(t.end == tok.start + length and t.start > tok.start for t in toks)
        if length == surname_len + 2 and (cand[-1] in "说在是和与等的介表告通一虽为也带" or
                                          word_frequency(cand[-2:]) > 500 and not ends_word):
            continue  # 钟晓 岚说: the last character starts the next word
        if cand in ctx.lex.titles or cand in FUNCTION_WORDS:
            return None
        after = text[length:length + 2]
        if cand[0] in FUNCTION_WORDS and (word_frequency(cand[1:]) >= 100 or cand[1:] in ctx.lex.titles
                                          or cand[1:] in FUNCTION_WORDS or length < 3
                                          or not (after[:1] in ",，。;；、)） " or after.startswith(SPEECH))):
            return None  # 董事长向记者介绍: 向 is a preposition here, but 董事长向天佑说 names 向天佑
        if any(c in "了的着过们地得" for c in cand[1:]):
            continue  # 来了以(后): a particle never sits inside a name
        if word_frequency(cand) > 20 or word_frequency(cand[:2]) > COMMON:
            continue
        return tok.start, tok.start + length
    return None


# -- user terms ----------------------------------------------------------------


def _user_terms(ctx: SentenceContext) -> list[Mention]:
    out = []
    sentence = ctx.text[ctx.start:ctx.end]
    for name, label in ctx.lex.user_terms.items():
        for m in re.finditer(re.escape(name), sentence):
            out.append(_mention(ctx, ctx.start + m.start(), ctx.start + m.end(), label, 0.95, "user-lexicon"))
    return out

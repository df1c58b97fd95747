"""Read files and folders into ``Article`` objects.

Formats: ``.txt``, ``.md``, ``.html``/``.htm`` (article body only) and ``.jsonl``
(one article a line). The encoding is detected (UTF-8 with or without BOM,
GB18030/GBK, Big5) and recorded; anything that is not text fails with a
``KgError`` naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from .errors import KgError
from .model import Article

SUFFIXES = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def read_documents(paths: Iterable[str | Path], encoding: str | None = None) -> Iterator[Article]:
    """Yield the articles in ``paths`` (files or folders, folders read recursively, sorted)."""
    for path in expand_paths(paths):
        yield from read_file(path, encoding=encoding)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the supported files found below each folder."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise KgError(f"unsupported file type '{path.suffix or '(none)'}'", str(path),
                              hint="use .txt, .md, .html, .htm or .jsonl")
            files.append(path)
        else:
            raise KgError("no such file or folder", str(path))
    if not files:
        raise KgError("no input documents found", ", ".join(str(p) for p in paths) or None,
                      hint="give .txt, .md, .html or .jsonl files or folders holding them")
    return files


def read_file(path: Path, encoding: str | None = None) -> Iterator[Article]:
    fmt = SUFFIXES[path.suffix.lower()]
    try:
        data = path.read_bytes()
    except OSError as err:
        raise KgError(f"cannot read file: {err.strerror}", str(path)) from None
    text, used = decode(data, str(path), encoding)
    if fmt == "jsonl":
        yield from _jsonl_articles(text, str(path), used)
    elif fmt == "html":
        yield html_article(text, str(path), used)
    else:
        body = strip_markdown(text) if fmt == "md" else text
        yield Article(path=str(path), raw=body, format=fmt, encoding=used)


# -- decoding -----------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(data: bytes, where: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and say which encoding was used.

    Raises ``KgError`` for empty, binary or undecodable input, naming the place.
    """
    if not data.strip():
        raise KgError("empty file", where)
    if encoding:
        return _decode_strict(data, where, encoding), encoding.lower()
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, where, name), name
    if b"\x00" in data:
        raise KgError("binary file, not text (contains NUL bytes)", where)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    guess = _guess_encoding(data)
    if guess:
        return guess
    line, col = _line_col(data, utf8_error.start)
    raise KgError(f"not UTF-8, GB18030 or Big5 text (byte 0x{data[utf8_error.start]:02x})", where, line, col,
                  hint="try --encoding")


def _decode_strict(data: bytes, where: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise KgError(f"unknown encoding '{encoding}'", where) from None
    except UnicodeDecodeError as err:
        line, col = _line_col(data, err.start)
        raise KgError(f"not valid {encoding} (byte 0x{data[err.start]:02x})", where, line, col) from None


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    """Try the Chinese legacy encodings; keep the one charset-normalizer prefers that reads as Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_8"]).best()
    candidates = [best.encoding] if best is not None else []
    candidates += [c for c in ("gb18030", "big5") if c not in candidates]
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, name.replace("_", "-")
    return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    return controls / len(text) < 0.01 and bool(_CJK.search(text) or text.isascii())


def _line_col(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    return line, index - (data.rfind(b"\n", 0, index) + 1) + 1


# -- JSON lines ----------------------------------------------------------------


def _jsonl_articles(text: str, path: str, used: str) -> Iterator[Article]:
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise KgError(f"invalid JSON: {err.msg}", path, number, err.colno) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise KgError("each line must be a JSON object with a string 'text'", path, number)
        if not record["text"].strip():
            raise KgError("empty 'text'", path, number)
        seen += 1
        yield Article(
            path=f"{path}:{number}", raw=record["text"], format="jsonl", encoding=used,
            title=_str_or_none(record.get("title")), url=_str_or_none(record.get("url")),
            published=_str_or_none(record.get("date")), source=_str_or_none(record.get("source")),
        )
    if not seen:
        raise KgError("no articles in JSON lines file", path)


def _str_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


# -- Markdown ------------------------------------------------------------------

_MD_RULES = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"(\*\*|__|\*|`)"), ""),
)


def strip_markdown(text: str) -> str:
    """Markdown to plain text: keep the words, drop the markup."""
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text


# -- HTML ----------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "iframe", "button", "select", "svg", "canvas", "head"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4",
               "h5", "h6", "table", "tr", "td", "th", "blockquote", "pre", "br", "dd", "dt", "body",
               "figure", "figcaption", "center"}
_VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source",
              "track", "wbr", "param"}
_BOILERPLATE_ATTR = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|footer|header|share|sharing|social|sidebar|side|breadcrumb|crumb|"
    r"comment|comments|related|recommend|advert|ads?|banner|toolbar|copyright|login|search|hot|"
    r"rank|pagination|pager)([-_\s]|$)", re.I)
_BOILERPLATE_TEXT = re.compile(
    r"^(当前位置|您的位置|首页|返回首页|返回.{0,8}首页|分享到?|扫一扫|上一篇|下一篇|相关阅读|相关新闻|"
    r"责任编辑|打印|关闭|收藏|版权所有|copyright|©)", re.I)
_META_DATE = ("article:published_time", "og:published_time", "pubdate", "publishdate", "publish_date",
              "date", "dc.date", "dc.date.issued", "dcterms.created", "datepublished")
_META_SOURCE = ("source", "contentsource", "og:site_name", "site_name", "article:publisher", "publisher")


class _BodyParser(HTMLParser):
    """Collects text blocks with the element that holds them; notes title and meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int, bool]] = []  # (tag, element id, skipped)
        self.parents: dict[int, int] = {}
        self.next_id = 1
        self.blocks: list[tuple[int, str, str]] = []  # (holder element id, tag, text)
        self.buffer: list[str] = []
        self.title_parts: list[str] = []
        self.in_title = False
        self.meta: dict[str, str] = {}

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def _holder(self) -> tuple[int, str]:
        for tag, ident, _ in reversed(self.stack):
            if tag in _BLOCK_TAGS:
                return ident, tag
        return 0, "body"

    def flush(self) -> None:
        text = re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", "".join(self.buffer)).strip()
        self.buffer.clear()
        if text:
            ident, tag = self._holder()
            self.blocks.append((ident, tag, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict((k.lower(), v or "") for k, v in attrs)
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"].strip())
            return
        if tag == "title":
            self.in_title = True
        if tag in _BLOCK_TAGS:
            self.flush()
        if tag in _VOID_TAGS:
            return
        marker = f"{values.get('class', '')} {values.get('id', '')} {values.get('role', '')}"
        skipped = self._skipped() or tag in _SKIP_TAGS or bool(_BOILERPLATE_ATTR.search(marker))
        ident = self.next_id
        self.next_id += 1
        self.parents[ident] = self.stack[-1][1] if self.stack else 0
        self.stack.append((tag, ident, skipped))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _VOID_TAGS:
            if tag == "br":
                self.flush()
            return
        if not any(t == tag for t, _, _ in self.stack):
            return  # stray end tag in broken HTML: ignore it
        if tag in _BLOCK_TAGS:
            self.flush()
        while self.stack:
            top, _, _ = self.stack.pop()
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if not self._skipped():
            self.buffer.append(data)


def html_article(text: str, path: str, used: str) -> Article:
    """The article body of an HTML page (boilerplate dropped) with its title, date and source."""
    parser = _BodyParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as err:  # html.parser is lenient; these are rare
        raise KgError(f"cannot parse HTML: {err}", path) from None
    parser.flush()
    blocks = _main_blocks(parser)
    if not blocks:
        raise KgError("no article text found in HTML", path)
    meta = parser.meta
    title = meta.get("og:title") or " ".join("".join(parser.title_parts).split()) or None
    published = next((meta[k] for k in _META_DATE if k in meta), None)
    source = next((meta[k] for k in _META_SOURCE if k in meta), None)
    url = meta.get("og:url")
    return Article(path=path, raw="\n".join(blocks), format="html", encoding=used, title=title, url=url,
                   published=published, source=source)


def _main_blocks(parser: _BodyParser) -> list[str]:
    """Choose the element that holds most of the paragraph text, then keep its blocks.

    A block's text counts for its holder and, half, for the holder's parent (so a
    div of many <p> wins over a sidebar of short links).
    """
    blocks = [(h, tag, t) for h, tag, t in parser.blocks if not _BOILERPLATE_TEXT.match(t)]
    if not blocks:
        return []
    score: dict[int, float] = {}
    for holder, _tag, text in blocks:
        weight = len(_CJK.findall(text)) + 0.3 * len(text)
        if len(text) < 12 and not re.search(r"[。!?]", text):
            weight *= 0.3
        score[holder] = score.get(holder, 0.0) + weight
        parent = parser.parents.get(holder, 0)
        score[parent] = score.get(parent, 0.0) + weight / 2
    best = max(sorted(score), key=lambda k: score[k])
    inside = {best}
    for ident in sorted(parser.parents):  # ids grow with depth-first order: parents come first
        if parser.parents[ident] in inside:
            inside.add(ident)
    return [t for h, _tag, t in blocks if h in inside]

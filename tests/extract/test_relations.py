"""Relation rules: each shape of news prose gives the relation a reader sees."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.metadata import enrich
from kg.model import Article
from kg.normalise import normalise


def relations(raw: str) -> set[tuple]:
    doc = enrich(normalise(Article("t.txt", raw, "txt", "utf-8")))
    return {(r.subject.name, r.predicate, r.object.name, r.role) for r in extract(doc).relations}


CASES = [
    ("organisation before title", "赣江新材料股份有限公司董事长周海峰表示,将扩大产能。",
     ("周海峰", "holdsPosition", "赣江新材料股份有限公司", "董事长")),
    ("party title goes to the party body", "黔东科技党支部副书记杨晓梅介绍了情况。",
     ("杨晓梅", "holdsPosition", "黔东科技党支部", "副书记")),
    ("该公司 + title", "秦岭数据科技有限公司成立于2008年。该公司总经理吴海涛说,订单饱满。",
     ("吴海涛", "holdsPosition", "秦岭数据科技有限公司", "总经理")),
    ("member of", "漓江电子党员覃文斌参加了培训。", ("覃文斌", "memberOf", "漓江电子", None)),
    ("own party body", "漓江电子党支部组织学习。", ("漓江电子", "hasPartyOrganization", "漓江电子党支部", None)),
    ("partners", "2021年5月,秦岭数据科技有限公司与西安交通大学签约共建实验室。",
     ("秦岭数据科技有限公司", "partnerOf", "西安交通大学", None)),
    ("joint venture founders", "2022年3月,赣江新材料股份有限公司联合洪都智能等共同组建赣鄱新能源有限公司。",
     ("赣江新材料股份有限公司", "founded", "赣鄱新能源有限公司", None)),
    ("byline", "来源:秦川日报 编辑:雷振东", ("雷振东", "holdsPosition", "秦川日报", "编辑")),
    ("title inside the organ's name", "浙江省委常委、丽水市委书记胡海峰出席。",
     ("胡海峰", "holdsPosition", "丽水市委", "书记")),
    ("title after 当选", "黔东科技有限公司成立党委,总经理陈立新当选党委书记。",
     ("陈立新", "holdsPosition", "黔东科技有限公司党委", "书记")),
    ("one title shared by a list", "赣江新材料股份有限公司副总经理邹海峰、巫晓燕分别带队。",
     ("巫晓燕", "holdsPosition", "赣江新材料股份有限公司", "副总经理")),
    ("titles separated by a space", "绿洲集团党委书记 董事长逄立国介绍。",
     ("逄立国", "holdsPosition", "绿洲集团", "董事长")),
    ("department under its organ", "黔南州党委组织部负责人介绍了情况。",
     ("黔南州党委组织部", "subOrganizationOf", "黔南州党委", None)),
    ("stated location", "位于桂园街道的华辰电子有限公司今年扩产。",
     ("华辰电子有限公司", "locatedIn", "桂园街道", None)),
    ("a unit of the organisation is part of the title", "星辰科技有限公司材料研究所所长赵一鸣介绍了情况。",
     ("赵一鸣", "holdsPosition", "星辰科技有限公司", "材料研究所所长")),
    ("a centre of a named institute, used alone later", "会议由江南大学智能制造研究院主办。"
     "智能制造研究院先进材料与工艺研究中心主任钱文博作报告。",
     ("钱文博", "holdsPosition", "江南大学智能制造研究院", "先进材料与工艺研究中心主任")),
    ("organ word opening the next stacked title", "黔南州纪委副书记、监委副主任杨立华出席。",
     ("杨立华", "holdsPosition", "黔南州监委", "副主任")),
    ("纪委 after a company's 党委 title", "华盛控股集团党委副书记、纪委书记杜建国讲话。",
     ("杜建国", "holdsPosition", "华盛控股集团纪委", "书记")),
    ("纪委 of the company", "华盛控股集团党委副书记、纪委书记杜建国讲话。",
     ("华盛控股集团", "hasPartyOrganization", "华盛控股集团纪委", None)),
    ("numbered branch under the company's committee", "华盛控股集团党委书记杜建国陪同参观了第三党支部党员活动室。",
     ("华盛控股集团第三党支部", "subOrganizationOf", "华盛控股集团党委", None)),
    ("companies whose committees pair up", "6月1日,黔东科技党委与漓江电子党委签约,结为共建企业。",
     ("黔东科技", "partnerOf", "漓江电子", None)),
    ("a street in an unlisted district named on its own too", "崇文区领导出席。北京市崇文区天坛街道今年新增企业120家。",
     ("天坛街道", "locatedIn", "北京市崇文区", None)),
    ("a department opening the next stacked title", "乌审旗召开大会。旗委常委、组织部部长韩立新讲话。",
     ("韩立新", "holdsPosition", "乌审旗委组织部", "部长")),
    ("公司 is the company the story is about, not its partner",
     "恒锐智能位于常州。2020年9月,该公司与比亚迪签订合作协议。公司副总经理邹海峰、巫晓燕分别带队。",
     ("巫晓燕", "holdsPosition", "恒锐智能", "副总经理")),
    ("titles joined by 兼", "星瀚动力董事长兼党委书记骆志坚在业绩会上表示,订单饱满。",
     ("骆志坚", "holdsPosition", "星瀚动力党委", "书记")),
    ("an instructor sent by a committee works for the committee", "武进高新区党工委派驻华晟电气的党建指导员顾丽萍说,企业发展很快。",
     ("顾丽萍", "holdsPosition", "武进高新区党工委", "党建指导员")),
    ("an instructor sent to a company guides it", "武进高新区党工委派驻华晟电气的党建指导员顾丽萍说,企业发展很快。",
     ("顾丽萍", "guides", "华晟电气", None)),
    ("集团党委 is the group's, not its subsidiary's", "楚芯集团是国有独资企业,下辖武汉楚芯微电子有限公司等9家子公司。"
     "集团党委下设机关党委和11个基层党支部。",
     ("楚芯集团", "hasPartyOrganization", "楚芯集团党委", None)),
    ("该公司 signs with a partner", "恒锐智能位于常州。2020年9月,该公司与比亚迪签订战略合作协议。",
     ("恒锐智能", "partnerOf", "比亚迪", None)),
    ("集团 founds with two universities", "楚芯集团是国有企业。楚芯集团董事长向天佑说,2019年,"
     "集团与华中科技大学、武汉理工大学共同组建湖北楚芯集成电路创新研究院。",
     ("楚芯集团", "founded", "湖北楚芯集成电路创新研究院", None)),
    ("a subsidiary under its group", "绿禾集团总部位于寿光市,旗下有寿光绿禾种业有限公司、潍坊绿禾冷链物流有限公司等6家子公司。",
     ("潍坊绿禾冷链物流有限公司", "subOrganizationOf", "绿禾集团", None)),
    ("X下属的Y", "今年8月,格力电器与石家庄高新区管委会下属的石家庄高新产业投资有限公司合资成立新公司。",
     ("石家庄高新产业投资有限公司", "subOrganizationOf", "石家庄高新区管委会", None)),
    ("公司位于 is the story's company", "华晟电气党支部书记史可介绍,华晟电气发展很快,公司位于南夏墅街道。",
     ("华晟电气", "locatedIn", "南夏墅街道", None)),
    ("reporter of the outlet in a closing byline", "企业将同步筹建党支部。(冀中新闻网记者 郗晓丹)",
     ("郗晓丹", "holdsPosition", "冀中新闻网", "记者")),
    ("reporter of the outlet that opens the article", "秦川日报讯(记者 雷振东)昨日,会议召开。",
     ("雷振东", "holdsPosition", "秦川日报", "记者")),
    ("a partner after an adverb", "去年8月,江城微电子集团还与小鹿科技签订战略合作协议。",
     ("江城微电子集团", "partnerOf", "小鹿科技", None)),
    ("each item of the list after 与 is a partner of the head", "泉安鞋业党委与Y7智跑、恒泰鞋材、锦程包装等配套企业结对。",
     ("泉安鞋业党委", "partnerOf", "锦程包装", None)),
    ("the person sent to a company guides it", "槐荫区委组织部选派到泉城云图科技有限公司的党建指导员鲍晓宁已驻点三个月。",
     ("鲍晓宁", "guides", "泉城云图科技有限公司", None)),
    ("A向B选派指导员C: C guides B", "行业党委还向淄博鲁源陶瓷有限公司选派党建指导员齐海燕,帮助规范发展党员。",
     ("齐海燕", "guides", "淄博鲁源陶瓷有限公司", None)),
    ("由A牵头组建", "柳州市汽配行业党委成立于2020年,由柳州市委组织部牵头组建,覆盖40家企业。",
     ("柳州市委组织部", "founded", "柳州市汽配行业党委", None)),
    ("由A负责指导", "柳州市汽配行业党委成立于2020年,日常工作由柳州市工业和信息化局负责指导。",
     ("柳州市工业和信息化局", "guides", "柳州市汽配行业党委", None)),
    ("位于P的X: the organisation after 的", "据当地媒体报道,位于九江经开区的台资企业「九江鼎丰光电科技有限公司」今年成立党支部。",
     ("九江鼎丰光电科技有限公司", "locatedIn", "九江经开区", None)),
    ("位于P的X党支部: the company, not its branch", "位于柳州高新区的广西云帆生物科技有限公司党支部与村党总支结对。",
     ("广西云帆生物科技有限公司", "locatedIn", "柳州高新区", None)),
    ("总部位于 after a description of the firm", "鲁禾集团是潍坊市农业产业化重点龙头企业 总部位于寿光市 旗下有6家子公司",
     ("鲁禾集团", "locatedIn", "寿光市", None)),
    ("公司位于: the company the sentence names", "安远电气党支部书记史可介绍,公司位于横林镇,现有党员23名。",
     ("安远电气", "locatedIn", "横林镇", None)),
    ("the short name without the city", "深圳市华强北电子市场党委成立。位于福田街道的华强北电子市场有商户2000家。",
     ("华强北电子市场", "locatedIn", "福田街道", None)),
    ("the head of a village committee", "会上,黄岭村党支部书记、村委会主任任洪波说,收入翻番。",
     ("任洪波", "holdsPosition", "黄岭村委会", "主任")),
    ("牵头成立: the body set the other up", "2020年,黄岭村党支部牵头成立黄岭茶叶专业合作社。",
     ("黄岭村党支部", "founded", "黄岭茶叶专业合作社", None)),
    ("members listed after 党员", "首批成员有秦岭新材料股份有限公司党员王磊、孙丽娟。",
     ("孙丽娟", "memberOf", "秦岭新材料股份有限公司", None)),
    ("member with another title", "黔东科技党支部党员、总工程师陈立新介绍,项目进展顺利。",
     ("陈立新", "memberOf", "黔东科技党支部", None)),
    ("与X下属的Y: Y is the partner", "今年8月,蜀道物流有限公司已与绵阳高新区管委会下属的绵阳高新产业投资有限公司签订合作协议。",
     ("蜀道物流有限公司", "partnerOf", "绵阳高新产业投资有限公司", None)),
    ("a zone's administrative committee sits under the zone",
     "柳州高新区位于柳州市北部。昨日,柳州高新区管委会召开企业座谈会。",
     ("柳州高新区管委会", "subOrganizationOf", "柳州高新区", None)),
    ("a department's branch under the company's committee",
     "桂林云岭光电有限公司党委下设4个党支部。云岭光电研发党支部书记韦丽华说,支部每月开展一次学习。",
     ("云岭光电研发党支部", "subOrganizationOf", "桂林云岭光电有限公司党委", None)),
    ("title at a department's branch", "云岭光电研发党支部书记韦丽华说,支部每月开展一次学习。",
     ("韦丽华", "holdsPosition", "云岭光电研发党支部", "书记")),
    ("机关党委 under the group's committee", "桂林云岭集团机关党委组织党员学习。桂林云岭集团党委书记蒙德海出席。",
     ("桂林云岭集团机关党委", "subOrganizationOf", "桂林云岭集团党委", None)),
    ("a trade committee's title without its place", "玉林市机械行业党委成立于2021年。行业党委书记黎振邦说,覆盖40家企业。",
     ("黎振邦", "holdsPosition", "玉林市机械行业党委", "书记")),
    ("委员 of a party body", "龙江经开区党工委委员邢立军出席。",
     ("邢立军", "holdsPosition", "龙江经开区党工委", "委员")),
    ("集团 + title is the group named last, not the story's subsidiary",
     "北海云帆科技有限公司是北海港航集团有限公司的子公司。云帆科技今年扩产。云帆科技订单增长。"
     "北海港航集团有限公司党委组织党员学习。集团副总经理钟丽芳带队。",
     ("钟丽芳", "holdsPosition", "北海港航集团有限公司", "副总经理")),
]


@pytest.mark.parametrize("what, raw, expected", CASES, ids=[c[0] for c in CASES])
def test_relation_rules(what, raw, expected):
    assert expected in relations(raw)


def test_stacked_titles_give_one_position_per_organisation():
    found = relations("黔东科技有限公司党委书记、董事长陈国栋主持会议。")
    assert ("陈国栋", "holdsPosition", "黔东科技有限公司党委", "书记") in found
    assert ("陈国栋", "holdsPosition", "黔东科技有限公司", "董事长") in found


def test_company_founding_its_own_party_body_is_not_founded():
    found = relations("2012年,蜀道物流有限公司成立蜀道物流党支部。")
    assert not any(p == "founded" for _, p, _, _ in found)


def test_places_named_one_after_another_are_not_related_by_the_gazetteer_alone():
    found = relations("丽水市和浙江省的企业家参加了会议。")
    assert not any(p == "locatedIn" for _, p, _, _ in found)


def test_items_of_one_list_are_not_partners_of_each_other():
    found = relations("泉安鞋业党委与Y7智跑、恒泰鞋材、锦程包装等配套企业结对。")
    assert not any(p == "partnerOf" and {s, o} == {"恒泰鞋材", "锦程包装"} for s, p, o, _ in found)


def test_reporter_of_the_byline_does_not_guide():
    found = relations("渝北新闻网讯(记者 蒲晓川)昨日,渝北区委统战部牵头对接重庆巴渝商会,开展结对帮扶。")
    assert ("渝北区委统战部", "guides", "重庆巴渝商会", None) in found
    assert not any(s == "蒲晓川" and p == "guides" for s, p, _, _ in found)


def test_the_place_of_a_clause_before_位于p的x_is_not_located_there():
    found = relations("据江西官方媒体报道,位于南昌经开区的台资企业今年成立党支部。")
    assert not any(p == "locatedIn" for _, p, _, _ in found)


def test_a_correspondent_holds_no_post_at_the_outlet():
    found = relations("秦川日报讯(记者 雷振东 通讯员 何佳琪)昨日,会议召开。")
    assert ("雷振东", "holdsPosition", "秦川日报", "记者") in found
    assert not any(s == "何佳琪" for s, _, _, _ in found)


def test_the_owner_in_与x下属的y_is_neither_partner_nor_founder():
    found = relations("今年8月,蜀道物流有限公司已与绵阳高新区管委会下属的绵阳高新产业投资有限公司合资成立蜀绵智能装备有限公司。")
    assert not any("管委会" in s and p in ("partnerOf", "founded") or "管委会" in o and p == "partnerOf"
                   for s, p, o, _ in found)


def test_trade_committee_is_not_given_to_a_company_of_the_sentence():
    found = relations("玉林市机械行业党委成立于2021年。广西玉柴精工有限公司加入后,行业党委组织了培训。")
    assert not any(p == "hasPartyOrganization" and "行业党委" in o for _, p, o, _ in found)


def test_second_person_with_bare_titles_takes_the_first_persons_organisations():
    found = relations("橙园农业党总支书记、董事长刘春明,副书记、总经理钟晓丽作为代表发言。")
    assert ("钟晓丽", "holdsPosition", "橙园农业党总支", "副书记") in found
    assert ("钟晓丽", "holdsPosition", "橙园农业", "总经理") in found

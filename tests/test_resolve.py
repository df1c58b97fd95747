"""Resolution: one entity per real thing, within and across documents."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.model import Cluster
from kg.pipeline import run
from kg.resolve import EntityTotals, _noisy_or, entity_of, entity_totals


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_short_and_full_company_names_are_one_entity(tmp_path):
    write(tmp_path, "a.txt", "黔东信息系统股份有限公司今年上市。黔东信息党支部组织学习。黔东信息董事长陈国栋表示将继续投入。")
    resolved = run([tmp_path])
    companies = [e for e in resolved.entities if e.type == "Company"]
    assert len(companies) == 1
    (company,) = companies
    assert {company.name, *company.aliases} >= {"黔东信息", "黔东信息系统股份有限公司"}


def test_same_company_across_documents_and_scripts_is_one_node(tmp_path):
    write(tmp_path, "a.txt", "漓江电子党支部组织学习。")
    write(tmp_path, "b.txt", "漓江電子黨支部書記覃文斌介紹,支部現有黨員30名。")
    resolved = run([tmp_path])
    ids = [e.id for e in resolved.entities if e.type == "PartyOrganization"]
    assert ids == ["partyorganization/漓江电子党支部"]
    (body,) = [e for e in resolved.entities if e.type == "PartyOrganization"]
    assert len({ev.doc_id for ev in body.evidence}) == 2


def test_people_who_share_only_a_name_stay_apart(tmp_path):
    write(tmp_path, "a.txt", "漓江电子董事长王建国表示,将扩大生产。")
    write(tmp_path, "b.txt", "黔东科技总经理王建国说,订单饱满。")
    write(tmp_path, "c.txt", "漓江电子董事长王建国介绍了新产品。")
    resolved = run([tmp_path])
    people = sorted(e.id for e in resolved.entities if e.type == "Person")
    assert len(people) == 2 and people[0] == "person/王建国" and people[1].startswith("person/王建国~")
    by_docs = sorted(len({ev.doc_id for ev in e.evidence}) for e in resolved.entities if e.type == "Person")
    assert by_docs == [1, 2]


def test_full_short_and_traditional_names_across_documents_are_one_node(tmp_path):
    write(tmp_path, "a.txt", "黔东信息系统股份有限公司今年在深交所上市。")
    write(tmp_path, "b.txt", "黔东信息董事长陈国栋表示,将继续投入研发。")
    write(tmp_path, "c.txt", "黔東信息董事長陳國棟說,訂單飽滿。")
    resolved = run([tmp_path])
    companies = [e for e in resolved.entities if e.type == "Company"]
    assert [c.id for c in companies] == ["company/黔东信息系统股份有限公司"]
    assert len({ev.doc_id for ev in companies[0].evidence}) == 3
    assert "黔东信息" in companies[0].aliases


def test_a_body_written_with_and_without_its_county_is_one_entity(tmp_path):
    write(tmp_path, "a.txt", "6月3日,云和县石塘镇党委与丽水青禾农业有限公司党支部签订共建协议。石塘镇党委书记毛晓东介绍了情况。")
    resolved = run([tmp_path])
    bodies = [e for e in resolved.entities if e.type == "PartyOrganization" and "石塘镇" in e.name]
    assert len(bodies) == 1
    assert {bodies[0].name, *bodies[0].aliases} >= {"云和县石塘镇党委", "石塘镇党委"}
    holder = [r for r in resolved.relations if r.subject == "person/毛晓东" and r.predicate == "holdsPosition"]
    assert [(r.object, r.role) for r in holder] == [(bodies[0].id, "书记")]


def test_an_abbreviated_group_name_joins_the_full_name(tmp_path):
    write(tmp_path, "a.txt", "中国能源建设集团有限公司与某市签约。中能建集团董事长韩立明出席。")
    resolved = run([tmp_path])
    companies = [e for e in resolved.entities if e.type == "Company"]
    assert [c.name for c in companies] == ["中国能源建设集团有限公司"]
    assert "中能建集团" in companies[0].aliases


def test_a_city_written_with_and_without_its_suffix_is_one_entity(tmp_path):
    write(tmp_path, "a.txt", "苏州华新电器市场党委成立。位于观前街道的苏州市华新电器市场党委书记钱立新介绍了情况。")
    resolved = run([tmp_path])
    bodies = [e for e in resolved.entities if e.type == "PartyOrganization"]
    assert len(bodies) == 1
    assert {bodies[0].name, *bodies[0].aliases} == {"苏州华新电器市场党委", "苏州市华新电器市场党委"}


def test_an_organ_and_its_abbreviated_name_are_one_entity(tmp_path):
    write(tmp_path, "a.txt", "浙江省对口支援四川前方指挥部召开会议。浙江省援川前方指挥部党委书记钱立新讲话。")
    resolved = run([tmp_path])
    organs = [e for e in resolved.entities if e.type == "GovernmentOrganization"]
    assert [(o.name, o.aliases) for o in organs] == [("浙江省对口支援四川前方指挥部", ("浙江省援川前方指挥部",))]


def test_a_short_form_defined_in_brackets_is_the_same_company(tmp_path):
    write(tmp_path, "a.txt", "湖州安澜水务科技有限公司(以下简称“安澜水务”)成立于2010年。安澜水务总经理钱立新介绍,订单饱满。")
    resolved = run([tmp_path])
    companies = [e for e in resolved.entities if e.type == "Company"]
    assert [c.name for c in companies] == ["湖州安澜水务科技有限公司"]
    assert "安澜水务" in companies[0].aliases
    assert [r.object for r in resolved.relations if r.subject == "person/钱立新"] == [companies[0].id]


def test_a_short_name_joins_the_full_name_with_a_province_in_front(tmp_path):
    write(tmp_path, "a.txt", "内蒙古瀚海氢能科技有限公司今年投产。瀚海氢能党委书记乔立新介绍,订单饱满。")
    resolved = run([tmp_path])
    companies = [e for e in resolved.entities if e.type == "Company"]
    assert [(c.name, c.aliases) for c in companies] == [("内蒙古瀚海氢能科技有限公司", ("瀚海氢能",))]


def test_the_name_a_company_goes_by_joins_its_full_name(tmp_path):
    write(tmp_path, "a.txt", "座谈会在郑州好柿多电子商务有限公司召开。好柿多成立于2020年,副总经理冉晓庆介绍了情况。")
    resolved = run([tmp_path])
    companies = [e for e in resolved.entities if e.type == "Company"]
    assert [(c.name, c.aliases) for c in companies] == [("郑州好柿多电子商务有限公司", ("好柿多",))]


# -- entity totals: what an update adds to an entity without rereading its other documents ---------

_names = st.text(alphabet="云和县石塘镇青禾农业有限公司党支部", min_size=1, max_size=8)
_clusters = st.builds(
    lambda name, aliases, legal, start, order, eligible, confidences: Cluster(
        f"Company|{name}", "Company", name, (name,), tuple(sorted(aliases)), legal, (start, -len(name), order, name),
        eligible, tuple(confidences), (start % 7,)),
    _names, st.sets(_names, max_size=3), st.one_of(st.none(), _names.map(lambda n: n + "有限公司")),
    st.integers(0, 500), st.integers(0, 20), st.booleans(),
    st.lists(st.sampled_from([0.3, 0.55, 0.6, 0.7, 0.85, 0.9, 0.95]), min_size=1, max_size=4))
_members = st.lists(st.tuples(st.sampled_from(["d1", "d2", "d3", "d4"]), _clusters), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(_members, _members)
def test_totals_of_two_sets_of_clusters_merge_into_the_totals_of_both(old, new):
    merged = entity_totals(old).merge(entity_totals(new))
    assert merged == entity_totals(old + new)
    assert EntityTotals.from_json(json.loads(json.dumps(merged.to_json()))) == merged  # as the ledger stores it
    both = entity_of("company/x", old + new, lambda d, s: (d, s))
    assert entity_of("company/x", old + new, lambda d, s: (d, s), merged) == both


@given(st.lists(st.floats(0.0, 1.0), max_size=30))
def test_noisy_or_takes_the_values_in_sorted_order(values):
    miss = 1.0
    for v in sorted(values):
        miss *= 1.0 - v
    assert _noisy_or(values) == round(min(0.99, 1.0 - miss), 3)

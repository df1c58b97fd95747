"""Dates: absolute, relative to the article date, and remembered for 同年/次年."""

from __future__ import annotations

import pytest

from kg.extract.dates import DateResolver

CASES = [
    ("2019年7月", None, "2019-07"),
    ("2019年7月18日", None, "2019-07-18"),
    ("1996年", None, "1996"),
    ("2021-05-06", None, "2021-05-06"),
    ("今年4月", "2020-09-07", "2020-04"),
    ("去年9月", "2018-10-02", "2017-09"),
    ("昨天", "2007-01-19T04:41:00", "2007-01-18"),
    ("昨日", "2024-03-01", "2024-02-29"),
    ("4月27日", None, None),
    ("4月27日", "2018-05-02", "2018-04-27"),
    ("十二月三日", "2022-01-01", "2022-12-03"),
    ("今年", None, None),
]


@pytest.mark.parametrize("text, published, value", CASES)
def test_date_values(text, published, value):
    (found,) = DateResolver(published).find(text)
    assert (found.text, found.value) == (text, value)


def test_same_year_and_next_year_follow_the_last_year_read():
    resolver = DateResolver(None)
    values = [d.value for d in resolver.find("2001年成立党支部,同年成立党委,次年3月成立党校")]
    assert values == ["2001", "2001", "2002-03"]

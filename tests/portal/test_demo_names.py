"""The demo's branches are named as real ones are: bank, city and county, then 支行."""

from portal.demo import institution_rows


def test_demo_branches_read_like_real_ones():
    names = {row.name_zh for row in institution_rows()[1]}
    assert "兴业银行福州鼓楼支行" in names
    assert "中国工商银行福建省分行" in names
    assert "泉州银行晋江支行" in names  # a city's own bank does not repeat the city
    assert "中国人民财产保险福州鼓楼支公司" in names
    assert not [name for name in names if "分支机构" in name]

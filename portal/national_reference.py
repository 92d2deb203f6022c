"""The names and numbers the national seed draws on: how many offices each province has,
real sub-bureaus on county-level codes, the institutions listed by name (policy, large,
joint-stock, private and foreign banks, the largest insurers), and the vocabulary for
made-up brands and branches (places are GB/T 2260's)."""

# Per province at full scale: (prefecture sub-bureaus, county offices). Fewer offices than
# divisions: some prefectures and many counties are covered by the office above them.
OFFICE_COUNTS = {
    "130000": (11, 110),
    "140000": (11, 75),
    "150000": (11, 62),
    "210000": (13, 60),
    "220000": (9, 40),
    "230000": (12, 75),
    "320000": (13, 66),
    "330000": (10, 62),
    "340000": (16, 72),
    "350000": (8, 58),
    "360000": (11, 70),
    "370000": (15, 92),
    "410000": (17, 112),
    "420000": (13, 70),
    "430000": (13, 84),
    "440000": (20, 78),
    "450000": (14, 75),
    "460000": (4, 10),
    "510000": (19, 125),
    "520000": (9, 58),
    "530000": (14, 88),
    "540000": (5, 30),
    "610000": (10, 74),
    "620000": (12, 58),
    "630000": (6, 22),
    "640000": (5, 14),
    "650000": (12, 60),
}

# Sub-bureaus on county-level codes: districts of the municipalities, county-level places of
# the plan cities, and units run directly by a province (middle pair 90).
COUNTY_LEVEL_SUB_BUREAUS = {
    "110000": ["110105", "110108", "110112"],
    "120000": ["120116", "120110"],
    "310000": ["310115", "310112"],
    "500000": ["500101", "500102", "500114", "500116"],
    "210200": ["210281", "210283"],
    "330200": ["330281", "330282"],
    "350200": ["350212"],
    "370200": ["370281", "370283"],
    "440300": ["440306"],
    "410000": ["419001"],
    "420000": ["429004"],
    "460000": ["469002"],
    "650000": ["659001"],
}

# (Chinese name, English name, seat division code)
POLICY = [
    ("国家开发银行", "China Development Bank", "110000"),
    ("中国进出口银行", "Export-Import Bank of China", "110000"),
    ("中国农业发展银行", "Agricultural Development Bank of China", "110000"),
]
LARGE = [
    ("中国工商银行股份有限公司", "Industrial and Commercial Bank of China", "110000"),
    ("中国农业银行股份有限公司", "Agricultural Bank of China", "110000"),
    ("中国银行股份有限公司", "Bank of China", "110000"),
    ("中国建设银行股份有限公司", "China Construction Bank", "110000"),
    ("交通银行股份有限公司", "Bank of Communications", "310000"),
    ("中国邮政储蓄银行股份有限公司", "Postal Savings Bank of China", "110000"),
]
JOINT_STOCK = [
    ("中信银行股份有限公司", "China CITIC Bank", "110000"),
    ("中国光大银行股份有限公司", "China Everbright Bank", "110000"),
    ("华夏银行股份有限公司", "Hua Xia Bank", "110000"),
    ("中国民生银行股份有限公司", "China Minsheng Bank", "110000"),
    ("招商银行股份有限公司", "China Merchants Bank", "440300"),
    ("兴业银行股份有限公司", "Industrial Bank", "350100"),
    ("广发银行股份有限公司", "China Guangfa Bank", "440100"),
    ("平安银行股份有限公司", "Ping An Bank", "440300"),
    ("上海浦东发展银行股份有限公司", "Shanghai Pudong Development Bank", "310000"),
    ("恒丰银行股份有限公司", "Evergrowing Bank", "370100"),
    ("浙商银行股份有限公司", "China Zheshang Bank", "330100"),
    ("渤海银行股份有限公司", "China Bohai Bank", "120000"),
]
PRIVATE = [
    ("深圳前海微众银行股份有限公司", "WeBank", "440300"),
    ("浙江网商银行股份有限公司", "MYbank", "330100"),
    ("天津金城银行股份有限公司", "Tianjin Kincheng Bank", "120000"),
    ("温州民商银行股份有限公司", "Wenzhou Minshang Bank", "330300"),
    ("上海华瑞银行股份有限公司", "Shanghai Huarui Bank", "310000"),
    ("重庆富民银行股份有限公司", "Chongqing Fumin Bank", "500000"),
    ("四川新网银行股份有限公司", "XW Bank", "510100"),
    ("湖南三湘银行股份有限公司", "Hunan Sanxiang Bank", "430100"),
    ("北京中关村银行股份有限公司", "Beijing Zhongguancun Bank", "110000"),
    ("江苏苏商银行股份有限公司", "Jiangsu Sushang Bank", "320100"),
    ("威海蓝海银行股份有限公司", "Weihai Lanhai Bank", "371000"),
    ("吉林亿联银行股份有限公司", "Jilin Yillion Bank", "220100"),
    ("福建华通银行股份有限公司", "Fujian Huatong Bank", "350100"),
    ("武汉众邦银行股份有限公司", "Wuhan Zhongbang Bank", "420100"),
    ("梅州客商银行股份有限公司", "Meizhou Hakka Bank", "441400"),
    ("辽宁振兴银行股份有限公司", "Liaoning Zhenxing Bank", "210100"),
    ("安徽新安银行股份有限公司", "Anhui Xin'an Bank", "340100"),
    ("江西裕民银行股份有限公司", "Jiangxi Yumin Bank", "360100"),
    ("无锡锡商银行股份有限公司", "Wuxi Xishang Bank", "320200"),
]
FOREIGN = [
    ("汇丰银行（中国）有限公司", "HSBC Bank (China)", "310000"),
    ("渣打银行（中国）有限公司", "Standard Chartered Bank (China)", "310000"),
    ("花旗银行（中国）有限公司", "Citibank (China)", "310000"),
    ("东亚银行（中国）有限公司", "The Bank of East Asia (China)", "310000"),
    ("恒生银行（中国）有限公司", "Hang Seng Bank (China)", "310000"),
    ("星展银行（中国）有限公司", "DBS Bank (China)", "310000"),
    ("华侨永亨银行（中国）有限公司", "OCBC Wing Hang Bank (China)", "310000"),
    ("大华银行（中国）有限公司", "United Overseas Bank (China)", "310000"),
    ("瑞穗银行（中国）有限公司", "Mizuho Bank (China)", "310000"),
    ("三菱日联银行（中国）有限公司", "MUFG Bank (China)", "310000"),
    ("三井住友银行（中国）有限公司", "Sumitomo Mitsui Banking Corporation (China)", "310000"),
    ("德意志银行（中国）有限公司", "Deutsche Bank (China)", "110000"),
    ("法国巴黎银行（中国）有限公司", "BNP Paribas (China)", "310000"),
    ("法国兴业银行（中国）有限公司", "Societe Generale (China)", "110000"),
    ("东方汇理银行（中国）有限公司", "Credit Agricole CIB (China)", "310000"),
    ("摩根大通银行（中国）有限公司", "JPMorgan Chase Bank (China)", "310000"),
    ("摩根士丹利银行（中国）有限公司", "Morgan Stanley Bank (China)", "310000"),
    ("友利银行（中国）有限公司", "Woori Bank (China)", "110000"),
    ("新韩银行（中国）有限公司", "Shinhan Bank (China)", "310000"),
    ("韩亚银行（中国）有限公司", "Hana Bank (China)", "110000"),
    ("企业银行（中国）有限公司", "Industrial Bank of Korea (China)", "120000"),
    ("国民银行（中国）有限公司", "KB Kookmin Bank (China)", "110000"),
    ("南洋商业银行（中国）有限公司", "Nanyang Commercial Bank (China)", "310000"),
    ("大新银行（中国）有限公司", "Dah Sing Bank (China)", "440300"),
    ("富邦华一银行有限公司", "Fubon Bank (China)", "310000"),
    ("盘谷银行（中国）有限公司", "Bangkok Bank (China)", "310000"),
    ("开泰银行（中国）有限公司", "Kasikornbank (China)", "440300"),
    ("澳大利亚和新西兰银行（中国）有限公司", "ANZ Bank (China)", "310000"),
    ("华美银行（中国）有限公司", "East West Bank (China)", "310000"),
    ("玉山银行（中国）有限公司", "E.Sun Bank (China)", "440300"),
    ("国泰世华银行（中国）有限公司", "Cathay United Bank (China)", "310000"),
    ("永丰银行（中国）有限公司", "Bank SinoPac (China)", "320100"),
    ("中信银行国际（中国）有限公司", "China CITIC Bank International (China)", "440300"),
    ("正信银行有限公司", "Zheng Xin Bank", "310000"),
    ("华商银行", "Chinese Mercantile Bank", "440300"),
    ("首都银行（中国）有限公司", "Metropolitan Bank (China)", "320100"),
    ("浦发硅谷银行有限公司", "SPD Silicon Valley Bank", "310000"),
    ("蒙特利尔银行（中国）有限公司", "BMO ChinaCo", "110000"),
    ("中德住房储蓄银行有限责任公司", "Sino-German Bausparkasse", "120000"),
]
INSURERS = [
    ("中国人寿保险股份有限公司", "China Life Insurance", "110000"),
    ("中国人民财产保险股份有限公司", "PICC Property and Casualty", "110000"),
    ("中国人民人寿保险股份有限公司", "PICC Life Insurance", "110000"),
    ("中国平安人寿保险股份有限公司", "Ping An Life Insurance", "440300"),
    ("中国平安财产保险股份有限公司", "Ping An Property & Casualty Insurance", "440300"),
    ("中国太平洋人寿保险股份有限公司", "China Pacific Life Insurance", "310000"),
    ("中国太平洋财产保险股份有限公司", "China Pacific Property Insurance", "310000"),
    ("新华人寿保险股份有限公司", "New China Life Insurance", "110000"),
    ("泰康人寿保险有限责任公司", "Taikang Life Insurance", "110000"),
    ("太平人寿保险有限公司", "Taiping Life Insurance", "310000"),
    ("阳光人寿保险股份有限公司", "Sunshine Life Insurance", "460000"),
    ("中华联合财产保险股份有限公司", "China United Property Insurance", "110000"),
]


# -- vocabulary for made-up names ------------------------------------------------------------------


def _syllables(text: str) -> list[tuple[str, str]]:
    """'东dong 西xi' as [('东', 'dong'), ('西', 'xi')]."""
    return [(word[0], word[1:]) for word in text.split()]


BRANDS = _syllables(
    "华hua 安an 泰tai 信xin 诚cheng 鼎ding 和he 恒heng 瑞rui 丰feng 富fu 国guo 民min 康kang "
    "利li 盛sheng 德de 长chang 汇hui 融rong 嘉jia 元yuan 通tong 宏hong 金jin 联lian 众zhong "
    "天tian 永yong 平ping"
)

INSURER_LINES = [
    ("人寿保险股份有限公司", "Life Insurance"),
    ("财产保险股份有限公司", "Property & Casualty Insurance"),
    ("健康保险股份有限公司", "Health Insurance"),
    ("养老保险股份有限公司", "Pension Insurance"),
]
# Other banking institutions, weighted roughly as the sector is: many group finance companies.
OTHER_LINES = [
    ("财务有限公司", "Finance Company", 250),
    ("金融租赁股份有限公司", "Financial Leasing", 70),
    ("信托有限责任公司", "Trust", 68),
    ("消费金融股份有限公司", "Consumer Finance", 30),
]
VILLAGE_SPONSORS = [
    ("民泰", "Mintai"),
    ("兴民", "Xingmin"),
    ("惠民", "Huimin"),
    ("富民", "Fumin"),
    ("汇通", "Huitong"),
    ("长江", "Changjiang"),
    ("华信", "Huaxin"),
    ("兴福", "Xingfu"),
    ("浦发", "Pufa"),
    ("国开", "Guokai"),
    ("中银富登", "BOC Fullerton"),
    ("建信", "CCB"),
    ("齐商", "Qishang"),
    ("稠州", "Chouzhou"),
    ("泰隆", "Tailong"),
    ("江南", "Jiangnan"),
    ("融兴", "Rongxing"),
    ("鑫民", "Xinmin"),
    ("瑞丰", "Ruifeng"),
]
AREAS = [
    ("城东", "City East"),
    ("城西", "City West"),
    ("城南", "City South"),
    ("城北", "City North"),
    ("开发区", "Development Zone"),
    ("新区", "New District"),
    ("中心", "Central"),
]

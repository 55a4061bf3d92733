"""The code tables of the indicator system, as data: code → display name, plus accepted aliases.

Templates show display names ("汉族", "中共党员"); imports and forms also accept the code
itself ("01", "1" for a two-digit code), "code-name" ("01-汉族"), the long official names
("中国民主同盟盟员" for 05 民盟盟员) and common short forms. Matching ignores spaces, quotes
and full-/half-width differences (see `normalize.match_key`).

Sources: DOMAIN.md (national standards named per table). Where DOMAIN.md gives names without
codes, or leaves codes open, the codes here are our own inference and marked `inferred` in
the table's note; they are stable keys inside this system, not claims about the national export.

The tables of the repeatable sets are in `records/code_tables_sets.py`; TABLES holds both.
Not here: which field uses which table (`records/indicators.py`, `records/sets.py`).
"""
from __future__ import annotations

from .code_tables_sets import SET_TABLES
from .codes import Code, CodeTable, table_from_rows as _table


# ------------------------------------------------------------------------------ the tables
GENDER = _table("性别", """
1 男 | 男性
2 女 | 女性
""", source="GB/T 2261.1", note="0 未知的性别 and 9 未说明的性别 are left out: a teacher's gender must agree with the ID number.")

YES_NO = _table("是否", """
1 是 | Y | 有
0 否 | N | 无
""")

NATIONALITY = _table("国籍/地区", """
156 中国 | 中华人民共和国 | 中国大陆 | CHN | CN
344 中国香港 | 香港 | 中国香港特别行政区 | 香港特别行政区 | HKG
446 中国澳门 | 澳门 | 中国澳门特别行政区 | 澳门特别行政区 | MAC
158 中国台湾 | 台湾 | 中国台湾省 | 台湾省 | TWN
840 美国 | 美利坚合众国 | USA
826 英国 | 大不列颠及北爱尔兰联合王国 | GBR
124 加拿大 | CAN
036 澳大利亚 | AUS
554 新西兰 | NZL
392 日本 | JPN
410 韩国 | 大韩民国 | KOR
408 朝鲜 | 朝鲜民主主义人民共和国 | PRK
496 蒙古 | 蒙古国 | MNG
643 俄罗斯 | 俄罗斯联邦 | RUS
250 法国 | 法兰西共和国 | FRA
276 德国 | 德意志联邦共和国 | DEU
380 意大利 | ITA
724 西班牙 | ESP
620 葡萄牙 | PRT
528 荷兰 | NLD
056 比利时 | BEL
756 瑞士 | CHE
040 奥地利 | AUT
752 瑞典 | SWE
578 挪威 | NOR
208 丹麦 | DNK
246 芬兰 | FIN
372 爱尔兰 | IRL
616 波兰 | POL
804 乌克兰 | UKR
112 白俄罗斯 | BLR
398 哈萨克斯坦 | KAZ
860 乌兹别克斯坦 | UZB
417 吉尔吉斯斯坦 | KGZ
762 塔吉克斯坦 | TJK
792 土耳其 | TUR
364 伊朗 | IRN
376 以色列 | ISR
784 阿联酋 | 阿拉伯联合酋长国 | ARE
682 沙特阿拉伯 | SAU
818 埃及 | EGY
710 南非 | ZAF
566 尼日利亚 | NGA
404 肯尼亚 | KEN
231 埃塞俄比亚 | ETH
356 印度 | IND
586 巴基斯坦 | PAK
050 孟加拉国 | 孟加拉 | BGD
144 斯里兰卡 | LKA
524 尼泊尔 | NPL
704 越南 | VNM
418 老挝 | LAO
116 柬埔寨 | KHM
104 缅甸 | MMR
764 泰国 | THA
458 马来西亚 | MYS
702 新加坡 | SGP
360 印度尼西亚 | 印尼 | IDN
608 菲律宾 | PHL
096 文莱 | BRN
076 巴西 | BRA
484 墨西哥 | MEX
032 阿根廷 | ARG
152 智利 | CHL
604 秘鲁 | PER
170 哥伦比亚 | COL
192 古巴 | CUB
999 其他国家或地区 | 其他
""", source="GB/T 2659 (numeric)", note="Common countries only; 999 其他国家或地区 is our own catch-all (inferred).")

ID_TYPE = _table("身份证件类型", """
1 居民身份证 | 身份证 | 中华人民共和国居民身份证 | 二代身份证 | 公民身份证
2 军官证
3 士兵证
4 文职干部证
5 部队离退休证
6 香港特区护照/身份证明 | 香港特区护照 | 香港身份证 | 香港特别行政区护照
7 澳门特区护照/身份证明 | 澳门特区护照 | 澳门身份证 | 澳门特别行政区护照
8 台湾居民来往大陆通行证 | 台胞证
9 境外永久居住证 | 外国人永久居留身份证 | 外国人永久居留证
A 护照 | 外国护照
B 户口簿 | 户口本
Z 其他
""")

_ETHNIC_NAMES = """
01:汉族 02:蒙古族 03:回族 04:藏族 05:维吾尔族 06:苗族 07:彝族 08:壮族 09:布依族 10:朝鲜族
11:满族 12:侗族 13:瑶族 14:白族 15:土家族 16:哈尼族 17:哈萨克族 18:傣族 19:黎族 20:傈僳族
21:佤族 22:畲族 23:高山族 24:拉祜族 25:水族 26:东乡族 27:纳西族 28:景颇族 29:柯尔克孜族 30:土族
31:达斡尔族 32:仫佬族 33:羌族 34:布朗族 35:撒拉族 36:毛南族 37:仡佬族 38:锡伯族 39:阿昌族 40:普米族
41:塔吉克族 42:怒族 43:乌孜别克族 44:俄罗斯族 45:鄂温克族 46:德昂族 47:保安族 48:裕固族 49:京族 50:塔塔尔族
51:独龙族 52:鄂伦春族 53:赫哲族 54:门巴族 55:珞巴族 56:基诺族 97:其他 98:外国血统中国籍人士
"""
ETHNICITY = _table("民族", "\n".join(
    f"{code} {name}" + (f" | {name[:-1]}" if name.endswith("族") else "") + (" | 外国血统" if code == "98" else "")
    for code, name in (pair.split(":") for pair in _ETHNIC_NAMES.split())
), source="GB 3304", note="The name without 族 is accepted too (汉, 维吾尔, 土家).")

POLITICAL_STATUS = _table("政治面貌", """
01 中共党员 | 中国共产党党员 | 党员 | 共产党员
02 中共预备党员 | 中国共产党预备党员 | 预备党员
03 共青团员 | 中国共产主义青年团团员 | 团员
04 民革党员 | 中国国民党革命委员会会员 | 民革会员
05 民盟盟员 | 中国民主同盟盟员
06 民建会员 | 中国民主建国会会员
07 民进会员 | 中国民主促进会会员
08 农工党党员 | 中国农工民主党党员
09 致公党党员 | 中国致公党党员
10 九三学社社员
11 台盟盟员 | 台湾民主自治同盟盟员
12 无党派民主人士 | 无党派人士 | 无党派
13 群众 | 普通公民
""", source="GB/T 4762", exclusive=("12", "13"),
    note="12 and 13 cannot be combined with another value; the basic set holds one value, so the rule "
         "only matters to a multi-valued field.")

MARITAL_STATUS = _table("婚姻状况", """
10 未婚
20 已婚
21 初婚
22 再婚
23 复婚
30 丧偶
40 离婚
90 未说明 | 未说明的婚姻状况
""", source="GB/T 2261.2")

HEALTH = _table("健康状况", """
1 健康或良好 | 健康 | 良好
2 一般或较弱 | 一般 | 较弱
3 有慢性病 | 慢性病
6 残疾
""", source="GB/T 2261.3")

STAFF_SOURCE = _table("教职工来源", """
11 录用应届毕业生 | 应届毕业生
12 录用非应届毕业生 | 非应届毕业生
13 录用特岗计划教师 | 特岗教师转正
14 录用公费师范毕业生 | 录用免费师范毕业生 | 公费师范生履约
21 军队转业干部 | 军转干部
22 退役士兵 | 复员退伍军人
30 调入
31 调入（系统内） | 系统内调入
32 调入（系统外） | 系统外调入
40 回国定居 | 归国
99 其他
""", source="DOMAIN.md, partly inferred",
    note="inferred: DOMAIN.md gives 11, 12–14 'variants', 21/22 '军转', 31/32 调入. 13 and 14 are our reading of the "
         "recruitment variants (特岗 teachers taken on after service; 公费师范 graduates under contract); 21/22 split "
         "军转 into officers and soldiers. 30 调入 is a parent node that may be chosen (the sample sheets write plain "
         "调入 without 系统内/外), in the way tree tables allow a parent node.")

STAFF_CATEGORY = _table("教职工类别", """
11 专任教师
12 教辅人员
13 行政人员
14 工勤人员
30 校办企业职工
40 其他附设机构人员
55 代课教师
56 兼任教师
""")

EMPLOYMENT_FORM = _table("用人形式", """
1 人事代理
2 劳务派遣
9 其他
""", source="inferred", note="inferred: DOMAIN.md gives names only; codes are ours.")

CONTRACT = _table("签订合同情况", """
0 未签合同 | 未签订合同 | 无
1 聘用合同
2 劳动合同
3 其他合同 | 其他
""")

IT_ABILITY = _table("信息技术应用能力", """
1 精通
2 熟练
3 良好
4 一般
5 较弱
""", source="inferred", note="inferred: DOMAIN.md gives names only; codes are ours.")

GRASSROOTS_PROGRAMME = _table("是否参加基层服务项目", """
0 否 | 未参加
1 特岗计划（中央） | 中央特岗 | 特岗计划中央
2 特岗计划（地方） | 地方特岗 | 特岗计划地方
3 三支一扶
4 西部计划 | 大学生志愿服务西部计划
5 大学生村官 | 村官
""", source="inferred", note="inferred: DOMAIN.md gives names only; codes are ours (0 = 否 as in 是否).")

PERSONNEL_STATUS = _table("人员状态", """
100 在本单位任职
201 暂未在本单位任职-借出到机关 | 借出到机关
202 暂未在本单位任职-借出到事业单位 | 借出到事业单位
203 暂未在本单位任职-长病假 | 长病假
204 暂未在本单位任职-进修 | 进修
205 暂未在本单位任职-交流轮岗 | 交流轮岗
206 暂未在本单位任职-企业实践 | 企业实践
207 暂未在本单位任职-因公出国 | 因公出国
208 暂未在本单位任职-离岗创业 | 离岗创业
209 暂未在本单位任职-待退休 | 待退休
210 暂未在本单位任职-待岗 | 待岗
211 暂未在本单位任职-下落不明 | 下落不明
299 暂未在本单位任职-其他 | 其他
""")

EDUCATION = _table("学历", """
0 无
11 博士研究生毕业
12 博士研究生结业
13 博士研究生肄业
14 硕士研究生毕业
15 硕士研究生结业
16 硕士研究生肄业
17 研究生班毕业
18 研究生班结业
19 研究生班肄业
21 大学本科毕业 | 本科
22 大学本科结业
23 大学本科肄业
28 大学普通班毕业
31 大学专科毕业 | 专科 | 大专
32 大学专科结业
33 大学专科肄业
41 中等专科毕业 | 中专
42 中等专科结业
43 中等专科肄业
44 职业高中毕业
47 技工学校毕业
61 普通高中毕业 | 高中
71 初中毕业
81 小学毕业
90 其他
""", source="GB/T 4658", note="0 无 as the study-history set uses it.")

DEGREE_LEVEL = _table("学位层次", """
2 博士
3 硕士
4 学士
0 无
""")

POST_CATEGORY = _table("岗位类别", """
1 教师岗位
2 其他专业技术岗位
3 管理岗位
4 工勤技能岗位
998 未评(试用期)
999 未评(其他)
""")

TECH_POSITION = _table("专业技术职务（中小学）", """
0 无
1 正高级教师
2 高级教师
3 一级教师
4 二级教师
5 三级教师
9 未定级
""", source="inferred", note="inferred: names from DOMAIN.md; codes are ours.")

ASSESSMENT_RESULT = _table("年度考核结果", """
1 优秀
2 合格
3 基本合格
4 不合格
5 不确定考核结果
6 未参加考核
""", source="inferred", note="inferred: names from DOMAIN.md; codes are ours.")

QUALIFICATION_TYPE = _table("教师资格种类", """
1 幼儿园
2 小学
3 初级中学
4 高级中学
5 中等职业学校
6 中职实习指导
7 高等学校
0 无
""")

STUDY_MODE = _table("学习方式", """
1 全脱产
2 半脱产
3 不脱产
""")

HONOUR_LEVEL = _table("荣誉级别", """
1 国家级
2 省级
3 地市级
4 县级
5 校级 | 基层单位
8 国际 | 国际国外
0 无
""")

ACADEMIC_ORIGIN = _table("学缘结构", """
1 本校
2 外校（境内）
3 外校（境外）
""", source="inferred", note="inferred: INDICATOR_SETS.md names the 高校 field, not its values.")

TABLES: dict[str, CodeTable] = {t.name: t for t in (
    GENDER, YES_NO, NATIONALITY, ID_TYPE, ETHNICITY, POLITICAL_STATUS, MARITAL_STATUS, HEALTH,
    STAFF_SOURCE, STAFF_CATEGORY, EMPLOYMENT_FORM, CONTRACT, IT_ABILITY, GRASSROOTS_PROGRAMME,
    PERSONNEL_STATUS, EDUCATION, DEGREE_LEVEL, POST_CATEGORY, TECH_POSITION, ASSESSMENT_RESULT,
    QUALIFICATION_TYPE, STUDY_MODE, HONOUR_LEVEL, ACADEMIC_ORIGIN, *SET_TABLES,
)}

CHINA = "156"


def table(name: str) -> CodeTable:
    return TABLES[name]

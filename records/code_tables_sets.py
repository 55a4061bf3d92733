"""Code tables used by the repeatable information sets (学习经历 … 学时学分), as data.

Same notation and lookup rules as `records/code_tables.py` (which registers these in TABLES).
INDICATOR_SETS.md names most of these tables (Degree, StudyOrg, UnitNatureType, PostLevel, …)
without listing their values. Values come from the national standards where one exists
(学位 GB/T 6864, 岗位等级 from the 事业单位岗位设置 rules, 处分 from the 事业单位工作人员处分
rules); the codes of tables without a public standard are ours, marked `inferred`: stable keys
inside this system, not claims about the national export. Tree tables (单位性质类别, 在学单位类别,
交流轮岗类型, 中职任课学科类别) are flat here: a parent node is a code of its own and may be
chosen, as the national forms allow.

Not here: which field uses which table (`records/indicators.py`, `records/sets.py`).
"""
from __future__ import annotations

from .codes import table_from_rows as _table

_DISCIPLINES = ("哲学", "经济学", "法学", "教育学", "文学", "历史学", "理学", "工学", "农学", "医学", "军事学",
                "管理学", "艺术学")
_PROFESSIONAL = {
    "2": ("教育博士专业学位", "工程博士专业学位", "临床医学博士专业学位"),
    "3": ("教育硕士专业学位", "体育硕士专业学位", "汉语国际教育硕士专业学位", "艺术硕士专业学位",
          "翻译硕士专业学位", "社会工作硕士专业学位", "工程硕士专业学位", "工商管理硕士专业学位",
          "公共管理硕士专业学位", "法律硕士专业学位", "其他硕士专业学位"),
    "4": (),
}
_LEVEL_WORD = {"2": "博士", "3": "硕士", "4": "学士"}


def _degree_rows() -> str:
    rows = []
    for level, word in _LEVEL_WORD.items():
        for i, d in enumerate(_DISCIPLINES, start=1):
            rows.append(f"{level}{i:02d} {d}{word}学位 | {d}{word}")
        for i, name in enumerate(_PROFESSIONAL[level], start=41):
            rows.append(f"{level}{i:02d} {name}")
        rows.append(f"{level}99 其他{word}学位")
    return "\n".join(rows)


DEGREE = _table("学位名称", _degree_rows(), source="GB/T 6864, partly inferred",
                note="The first digit is the 学位层次 (2 博士, 3 硕士, 4 学士): the set's linkage rule filters by it. "
                     "Academic degrees by discipline follow GB/T 6864's 门类 order; professional degrees (41–) "
                     "and the x99 catch-alls are ours (inferred).")

STUDY_ORG = _table("在学单位类别", """
10 普通高等学校
11 普通高等学校-“双一流”建设高校 | 双一流建设高校 | 985工程院校 | 211工程院校
12 普通高等学校-其他本科院校 | 其他本科院校
13 普通高等学校-高职（专科）院校 | 高职院校 | 专科院校
20 成人高等学校
30 科研机构
40 党校、行政学院 | 党校 | 行政学院
50 中等职业学校 | 中专
60 普通高中
70 境外院校或机构 | 境外院校
90 其他
""", source="inferred", note="inferred: INDICATOR_SETS.md names a tree table StudyOrg without values.")

UNIT_NATURE = _table("单位性质类别", """
10 党政机关 | 机关
20 事业单位
21 事业单位-中小学、幼儿园 | 中小学 | 幼儿园
22 事业单位-中等职业学校
23 事业单位-高等学校 | 高等学校 | 高校
24 事业单位-其他教育事业单位
29 事业单位-其他事业单位
30 企业
31 企业-国有企业 | 国有企业 | 国企
32 企业-民营企业 | 民营企业 | 私营企业
33 企业-外资企业 | 外资企业
40 社会组织
41 社会组织-民办学校或幼儿园 | 民办学校 | 民办幼儿园
50 部队 | 军队
60 境外单位
90 其他
""", source="inferred", note="inferred: INDICATOR_SETS.md names a tree table UnitNatureType without values.")

POST_LEVEL = _table("岗位等级", "\n".join([
    *(f"1{i:02d} 专技{n}级 | 专业技术{n}级 | 专业技术岗位{n}级 | 专技{i}级"
      for i, n in enumerate("一 二 三 四 五 六 七 八 九 十 十一 十二 十三".split(), start=1)),
    *(f"2{i:02d} 管理{n}级 | 管理岗位{n}级 | 管理{i}级"
      for i, n in enumerate("一 二 三 四 五 六 七 八 九 十".split(), start=1)),
    *(f"3{i:02d} 工勤{n}级 | 工勤技能{n}级 | 工勤技能岗位{n}级 | 工勤{i}级"
      for i, n in enumerate("一 二 三 四 五".split(), start=1)),
    "306 普通工 | 工勤普通工",
    "998 未评(试用期) | 未评（试用期） | 试用期",
    "999 未评(其他) | 未评（其他） | 未评",
]), source="事业单位岗位设置管理 (专技 13 级, 管理 10 级, 工勤 5 级 + 普通工); codes inferred",
    note="The first digit links a level to its 岗位类别 (1/2 → 1xx, 3 → 2xx, 4 → 3xx); 998/999 go with every category.")

SCHOOL_DUTY = _table("校级职务", """
00 无
01 校长
02 党组织书记 | 党委书记 | 党支部书记 | 书记
03 副校长
04 党组织副书记 | 党委副书记 | 副书记
05 校长助理
06 工会主席
07 纪检负责人 | 纪委书记
09 其他校级职务
""", source="inferred", exclusive=("00",), note="inferred: INDICATOR_SETS.md: multi-select, 00 无 stands alone.")

KINDERGARTEN_DUTY = _table("园级职务", """
00 无
01 园长
02 党组织书记 | 党支部书记 | 书记
03 副园长
04 党组织副书记 | 副书记
05 园长助理
09 其他园级职务
""", source="inferred", exclusive=("00",), note="inferred: 幼儿园 uses its own duty table (INDICATOR_SETS.md).")

TECH_POSITION_VOCATIONAL = _table("专业技术职务（中职）", """
0 无
11 正高级讲师
12 高级讲师
13 讲师
14 助理讲师
15 教员
21 正高级实习指导教师
22 高级实习指导教师
23 一级实习指导教师
24 二级实习指导教师
25 三级实习指导教师
9 未定级
""", source="中等职业学校教师职称制度; codes inferred")

TECH_POSITION_HIGHER = _table("专业技术职务（高校）", """
0 无
11 教授
12 副教授
13 讲师
14 助教
21 研究员
22 副研究员
23 助理研究员
9 未定级
""", source="高等学校教师职务; codes inferred")

INSURANCE = _table("五险一金", """
1 养老保险 | 基本养老保险
2 医疗保险 | 基本医疗保险
3 失业保险
4 工伤保险
5 生育保险
6 住房公积金 | 公积金
7 职业年金
0 无
""", source="inferred", exclusive=("0",), note="inferred: multi-select; 无 stands alone (INDICATOR_SETS.md).")

TEACH_SUBJECT = _table("任教学科", """
01 语文
02 数学
03 英语 | 外语
04 道德与法治 | 思想品德 | 品德与生活 | 品德与社会
05 思想政治 | 政治
06 历史
07 地理
08 物理
09 化学
10 生物 | 生物学
11 科学
12 音乐
13 美术
14 体育 | 体育与健康
15 信息技术 | 信息科技
16 通用技术
17 心理健康
18 综合实践活动 | 综合实践
19 劳动
20 书法
21 日语
22 俄语
23 学前教育 | 幼儿教育
24 特殊教育
99 其他
""", source="inferred", note="inferred: the subjects of the national curriculum; used for 任教学科 and 任教课程.")

VIRTUE_RESULT = _table("师德考核结论", """
1 优秀
2 合格
3 基本合格
4 不合格
""", source="inferred")

SANCTION = _table("处分类别", """
0 无
11 警告
12 记过
13 降低岗位等级
14 撤职
15 开除
21 党内警告
22 党内严重警告
23 撤销党内职务
24 留党察看
25 开除党籍
99 其他处分
""", source="事业单位工作人员处分规定 and the Party's discipline rules; codes inferred")

TERM = _table("学期", """
1 第一学期 | 秋季学期 | 上学期
2 第二学期 | 春季学期 | 下学期
""", source="inferred")

HALF_YEAR = _table("学期（高校）", """
1 上半年
2 下半年
9 其他
""", source="inferred", note="The 高校 variant of 教育教学 (INDICATOR_SETS.md).")

STAGE = _table("任教学段", """
10 学前
21 小学
31 初中
34 高中
00 无
""", source="inferred", exclusive=("00",),
    note="inferred: multi-select; codes follow the school type codes. 无 forces 任课状况 = 未任课.")

TEACHING_STATUS = _table("任课状况", """
20 任课
10 未任课
99 其他
""", source="INDICATOR_SETS.md")

EXTRA_DUTY = _table("兼任工作", """
0 无
1 班主任
2 年级组长
3 教研组长
4 备课组长
5 团队辅导员 | 少先队辅导员 | 团委书记
6 心理辅导
7 实验室管理
8 图书管理
9 行政管理
99 其他
""", source="inferred", exclusive=("0",), note="inferred: multi-select, 无 stands alone; 99 asks for the name.")

VOC_COURSE_TYPE = _table("任课课程类别", """
1 公共基础课
2 专业课
3 实习指导课
9 其他
""", source="inferred")

VOC_SUBJECT = _table("任课学科类别", """
01 公共基础课-语文 | 语文
02 公共基础课-数学 | 数学
03 公共基础课-英语 | 英语
04 公共基础课-思想政治 | 思想政治
05 公共基础课-历史 | 历史
06 公共基础课-体育与健康 | 体育与健康
07 公共基础课-艺术 | 艺术
08 公共基础课-信息技术 | 信息技术
09 公共基础课-其他
11 农林牧渔类
12 资源环境与安全类
13 能源动力与材料类
14 土木建筑类
15 水利类
16 装备制造类
17 生物与化工类
18 轻工纺织类
19 食品药品与粮食类
20 交通运输类
21 电子与信息类
22 医药卫生类
23 财经商贸类
24 旅游类
25 文化艺术类
26 新闻传播类
27 教育与体育类
28 公安与司法类
29 公共管理与服务类
99 其他
""", source="中等职业教育专业目录 (2021) 专业大类; codes inferred")

SPECIAL_COURSE = _table("特教任教课程", """
01 生活语文
02 生活数学
03 生活适应
04 劳动技能
05 唱游与律动
06 绘画与手工
07 运动与保健
08 沟通与交往
09 康复训练
10 定向行走
11 盲文
12 手语
13 语文
14 数学
15 信息技术
99 其他
""", source="培智/盲/聋学校义务教育课程设置; codes inferred")

SUPERVISOR = _table("导师类别", """
1 博士生导师 | 博导
2 硕士生导师 | 硕导
3 博士、硕士导师 | 博士硕士导师
0 无
""", source="INDICATOR_SETS.md (高校); codes inferred")

PROJECT_TYPE = _table("项目类型", """
1 国家级项目
2 省部级项目
3 地市级项目
4 县区级项目
5 校级项目
6 横向项目 | 企事业单位委托项目
9 其他项目
0 无
""", source="inferred", note="inferred: 无 allowed (INDICATOR_SETS.md).")

BOOK_TYPE = _table("著作类别", """
1 专著
2 编著
3 译著
4 教材
5 工具书
6 科普读物
9 其他
""", source="inferred")

PAPER_INDEX = _table("论文收录情况", """
1 SCI
2 SSCI
3 EI
4 A&HCI
5 CSSCI
6 CSCD
7 北大中文核心期刊 | 中文核心期刊 | 北大核心
9 其他
0 未收录
""", source="inferred")

AWARD_TYPE = _table("奖励类别", """
1 教学成果奖
2 科学技术奖
3 哲学社会科学优秀成果奖 | 社科成果奖
4 教学竞赛奖 | 优质课评比
5 优秀论文奖
9 其他
""", source="inferred")

AWARD_GRADE = _table("奖励等级", """
1 特等奖
2 一等奖
3 二等奖
4 三等奖
5 优秀奖
9 其他
""", source="inferred", note="其他 asks for 其他等级.")

ARTWORK_TYPE = _table("文艺作品类别", """
1 音乐
2 舞蹈
3 戏剧
4 美术
5 书法
6 摄影
7 影视
8 文学
9 其他
""", source="inferred")

PATENT_TYPE = _table("专利或软件著作权类型", """
1 发明专利
2 实用新型专利
3 外观设计专利
4 软件著作权 | 计算机软件著作权
9 其他
""", source="inferred")

TALENT_PROJECT = _table("入选人才项目", """
00 无
01 “长江学者奖励计划” | 长江学者
02 国家“万人计划” | 万人计划
03 国家杰出青年科学基金 | 杰青
04 “百千万人才工程”国家级人选 | 百千万人才工程
05 全国教书育人楷模
06 国家级教学名师
07 省级教学名师
08 海南省“南海系列”育才计划 | 南海名家 | 南海英才
09 省级骨干教师培养对象
10 市县级人才项目
99 其他
""", source="inferred", note="inferred: national and Hainan programmes; 00 无 clears 入选年份.")

TRAINING_TYPE = _table("培训类别", """
1 国家级培训 | 国培计划
2 省级培训 | 省培计划
3 地市级培训 | 市级培训
4 县区级培训 | 县级培训
5 校本培训 | 校级培训
9 其他
""", source="inferred")

TRAINING_WAY = _table("培训方式", """
1 集中面授 | 面授
2 网络研修 | 网络培训 | 线上
3 混合式研修 | 混合式
4 校本研修
5 跟岗实践 | 影子培训
9 其他
""", source="inferred")

LANGUAGE = _table("语种", """
01 英语
02 日语
03 俄语
04 法语
05 德语
06 西班牙语
07 阿拉伯语
08 朝鲜语 | 韩语
09 葡萄牙语
10 意大利语
11 泰语
12 越南语
13 马来语
14 汉语 | 普通话
15 少数民族语言
16 手语
99 其他
00 无
""", source="inferred", note="inferred; 00 无 clears 掌握程度 (our decision: not every teacher has a foreign language).")

MASTERY = _table("掌握程度", """
1 精通
2 熟练
3 良好
4 一般
""", source="inferred")

CERTIFICATE_TYPE = _table("证书类型", """
1 语言证书
2 计算机证书
3 职业技能等级证书
4 专业技术资格证书
9 其他证书
0 无
""", source="inferred", note="Default 语言证书; 无 disables the rest (INDICATOR_SETS.md).")

LANGUAGE_CERTIFICATE = _table("语言证书名称", """
01 普通话水平测试等级证书 | 普通话证书
02 大学英语四级证书 | 英语四级 | CET4
03 大学英语六级证书 | 英语六级 | CET6
04 英语专业四级证书 | 专四 | TEM4
05 英语专业八级证书 | 专八 | TEM8
06 雅思 | IELTS
07 托福 | TOEFL
08 日本语能力测试证书 | 日语能力测试 | JLPT
09 全国外语水平考试证书 | WSK
99 其他
""", source="inferred", note="其他 asks for 证书名称.")

ROTATION_TYPE = _table("交流轮岗类型", """
00 无
10 县域内交流轮岗
11 县域内交流轮岗-城镇学校到乡村学校 | 城镇到乡村
12 县域内交流轮岗-乡村学校到城镇学校 | 乡村到城镇
13 县域内交流轮岗-城镇学校之间 | 城镇之间
14 县域内交流轮岗-乡村学校之间 | 乡村之间
20 跨县域交流
30 对口支援、支教 | 支教 | 对口支援
40 挂职、跟岗锻炼 | 挂职 | 跟岗
90 其他
""", source="inferred", note="inferred: a tree table (RotationType); 00 无 clears the rest.")

CREDIT_KIND = _table("申报类型", """
1 集中
2 非集中
""", source="the provincial clone in INDICATOR_SETS.md")

CREDIT_SOURCE = _table("学时来源", """
1 国内培训
2 继续教育平台
3 学历提升
4 论文著作
5 课题研究
9 其他
""", source="ours", note="Our own: where a 学时学分 row comes from (reviewed 国内培训 rows, platform imports, …).")

SET_TABLES = (
    DEGREE, STUDY_ORG, UNIT_NATURE, POST_LEVEL, SCHOOL_DUTY, KINDERGARTEN_DUTY, TECH_POSITION_VOCATIONAL,
    TECH_POSITION_HIGHER, INSURANCE, TEACH_SUBJECT, VIRTUE_RESULT, SANCTION, TERM, HALF_YEAR, STAGE,
    TEACHING_STATUS, EXTRA_DUTY, VOC_COURSE_TYPE, VOC_SUBJECT, SPECIAL_COURSE, SUPERVISOR, PROJECT_TYPE,
    BOOK_TYPE, PAPER_INDEX, AWARD_TYPE, AWARD_GRADE, ARTWORK_TYPE, PATENT_TYPE, TALENT_PROJECT, TRAINING_TYPE,
    TRAINING_WAY, LANGUAGE, MASTERY, CERTIFICATE_TYPE, LANGUAGE_CERTIFICATE, ROTATION_TYPE, CREDIT_KIND,
    CREDIT_SOURCE,
)

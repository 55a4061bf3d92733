"""The XML parser's and the BPMN schema's complaints (libxml2, in English) in the process
administrator's words. The common ones are translated; any other keeps its text, marked as
technical detail, after a Chinese sentence that says what kind of problem it is.
"""
from __future__ import annotations

import re

_BPMN = re.compile(r"\{http://www\.omg\.org/spec/BPMN/20100524/MODEL\}")
_WHERE = re.compile(r",? line (\d+), column (\d+)$")

_XML = (
    (r"expected '(.+?)'", "缺少“{0}”"),
    (r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)",
     "开始标签 <{0}>（第 {1} 行）与结束标签 </{2}> 不配对"),
    (r"Premature end of data in tag (\S+) line (\d+)", "<{0}> 标签（第 {1} 行）还没有结束，文件就结束了：文件不完整"),
    (r"EndTag: '</' not found", "缺少结束标签：文件不完整"),
    (r"Extra content at the end of the document", "根元素结束后还有多余的内容"),
    (r"Document is empty|Start tag expected, '<' not found", "文件开头不是 XML 标签"),
    (r"StartTag: invalid element name", "标签名无效（“<”后应为元素名）"),
    (r"Couldn't find end of Start Tag (\S+)", "<{0}> 标签没有写完"),
    (r"attributes construct error", "属性写法有误（引号是否配对？）"),
    (r"AttValue: \" or ' expected", "属性值须用引号括起来"),
    (r"Specification mandates value for attribute (\S+)", "属性 {0} 没有值"),
    (r"Attribute (\S+) redefined", "属性 {0} 写了两次"),
    (r"Unescaped '<' not allowed in attributes values", "属性值中不能直接写“<”，请写成 &lt;"),
    (r"xmlParseEntityRef: no name|EntityRef: expecting ';'", "“&”须写成 &amp;"),
    (r"Entity '(\S+)' not defined", "实体 &{0}; 未定义"),
    (r"Input is not proper UTF-8.*|Document labelled UTF-16 but has UTF-8 content", "文件编码不是 UTF-8"),
    (r"Char 0x[0-9A-Fa-f]+ out of allowed range|PCDATA invalid Char value \d+", "含有 XML 不允许的控制字符"),
)

_XSD = (
    (r"Element '(.+?)': This element is not expected\. Expected is (?:one of )?\( ?(.+?) ?\)\.",
     "元素 {0} 不应出现在这里（此处应为 {1}）"),
    (r"Element '(.+?)': This element is not expected\.", "元素 {0} 不应出现在这里"),
    (r"Element '(.+?)', attribute '(.+?)': The attribute '.+?' is not allowed\.", "元素 {0} 不能有属性 {1}"),
    (r"Element '(.+?)': The attribute '(.+?)' is required but missing\.", "元素 {0} 缺少必需的属性 {1}"),
    (r"Element '(.+?)', attribute '(.+?)': '(.*?)' is not a valid value of the atomic type 'xs:ID'\.",
     "元素 {0} 的 {1}“{2}”不是合法的标识：须以字母或下划线开头，只含字母、数字、“_”“-”“.”"),
    (r"Element '(.+?)', attribute '(.+?)': '(.*?)' is not a valid value of the atomic type '(.+?)'\.",
     "元素 {0} 的属性 {1} 的值“{2}”不合法（应为 {3}）"),
    (r"Element '(.+?)': Missing child element\(s\)\. Expected is (?:one of )?\( ?(.+?) ?\)\.",
     "元素 {0} 缺少子元素（应有 {1}）"),
    (r"Element '(.+?)': Character content other than whitespace is not allowed.*", "元素 {0} 中不能直接写文字"),
    (r"Element '(.+?)': No match found for key-sequence \['(.+?)'\] of keyref.*", "元素 {0} 引用的“{1}”不存在"),
    (r"Element '(.+?)': Duplicate key-sequence \['(.+?)'\].*", "标识“{1}”重复（元素 {0}）"),
)


def _translate(text: str, table) -> str | None:
    for pattern, words in table:
        m = re.fullmatch(pattern, text.strip())
        if m:
            return words.format(*m.groups())
    return None


def xml_syntax(message: str) -> str:
    """A libxml2 syntax error ("expected '>', line 7, column 79") in Chinese, with where it is."""
    where = _WHERE.search(message)
    text = _WHERE.sub("", message).strip()
    place = f"（第 {where.group(1)} 行第 {where.group(2)} 列）" if where else ""
    translated = _translate(text, _XML)
    return (translated + place) if translated else f"语法错误{place}（技术信息：{text}）"


def schema(message: str) -> str:
    """A BPMN schema (XSD) complaint in Chinese, element names as bpmn:task."""
    text = _BPMN.sub("bpmn:", message).strip()
    translated = _translate(text, _XSD)
    return translated if translated else f"（技术信息：{text}）"

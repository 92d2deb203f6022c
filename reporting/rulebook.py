"""Rules every return shares: the syntax of the file and template (S...), and the cell rules
that follow from a column's declaration (V0..). Spec-specific rules live with their spec.

Codes are stable: filers quote them, and the documentation page links to them. Messages may
use the placeholders {column}, {value}, {sheet}, {row}, {cell}, {expected}, {found},
{limit}, {detail} and {rules}; ``tests/reporting/test_messages.py`` holds every rule to them.
"""

from reporting.spec import Blank, Rule, RuleClass, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE
SYN, VAL, QUA = RuleClass.SYNTAX, RuleClass.VALIDITY, RuleClass.QUALITY


def _syntax(code: str, zh: str, en: str, hint_zh: str, hint_en: str, severity=E) -> Rule:
    return Rule(code, SYN, severity, zh, en, hint_zh, hint_en)


SYNTAX_RULES: tuple[Rule, ...] = (
    Rule(
        "S001",
        SYN,
        E,
        "文件是{kind}，不是 Excel 工作簿（.xlsx）：{fix}",
        "The file is {kind}, not an Excel workbook (.xlsx): {fix}",
        "本表只接收用本表模板填写的 .xlsx 工作簿。",
        "Only .xlsx workbooks filled in from this return's template are accepted.",
        # Rejections stored before S001 named the kind of file said only "not a workbook".
        fallback=(
            ("kind", "另一种文件", "another kind of file"),
            (
                "fix",
                "请用本表模板填写并另存为 .xlsx 后上传。",
                "fill in this return's template, save it as .xlsx and upload that.",
            ),
        ),
    ),
    _syntax(
        "S002",
        "文件是旧版 Excel 97-2003 格式（.xls）。",
        "The file is an old Excel 97-2003 workbook (.xls).",
        "请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。",
        "Save it as an Excel Workbook (.xlsx) with 'Save As', then upload it again.",
    ),
    _syntax(
        "S003",
        "工作簿含有宏（VBA），出于安全原因不予接收。",
        "The workbook contains macros (VBA) and is refused for safety.",
        "请另存为不含宏的 .xlsx 格式后上传。",
        "Save it as a macro-free .xlsx workbook and upload that.",
    ),
    _syntax(
        "S004",
        "工作簿设置了打开密码（已加密），无法读取。",
        "The workbook is password-protected (encrypted) and cannot be read.",
        "请取消文件的打开密码后上传；工作表保护不受影响。",
        "Remove the password to open the file and upload it again; sheet protection is fine.",
    ),
    _syntax(
        "S005",
        "文件超过大小或压缩比限制：{detail}。",
        "The file exceeds a size or compression limit: {detail}.",
        "请只保留本表模板中的数据工作表；数据量确实很大时请分期报送或联系监管部门。",
        "Keep only the template's sheets; if the data really is this large, contact your office.",
    ),
    _syntax(
        "S006",
        "文件含有不安全的 XML 内容（{detail}），不予解析。",
        "The file contains unsafe XML ({detail}) and is not parsed.",
        "请用 Excel 或 WPS 重新保存为 .xlsx；不要用其他工具生成本表。",
        "Save the workbook again from Excel or WPS; do not generate it with other tools.",
    ),
    _syntax(
        "S007",
        "这不是 {expected} 的模板：{found}。",
        "This is not the template of {expected}: {found}.",
        "请下载本表的模板，将数据粘贴进去后上传。",
        "Download this return's template, paste your data into it and upload that.",
    ),
    _syntax(
        "S008",
        "模板版本已过期：文件为 {found} 版，本期应使用 {expected} 版。",
        "The template is outdated: the file is version {found}, this period needs {expected}.",
        "请下载最新模板；新版的栏目有变化，请逐列核对后再填。",
        "Download the current template; its columns differ, so check each column.",
    ),
    _syntax(
        "S009",
        "缺少工作表“{sheet}”。",
        "The sheet '{sheet}' is missing.",
        "请勿删除或重命名模板中的工作表。",
        "Do not delete or rename the template's sheets.",
    ),
    _syntax(
        "S010",
        "缺少列“{column}”（应在第 {expected} 列）。",
        "The column '{column}' is missing (expected as column {expected}).",
        "请勿删除模板中的列；没有数据的列留空即可。",
        "Do not delete template columns; leave a column blank if you have no data for it.",
    ),
    _syntax(
        "S011",
        "多出了模板中没有的列“{found}”（第 {column} 列）。",
        "Column {column}, '{found}', is not in the template.",
        "请删除多出的列，或把数据移到模板规定的列中。",
        "Delete the extra column, or move its data into the template's columns.",
    ),
    _syntax(
        "S012",
        "列“{found}”的表头被改动，应为“{expected}”。",
        "The header '{found}' was changed; it should read '{expected}'.",
        "请恢复模板原有的表头文字。",
        "Restore the template's header text.",
    ),
    _syntax(
        "S013",
        "列的顺序与模板不同：“{column}”应在第 {expected} 列，现在第 {found} 列。",
        "Columns are out of order: '{column}' belongs in column {expected}, found in {found}.",
        "请按模板的列顺序排列数据。",
        "Put the columns back in the template's order.",
    ),
    _syntax(
        "S014",
        "数据区有合并单元格（{detail}）。",
        "The data area has merged cells ({detail}).",
        "请取消合并，每个单元格填一个值。",
        "Unmerge them: one value per cell.",
    ),
    _syntax(
        "S015",
        "单元格含有公式但没有计算结果（{detail}）。",
        "Cells hold formulas without calculated values ({detail}).",
        "请在 Excel 中打开并保存一次，或把公式粘贴为数值。",
        "Open and save the file once in Excel, or paste the formulas as values.",
    ),
    _syntax(
        "S016",
        "数据表中没有数据行。",
        "The data sheet has no data rows.",
        "请从第 3 行起填写数据；确实无业务的，请在备注中说明后报送零报告。",
        "Enter data from row 3; if you truly have nothing to report, say so to your office.",
    ),
    _syntax(
        "S017",
        "数据行过多：{found} 行，上限 {limit} 行。",
        "Too many data rows: {found}, the limit is {limit}.",
        "请核对是否误粘贴了多余内容。",
        "Check for pasted content beyond your data.",
    ),
    _syntax(
        "S018",
        "文件未完整上传（文件在传输中被截断）。",
        "The upload did not arrive complete (the file was cut off in transit).",
        "这不是工作簿本身的问题，请重新上传同一文件。",
        "This is not a fault in your workbook: upload the same file again.",
    ),
    _syntax(
        "S019",
        "工作簿已损坏，无法读取：{detail}。",
        "The workbook is damaged and cannot be read: {detail}.",
        "请在 Excel 中打开并另存为新文件后上传。",
        "Open it in Excel, save it as a new file and upload that.",
    ),
    _syntax(
        "S020",
        "有隐藏的{detail}，其中的数据同样会被校验。",
        "There are hidden {detail}; their data is checked like any other.",
        "请确认隐藏内容确应报送，否则删除后重新上传。",
        "Make sure the hidden content is meant to be filed; otherwise delete it and re-upload.",
        severity=W,
    ),
    _syntax(
        "S021",
        "公式单元格按其缓存的计算结果读取（{detail}）。",
        "Formula cells are read as their cached results ({detail}).",
        "建议把公式粘贴为数值，确保报送的就是所见的数。",
        "Paste formulas as values so that what you file is what you see.",
        severity=W,
    ),
    # Not the file's fault as far as anyone knows: the portal tried it as often as it may
    # (reporting/watchdog.py) without finishing; the filing ends so the filer can act.
    _syntax(
        "S022",
        "门户多次尝试仍未能完成对本文件的校验。",
        "The portal could not finish checking this file after several attempts.",
        "请重新上传本文件；如仍不成功，请联系监管部门。",
        "Please upload it again; if that fails too, contact your supervising office.",
    ),
)


def _cell(
    code: str, zh: str, en: str, hint_zh: str, hint_en: str, blank=Blank.PASSES, severity=E
) -> Rule:
    return Rule(code, VAL, severity, zh, en, hint_zh, hint_en, blank=blank)


# Cell rules implied by a column's declaration; the column is named in each issue.
CELL_RULES: tuple[Rule, ...] = (
    _cell(
        "V001",
        "必填项“{column}”为空。",
        "The required cell '{column}' is blank.",
        "请填写该项；确实为零的数值填 0。",
        "Fill it in; enter 0 for a number that truly is zero.",
        blank=Blank.FAILS,
    ),
    _cell(
        "V002",
        "“{column}”应为数字，填的是“{value}”。",
        "'{column}' must be a number; it holds '{value}'.",
        "只填数字，不要带单位、文字或多个小数点；千分位逗号和全角数字可以识别。",
        "Enter digits only, without units or words; thousands separators are understood.",
    ),
    _cell(
        "V003",
        "“{column}”不能为负数（{value}）。",
        "'{column}' cannot be negative ({value}).",
        "余额、金额和户数都不小于 0；冲减请联系监管部门说明。",
        "Balances, amounts and counts are never below 0.",
    ),
    _cell(
        "V004",
        "“{column}”应为整数（{value}）。",
        "'{column}' must be a whole number ({value}).",
        "户数、笔数、天数等填整数。",
        "Counts of borrowers, policies or days are whole numbers.",
    ),
    _cell(
        "V005",
        "“{column}”的值“{value}”不在可选范围内。",
        "'{value}' is not one of the allowed values of '{column}'.",
        "请从单元格的下拉列表中选择；可选值见填报说明。",
        "Pick a value from the cell's drop-down list; the instructions list them.",
    ),
    _cell(
        "V006",
        "“{column}”不是有效的统一社会信用代码（{value}）。",
        "'{column}' is not a valid unified social credit code ({value}).",
        "统一社会信用代码为 18 位，末位为校验码；请对照营业执照核对，注意 0 与 O、1 与 I。",
        "A credit code has 18 characters, the last a check character; compare it with the "
        "business licence (0 vs O, 1 vs I).",
    ),
    _cell(
        "V007",
        "“{column}”不是已知的行政区划代码（{value}）。",
        "'{column}' is not a known administrative division code ({value}).",
        "填写 6 位县级行政区划代码，例如 350102。",
        "Enter the six-digit county-level division code, e.g. 350102.",
    ),
    _cell(
        "V008",
        "“{column}”不是有效日期（{value}）。",
        "'{column}' is not a valid date ({value}).",
        "日期写作 2025-03-31，或“2025年3月31日”。",
        "Write dates as 2025-03-31 (or 2025年3月31日).",
    ),
    _cell(
        "V009",
        "“{column}”超出允许范围（{value}，应在 {limit} 之内）。",
        "'{column}' is out of range ({value}; allowed: {limit}).",
        "请核对单位：金额以万元计，利率以年化百分数计（3.85 表示 3.85%）。",
        "Check the unit: amounts in 10,000 CNY, rates in percent a year (3.85 means 3.85%).",
    ),
    _cell(
        "V010",
        "“{column}”格式不正确（{value}）。",
        "'{column}' is not in the expected format ({value}).",
        "行业填国民经济行业分类门类字母加两位大类代码，例如 C13；电话填数字。",
        "Industry: a section letter and two digits (e.g. C13); phone: digits.",
    ),
    _cell(
        "V011",
        "“{column}”重复：{value} 已在第 {found} 行出现。",
        "'{column}' is repeated: {value} already appears on row {found}.",
        "每个对象只报一行；请合并重复的行。",
        "Report each one once; merge the repeated rows.",
    ),
    _cell(
        "V012",
        "“{column}”的组织机构代码部分校验位不符（{value}）。",
        "The organisation-code part of '{column}' has a wrong check character ({value}).",
        "请核对代码第 9-17 位；若与营业执照一致，可说明后确认。",
        "Check characters 9-17; if they match the licence, confirm with a reason.",
        severity=W,
    ),
    _cell(
        "V013",
        "“{column}”经规范化后才有效：原值“{value}”含空格、小写或全角字符。",
        "'{column}' is valid only after normalising '{value}' (spaces, lower case, full width).",
        "已按规范化后的值接收；建议在源数据中更正。",
        "Accepted as normalised; correct it in your source data.",
        severity=W,
    ),
    _cell(
        "V014",
        "第 {row} 行是合计或小计行（“{value}”），不是数据：请删除合计行。",
        "Row {row} is a totals row ('{value}'), not data: delete the totals row.",
        "系统按各行自行汇总；合计、小计行请删除后再上传，其余各行不受影响。",
        "The portal adds up your rows itself; delete totals and subtotal rows and upload again.",
    ),
)

# Notes: what the reader did or did not do, so that the report is complete. They neither
# block a filing nor ask the approver to confirm anything.
NOTE_RULES: tuple[Rule, ...] = (
    _cell(
        "N001",
        "未检查：{rules} 依赖单元格 {cell}，而它本身有错（见上）；请先改正 {cell}。",
        "Not checked: {rules} depend on {cell}, which has its own error above; correct {cell}.",
        "改正该单元格后重新上传，这些规则会重新检查。",
        "Once the cell is corrected and uploaded again, these rules are checked.",
        severity=N,
    ),
    _cell(
        "N002",
        "未与上期已接收报表比较：{detail} 没有可比的上期数。",
        "Not compared with the last accepted return: no earlier figure for {detail}.",
        "只有上期已接收数据中有的对象才做跨期比较；无需处理。",
        "Only rows with an accepted earlier figure are compared; nothing to do.",
        severity=N,
    ),
    _cell(
        "N003",
        "“{column}”填的是 {value}，按百分数读作 {found}（本列以年化百分数计）。",
        "'{column}' holds {value}; it is read as {found}, since this column is in percent.",
        "单元格为百分比格式或带 % 号时，按您看到的百分数读取；请核对是否正确。",
        "A cell formatted as a percentage, or typed with %, is read as the percentage you see.",
        severity=N,
    ),
)

# Outliers (``reporting/outliers.py``): a figure far from the filer's own last quarters or
# from its peers' in the quarter. Quarterly returns only.
OUTLIER_RULES: tuple[Rule, ...] = tuple(
    Rule(
        code,
        QUA,
        W,
        "{column}为 {value}，超出预期范围 {expected}（{detail}）。",
        "{column} is {value}, outside the expected range {expected} ({detail}).",
        f"数值明显偏离{zh}；请核对，确实如此的请说明原因。",
        f"The figure is far from {en}; check it, and if it is right, say why.",
    )
    for code, zh, en in (
        ("Q301", "本单位近几个季度的数", "your own last quarters"),
        ("Q302", "本省同类机构的数", "peers of the same kind in the province"),
    )
)

GENERIC_RULES: dict[str, Rule] = {
    r.code: r for r in (*SYNTAX_RULES, *CELL_RULES, *NOTE_RULES, *OUTLIER_RULES)
}


def rule(code: str) -> Rule:
    return GENERIC_RULES[code]

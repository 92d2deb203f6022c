"""The words of two rejections that must say what the file is, in both languages: S001 (not an
Excel workbook: the kind of file the checks found, and how to fix it) and S007 (not this
return's template: the template found and the one expected, in plain words).

A placeholder given in both languages is a ``{"zh": ..., "en": ...}`` pair, which
``findings.render_message`` fills in the reader's language. ``detail`` stays the checker's own
English note, for logs and tests.
"""

from reporting.findings import FileRejected
from reporting.spec import ReturnSpec

Both = dict[str, str]

_TEMPLATE_FIX = {
    "zh": "请下载本表模板，在 Excel 或 WPS 中填写，另存为 .xlsx 后上传。",
    "en": "download this return's template, fill it in Excel or WPS, save it as .xlsx and "
    "upload that.",
}

# kind: (what the file is, how to fix it)
KINDS: dict[str, tuple[Both, Both]] = {
    "empty": (
        {"zh": "空文件（0 字节）", "en": "an empty file (0 bytes)"},
        {
            "zh": "上传或保存出了问题；请在 Excel 或 WPS 中打开工作簿，重新另存为 .xlsx 后上传。",
            "en": "the save or the upload went wrong; open the workbook in Excel or WPS, save it "
            "again as .xlsx and upload that file.",
        },
    ),
    "opendocument": (
        {
            "zh": "OpenDocument 电子表格（.ods，LibreOffice 或 WPS 的格式）",
            "en": "an OpenDocument spreadsheet (.ods, as LibreOffice or WPS save it)",
        },
        {
            "zh": "请在 LibreOffice 或 WPS 中选择“文件 › 另存为”，"
            "文件类型选“Excel 2007-365 (.xlsx)”，再上传该文件。",
            "en": "in LibreOffice or WPS choose File › Save As, pick the type "
            "“Excel 2007-365 (.xlsx)” and upload that file.",
        },
    ),
    "text": (
        {"zh": "CSV 或文本文件", "en": "a CSV or text file"},
        {
            "zh": "请在 Excel 或 WPS 中打开本表模板，把数据粘贴进去，另存为 .xlsx 后上传。",
            "en": "open this return's template in Excel or WPS, paste the data into it, save it "
            "as .xlsx and upload that.",
        },
    ),
    "zip": (
        {"zh": "不含工作簿的压缩包（zip）", "en": "a zip archive with no workbook in it"},
        {
            "zh": "请直接上传 .xlsx 工作簿本身，不要上传压缩包；工作簿在压缩包内的，请先解压。",
            "en": "upload the .xlsx workbook itself, not a zip archive; unzip it first if the "
            "workbook is inside.",
        },
    ),
    "xlsb": (
        {"zh": "二进制工作簿（.xlsb）", "en": "a binary Excel workbook (.xlsb)"},
        {
            "zh": "请在 Excel 中选择“另存为 › Excel 工作簿（.xlsx）”后上传。",
            "en": "in Excel choose Save As › Excel Workbook (.xlsx) and upload that.",
        },
    ),
    "archive": (
        {"zh": "压缩包（RAR、7z 或 gzip）", "en": "a compressed archive (RAR, 7z or gzip)"},
        {
            "zh": "请解压后上传其中的 .xlsx 工作簿。",
            "en": "unpack it and upload the .xlsx workbook inside.",
        },
    ),
    "damaged": (
        {"zh": "损坏的 zip 包", "en": "a damaged zip package"},
        {
            "zh": "文件可能在复制或下载时损坏：请在 Excel 或 WPS 中重新另存为 .xlsx 后上传。",
            "en": "it may have been damaged when copied or downloaded: save it again from Excel "
            "or WPS as .xlsx and upload that.",
        },
    ),
    "pdf": ({"zh": "PDF 文档", "en": "a PDF document"}, _TEMPLATE_FIX),
    "image": ({"zh": "图片", "en": "an image"}, _TEMPLATE_FIX),
    "document": (
        {"zh": "Word 或 PowerPoint 文档", "en": "a Word or PowerPoint document"},
        _TEMPLATE_FIX,
    ),
    "other": ({"zh": "其他类型的文件", "en": "a file of another kind"}, _TEMPLATE_FIX),
}


def not_a_workbook(kind: str, detail: str) -> FileRejected:
    """S001, saying what the file is (a key of ``KINDS``) and how to make it a workbook."""
    what, fix = KINDS[kind]
    return FileRejected.because("S001", detail=detail, kind=what, fix=fix)


def _named(spec: ReturnSpec) -> Both:
    return {
        "zh": f"{spec.code}（{spec.title_zh}）",
        "en": f"{spec.code} ({spec.title_en})",
    }


ANY_RETURN = {"zh": "本系统任何报表", "en": "any return of this portal"}
NOT_FROM_A_TEMPLATE = {
    "zh": "它不是用模板制作的（缺少注明所属报表的隐藏工作表；把数据复制到其他工作簿时会丢失它）",
    "en": "it was not made from the template (the hidden sheet that names the return is missing; "
    "it is lost when the data are copied into another workbook)",
}


def not_from_a_template(spec: ReturnSpec | None) -> FileRejected:
    """S007 for a workbook that does not say which return it is for."""
    expected = ANY_RETURN if spec is None else _named(spec)
    return FileRejected.because("S007", found=NOT_FROM_A_TEMPLATE, expected=expected)


def another_template(code: str, version: str, spec: ReturnSpec) -> FileRejected:
    """S007 for the template of another return (``code``, as its hidden sheet names it)."""
    from reporting.specs import get_spec

    try:
        other = get_spec(code, version or None)
    except (KeyError, ValueError):
        found = {
            "zh": f"它注明的报表“{code[:40]}”不是本系统的报表",
            "en": f"it names a return this portal does not have (“{code[:40]}”)",
        }
    else:
        named = _named(other)
        found = {"zh": f"它是 {named['zh']} 的模板", "en": f"it is the template of {named['en']}"}
    return FileRejected.because("S007", found=found, expected=_named(spec))

"""Every CSV and XLSX file the apps write goes through this module, so no cell can become a formula.

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` (and, after a tab or a
carriage return, whatever follows) as a formula, so a comment such as `=HYPERLINK("http://...")`
written by a caseworker or imported from another system would run on the reader's machine
(CSV/formula injection). `inert()` puts an apostrophe in front of such a text, which the
programs show as text and never evaluate (OWASP's advice); numbers, dates and empty cells are
left alone. `csv_writer()` and `write_xlsx()` apply it to every cell; a test checks that no
other module opens a csv writer or an openpyxl workbook.
"""

import csv

from openpyxl import Workbook

FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """The value, with an apostrophe in front if it is a text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value


class InertDictWriter(csv.DictWriter):
    """`csv.DictWriter` whose rows are made inert cell by cell (the header is ours)."""

    def writerow(self, rowdict):
        return super().writerow({key: inert(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)


def csv_writer(out, columns) -> InertDictWriter:
    """A dict writer on the text stream `out` with a header row already written."""
    writer = InertDictWriter(out, fieldnames=columns)
    writer.writeheader()
    return writer


def write_xlsx(out, columns: list[str], rows, *, sheet_title: str, description: str = "") -> None:
    """One sheet with a header row, written streaming (write-only workbook) to a binary `out`."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = sheet_title
    workbook.properties.description = description
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([inert(row[c]) for c in columns])
    workbook.save(out)

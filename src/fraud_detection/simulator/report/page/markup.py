"""HTML building blocks of the report page: tables, figures, collapsible detail, values.

Every function returns a string of HTML with its text escaped; the page assembles them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from ..plots.figures import DISPLAY_DPI, DPI, png_size
from .text import DASH, count, number, pct, pp, sig

STATUSES = ("pass", "fail", "skipped")


@dataclass(frozen=True)
class Page:
    """What every section renders from: report.json's data and the PNG of each plot."""

    report: Mapping[str, Any]
    images: Mapping[str, bytes | None]


class Raw(str):
    """Text that is already HTML (a cell holding a link or a badge): not escaped again."""


def esc(value: Any) -> str:
    """Return ``value`` as escaped text (``Raw`` passes through)."""
    return value if isinstance(value, Raw) else escape(str(value))


def cell(value: Any, numeric: bool = False) -> str:
    """Return one ``<td>``: right-aligned for numbers, coloured for a status."""
    if isinstance(value, str) and value in STATUSES:
        return f'<td class="{value}">{value}</td>'
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{esc(value)}</td>"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Sequence[int] = (),
    css: str = "",
) -> str:
    """Return an HTML table; columns whose index is in ``numeric`` are right-aligned."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(cell(v, i in numeric) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    klass = f' class="{css}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def details(summary: str, body: str, is_open: bool = False, css: str = "") -> str:
    """Return a collapsible block; ``summary`` is HTML (escape text before passing it)."""
    attrs = (" open" if is_open else "") + (f' class="{css}"' if css else "")
    return f"<details{attrs}><summary>{summary}</summary>{body}</details>"


def para(text: str, css: str = "") -> str:
    """Return a paragraph of escaped text."""
    klass = f' class="{css}"' if css else ""
    return f"<p{klass}>{esc(text)}</p>"


def image(png: bytes | None, entry: Mapping[str, Any], caption: str = "") -> str:
    """Return a ``<figure>``: the PNG as a data URI shown at its design size (half its pixels),
    or a note why it is missing."""
    title = escape(entry["title"])
    if png is None:
        reason = escape(entry.get("skipped", "no data"))
        return f"<figure><figcaption>{title}: not drawn ({reason})</figcaption></figure>"
    width, height = (round(v * DISPLAY_DPI / DPI) for v in png_size(png))
    data = base64.b64encode(png).decode("ascii")
    css = ' class="wide"' if width > 700 else ""
    note = f" {escape(caption)}" if caption else ""
    return (
        f'<figure{css}><img src="data:image/png;base64,{data}" alt="{title}" width="{width}" '
        f'height="{height}"><figcaption>{title}.{note} <span class="src">Data: '
        f"<code>plots[name={escape(entry['name'])}]</code> in report.json.</span></figcaption>"
        "</figure>"
    )


def figures(
    page: Page, section: str, captions: Mapping[str, str] | None = None, names: Sequence[str] = ()
) -> str:
    """Return the figures of one section (or only ``names``), in a wrapping grid."""
    captions = captions or {}
    parts = [
        image(page.images.get(p["name"]), p, captions.get(p["name"], ""))
        for p in page.report["plots"]
        if p["section"] == section and (not names or p["name"] in names)
    ]
    return f'<div class="grid">{"".join(parts)}</div>' if parts else ""


def value(v: Any, unit: str | None) -> str:
    """Return a check's expected or measured value as text, by its unit."""
    if v is None:
        return DASH
    if isinstance(v, str | bool):
        return number(v)
    if unit == "share":
        return pct(v, 3)
    if unit in ("number", "score"):
        return sig(float(v), 3)
    if unit == "count" and isinstance(v, int | float):
        return count(v)
    return number(v)


def tolerance(v: Any, unit: str | None) -> str:
    """Return a check's tolerance as text: ``exact``, ``±1.0 pp``, ``±0.15``."""
    if v is None:
        return DASH
    if isinstance(v, str):
        return v
    if v == 0:
        return "exact"
    if unit == "share":
        return pp(v)
    return f"±{sig(float(v), 2)}"


def check_rows(checks: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """Return the rows of a check table: what, expected, measured, tolerance, status, detail."""
    return [
        (c["label"], value(c["expected"], c.get("unit")), value(c["measured"], c.get("unit")),
         tolerance(c["tolerance"], c.get("unit")), c["status"], c["detail"])
        for c in checks
    ]  # fmt: skip


def checks_table(checks: Iterable[Mapping[str, Any]]) -> str:
    """Return a check table: what, expected, measured, tolerance, status, detail."""
    headers = ("check", "expected", "measured", "tolerance", "status", "detail")
    return table(headers, check_rows(checks), numeric=(1, 2, 3))


def tally(checks: Sequence[Mapping[str, Any]]) -> tuple[int, int, int]:
    """Return (passed, failed, skipped) of a list of checks."""
    statuses = [c["status"] for c in checks]
    return statuses.count("pass"), statuses.count("fail"), statuses.count("skipped")


def badge(text: str, tone: str) -> str:
    """Return a small coloured label (tone: good, warn, bad, info)."""
    return f'<span class="badge {tone}">{escape(text)}</span>'


def link(anchor: str, text: str) -> str:
    """Return a link to a section of the page."""
    return f'<a href="#{escape(anchor)}">{escape(text)}</a>'

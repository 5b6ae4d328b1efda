"""report.html: one self-contained page built from report.json's data (images as data URIs).

The page is the top block (``top``) followed by the sections of ``SECTIONS``, in order, each
one function of ``sections`` (or any function taking a ``Page``). To add a section (v3's fraud
typologies, say), write its function and put a ``Section`` in the list, or pass your own
list to ``render_html``: the contents follow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from .calendar import calendar_section, published_section
from .campaigns import campaigns_section, lifecycles_section
from .markup import Page, badge, tally
from .sections import (
    about_section,
    catalog_section,
    columns_section,
    fidelity_section,
    leakage_section,
    model_section,
    plots_section,
    schema_section,
)
from .top import dataset_name, top_block
from .typologies import typologies_section


@dataclass(frozen=True)
class Section:
    """One section: its anchor, heading, body (None: left out) and contents badge."""

    anchor: str
    title: str
    render: Callable[[Page], str | None]
    status: Callable[[Page], tuple[str, str] | None] = lambda page: None


def _checks_status(key: str) -> Callable[[Page], tuple[str, str] | None]:
    def status(page: Page) -> tuple[str, str] | None:
        part = page.report.get(key)
        if not part or part.get("skipped"):
            return ("skipped", "info") if part else ("not run", "info")
        passed, failed, _ = tally(part["checks"])
        return (f"{failed} fail", "bad") if failed else (f"{passed} pass", "good")

    return status


def _verdict_status(key: str) -> Callable[[Page], tuple[str, str] | None]:
    def status(page: Page) -> tuple[str, str] | None:
        v = page.report["verdict"][key]
        return v["level"], v["tone"]

    return status


def _schema_status(page: Page) -> tuple[str, str]:
    failed = len(page.report["schema_check"]["failed"])
    return (f"{failed} fail", "bad") if failed else ("pass", "good")


SECTIONS: list[Section] = [
    Section("plots", "What the data looks like", plots_section),
    Section("calendar", "Calendar: days, weekends, holidays and local hours", calendar_section),
    Section("published", "Published fraud figures", published_section,
            _verdict_status("published_figures")),
    Section("model", "Baseline model: how strong is the signal", model_section,
            _verdict_status("signal")),
    Section("typologies", "Fraud typologies and label latency", typologies_section),
    Section("campaigns", "Campaigns and shared devices and IPs", campaigns_section),
    Section("lifecycles", "Card and customer lifecycles", lifecycles_section),
    Section("leakage", "Leakage check: does one column give the label away", leakage_section,
            _verdict_status("leakage")),
    Section("fidelity", "Fidelity to the config", fidelity_section, _checks_status("fidelity")),
    Section("catalog", "Catalog consistency", catalog_section, _checks_status("catalog_check")),
    Section("schema", "Schema check", schema_section, _schema_status),
    Section("columns", "Columns", columns_section),
    Section("about", "About this report", about_section),
]  # fmt: skip

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1f;
line-height:1.45;font-size:15px;background:#fff}
main{max-width:1180px;margin:0 auto;padding:1.2rem 1rem 3rem}
h1{font-size:1.55rem;margin:.4rem 0 .3rem;overflow-wrap:anywhere}
h2{font-size:1.2rem;border-bottom:2px solid #e3e3e3;padding-bottom:.2rem;margin:2rem 0 .6rem}
header h2{font-size:1.05rem;border:0;margin:1rem 0 .4rem}
.lede{font-size:1.02rem;margin:.2rem 0 1rem}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:.7rem}
.card{border:1px solid #ddd;border-left-width:6px;border-radius:6px;padding:.55rem .7rem}
.card .q{font-size:.8rem;color:#555;text-transform:uppercase;letter-spacing:.03em}
.card .level{font-size:1.15rem;font-weight:700;margin:.15rem 0}
.card p{margin:.2rem 0;font-size:.86rem}
.good{border-color:#1b7a3a}.warn{border-color:#c77700}.bad{border-color:#b3261e}
.info{border-color:#888}
.card.good .level{color:#1b7a3a}.card.warn .level{color:#a35f00}.card.bad .level{color:#b3261e}
.badge{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:.6rem;
border:1px solid;margin-left:.4rem;white-space:nowrap}
.badge.good{color:#1b7a3a}.badge.warn{color:#a35f00}.badge.bad{color:#b3261e}
.badge.info{color:#666}
.split{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
nav ol{margin:.2rem 0;padding-left:1.3rem}nav li{margin:.15rem 0}
.problems{border:1px solid #b3261e;background:#fdf3f2;border-radius:6px;padding:.2rem .8rem;
margin:1rem 0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.86rem;max-width:100%}
th,td{border:1px solid #ddd;padding:.22rem .5rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}th{background:#f5f5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.pass,td.fail,td.skipped{white-space:nowrap}
table.facts td:first-child{color:#555;white-space:nowrap}table.facts thead{display:none}
.pass{color:#1b7a3a;font-weight:600}.fail{color:#b3261e;font-weight:600}.skipped{color:#777}
p.warn{background:#fdecea;border-left:4px solid #b3261e;padding:.45rem .8rem}
.note{color:#555;font-size:.88rem}
details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}
figure{margin:.6rem 0}img{max-width:100%;height:auto;display:block}
figcaption{font-size:.86rem;color:#444;margin-top:.2rem}.src{color:#777}
.grid{display:flex;flex-wrap:wrap;gap:1rem}.grid figure{flex:0 1 auto}
#typologies figure{display:table}#typologies figcaption{display:table-caption;caption-side:bottom}
.grid figure.wide{flex-basis:100%}
code{background:#f4f4f4;padding:0 .2rem}.nowrap{white-space:nowrap}
@media (max-width:900px){.cards{grid-template-columns:1fr 1fr}.split{grid-template-columns:1fr}}
@media print{main{max-width:none}figure,table,.card{break-inside:avoid}a{color:inherit}}
"""
# Print every collapsed section too: a printed page cannot be clicked open.
SCRIPT = (
    "addEventListener('beforeprint',()=>document.querySelectorAll('details')"
    ".forEach(d=>d.open=true));"
)


def toc(page: Page, sections: Sequence[Section]) -> str:
    """Return the contents: each section's link and, where it has one, its status badge."""
    items = []
    for section in sections:
        status = section.status(page)
        mark = badge(*status) if status else ""
        items.append(f'<li><a href="#{section.anchor}">{escape(section.title)}</a>{mark}</li>')
    return f"<nav><h2>Contents</h2><ol>{''.join(items)}</ol></nav>"


def render_section(section: Section, body: str) -> str:
    """Return one ``<section>`` with its heading."""
    return f'<section id="{section.anchor}"><h2>{escape(section.title)}</h2>{body}</section>'


def render_html(
    report: dict[str, Any],
    images: dict[str, bytes | None],
    sections: Sequence[Section] | None = None,
) -> str:
    """Return the whole self-contained report page (``sections`` default: ``SECTIONS``)."""
    page = Page(report, images)
    bodies = [(sec, sec.render(page)) for sec in (SECTIONS if sections is None else sections)]
    present = [(sec, body) for sec, body in bodies if body is not None]
    body = top_block(page, toc(page, [sec for sec, _ in present]))
    body += "".join(render_section(sec, text) for sec, text in present)
    title = f"Fraud dataset report: {dataset_name(report)}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main><script>{SCRIPT}</script></body></html>\n"
    )

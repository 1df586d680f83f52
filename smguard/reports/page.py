"""The report as one self-contained HTML page: charts (plotly.js, inlined), tables, no network.

:func:`render_html` returns the whole page; :func:`report_body` the part inside ``<body>`` and
:func:`report_head` what its ``<head>`` needs (style and script), for a web page that shows the
report among other things. Every value from the records is escaped; the figures' JSON is written
so that no text can close the ``<script>`` element.
"""

from __future__ import annotations

import html
import json
from typing import Any

from smguard.reports.charts import CONFIG, figures, plotly_js
from smguard.reports.model import Report
from smguard.reports.sentences import (
    durations_line,
    hygiene_change_line,
    prime_time_lines,
    title,
    when_text,
)
from smguard.reports.words import Words

__all__ = ["STYLE", "render_html", "report_body", "report_head"]

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2933;
background:#f5f7fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:28px 0 8px;
border-bottom:2px solid #d9e2ec;padding-bottom:4px}
.meta{color:#52606d;margin:0 0 16px}
.demo{background:#fff3cd;border:2px solid #f2a900;padding:10px 14px;font-weight:600;
margin:12px 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px}
.tile{background:white;border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px #0002}
.tile b{display:block;font-size:1.6rem}.tile span{color:#52606d;font-size:.9rem}
.tile.bad b{color:#c62828}
.chart{background:white;border-radius:8px;margin:12px 0;box-shadow:0 1px 2px #0002;
min-height:320px}
table{border-collapse:collapse;background:white;width:100%;margin:8px 0}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e4e7eb;font-size:.92rem}
th{background:#eef2f7}
.evidence{color:#334e68;margin:2px 0 2px 16px}
footer{color:#7b8794;font-size:.8rem;margin:32px 0 8px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _tile(value: Any, label: str, bad: bool = False) -> str:
    cls = "tile bad" if bad else "tile"
    return f'<div class="{cls}"><b>{_e(value)}</b><span>{_e(label)}</span></div>'


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _script_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def report_head(lang: str = "en") -> str:
    """The page's style and plotly.js (several megabytes: include it once per page)."""
    js, _version = plotly_js()
    return f"<style>{STYLE}</style>\n<script>{js}</script>"


def report_body(report: Report, lang: str = "en") -> str:
    """Everything the report shows, as HTML for inside ``<body>``."""
    w = Words(lang)
    charts = figures(report, lang)
    _js, version = plotly_js()
    out: list[str] = ["<main>", f"<h1>{_e(title(report, lang))}</h1>"]
    out.append(
        f'<p class="meta">'
        f"{_e(w('generated', when=when_text(report.generated_at, report.period.timezone, lang)))}"
        "</p>"
    )
    if report.demo:
        out.append(f'<div class="demo" role="note">{_e(w("demo"))}</div>')

    p, c, i, a = report.publishing, report.checks, report.incidents, report.alerts
    out.append('<div class="tiles">')
    out += [
        _tile(p.through_smguard, w("through_smguard")),
        _tile(p.unapproved_live, w("unapproved_live"), bad=p.unapproved_live > 0),
        _tile(c.total, w("checked")),
        _tile(c.held, f"{w('review')} / {w('block')}"),
        _tile(i.opened, f"{w('incidents')} {w('opened')}", bad=i.opened > 0),
        _tile(report.hygiene.counts.get("critical", 0), f"{w('hygiene')}: {w('critical')}",
              bad=report.hygiene.counts.get("critical", 0) > 0),
    ]  # fmt: skip
    out.append("</div>")

    def chart(key: str) -> None:
        if key in charts:
            out.append(f'<div class="chart" id="chart-{_e(key)}" data-chart="{_e(key)}"></div>')

    out.append(f"<h2>{_e(w('publishing'))}</h2>")
    out.append(
        _table(
            [w("account"), w("via_smguard"), w("live"), w("unapproved")],
            [[k, v["through_smguard"], v["seen_live"], v["unapproved_live"]]
             for k, v in p.by_account.items()],
        )
    )  # fmt: skip
    if p.by_app:
        out.append(f"<p>{_e(w('apps'))}: " + _e(", ".join(f"{k} {n}" for k, n in p.by_app.items())))

    out.append(f"<h2>{_e(w('checks'))}</h2>")
    d = c.by_decision
    out.append(
        f"<p>{_e(w('checked'))}: {c.total} — {d.get('allow', 0)} {_e(w('allow'))}, "
        f"{d.get('review', 0)} {_e(w('review'))}, {d.get('block', 0)} {_e(w('block'))}</p>"
    )
    chart("checks-per-day")
    chart("top-rules")
    chart("categories")
    if c.top_authors_held:
        out.append(f"<h3>{_e(w('top_authors'))}</h3>")
        out.append(_table([w("author"), w("review"), w("block")],
                          [list(row) for row in c.top_authors_held]))  # fmt: skip
    out.append(f"<p>{_e(w('hold_to_approval'))}: {_e(durations_line(c.hold_to_approval, lang))}")

    out.append(f"<h2>{_e(w('incidents'))}</h2>")
    out.append('<div class="tiles">')
    out += [
        _tile(i.opened, w("opened")),
        _tile(i.acknowledged, w("acknowledged")),
        _tile(i.resolved, w("resolved")),
        _tile(i.open_at_end, w("open_at_end"), bad=i.open_at_end > 0),
    ]
    out.append("</div>")
    out.append(f"<p>{_e(w('tta'))}: {_e(durations_line(i.time_to_acknowledge, lang))}<br>")
    out.append(f"{_e(w('ttr'))}: {_e(durations_line(i.time_to_resolve, lang))}</p>")
    chart("incidents")
    out.append(f"<h3>{_e(w('clarifications'))}: {len(report.clarifications)}</h3>")
    if report.clarifications:
        out.append(
            _table(
                ["#", w("account"), "lang", "ref"],
                [[cl.id, cl.account or "", cl.language, cl.ref or ""]
                 for cl in report.clarifications],
            )
        )  # fmt: skip
    alerts_line = w("alerts_line", delivered=a.delivered, retried=a.delivered_after_retry,
                    failed=a.failed, pending=a.pending)  # fmt: skip
    out.append(f"<p>{_e(w('alerts'))}: {_e(alerts_line)}</p>")

    h = report.hygiene
    out.append(f"<h2>{_e(w('hygiene'))}</h2>")
    counts = {k: h.counts.get(k, 0) for k in ("critical", "warning", "info")}
    out.append(f"<p>{_e(w('hygiene_line', **counts))}. {_e(hygiene_change_line(report, lang))}</p>")
    rows = [[f["severity"], f["code"], f["message"].get(lang, f["message"]["en"])]
            for f in h.findings]  # fmt: skip
    rows += [[w("fixed"), f["code"], f["message"].get(lang, f["message"]["en"])] for f in h.fixed]
    if rows:
        out.append(_table(["", "", ""], rows))

    out.append(f"<h2>{_e(w('prime_time'))}</h2>")
    for prime in report.prime_time:
        first, *evidence = prime_time_lines(prime, lang)
        out.append(f"<p><b>{_e(prime.account)}</b>: {_e(first)}</p>")
        out += [f'<p class="evidence">{_e(e)}</p>' for e in evidence]
        chart(f"engagement-{prime.account}")
        grid = next((g for g in report.engagement if g.account == prime.account), None)
        if grid is not None and grid.total:
            note = w("engagement_note", days=prime.window_days, n=grid.total, zone=prime.timezone)
            out.append(f'<p class="meta">{_e(note)}</p>')
    out.append(f"<h3>{_e(w('quiet_hours'))}: {report.quiet_hours_count}</h3>")
    if report.quiet_hours_posts:
        out.append(
            _table(
                [w("account"), w("day"), "URL"],
                [[q.account, f"{q.at:%Y-%m-%d %H:%M}", q.url or ""]
                 for q in report.quiet_hours_posts],
            )
        )  # fmt: skip
    out.append(f"<footer>smguard · {_e(report.period.key)} · plotly.js {_e(version)}</footer>")
    out.append("</main>")
    figs = {k: {**v, "config": CONFIG} for k, v in charts.items()}
    out.append(
        "<script>(function(){var figures=" + _script_json(figs) + ";"
        "document.querySelectorAll('[data-chart]').forEach(function(el){"
        "var f=figures[el.getAttribute('data-chart')];"
        "Plotly.newPlot(el,f.data,f.layout,f.config);});})();</script>"
    )
    return "\n".join(out)


def render_html(report: Report, lang: str = "en") -> str:
    """The whole page: open it in any browser, with or without a network."""
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title(report, lang))}</title>\n{report_head(lang)}\n</head>\n<body>\n"
        f"{report_body(report, lang)}\n</body>\n</html>\n"
    )

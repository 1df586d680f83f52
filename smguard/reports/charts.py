"""The report's charts as plotly.js figures (plain dicts), and the library's own code.

The figures are data: :func:`figures` turns a :class:`~smguard.reports.model.Report` into
``{chart id: {"data": [...], "layout": {...}}}``, and the page hands each to
``Plotly.newPlot``. plotly.js comes from the ``plotly`` Python package (the optional extra
``smguard[reports]``) and is written *into* the page, so the report opens on a laptop with no
network: nothing is fetched, not even a font.
"""

from __future__ import annotations

from typing import Any

from smguard.errors import SmguardError
from smguard.reports.model import Report
from smguard.reports.primetime import WEEKDAYS
from smguard.reports.sentences import zone_name
from smguard.reports.words import word

__all__ = ["CONFIG", "figures", "plotly_js"]

COLOURS = {"allow": "#2e7d32", "review": "#f2a900", "block": "#c62828"}
SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#e01e1e", "medium": "#f2a900",
                    "low": "#2d9cdb", "info": "#95a5a6"}  # fmt: skip
#: Nothing in the mode bar reaches the network; the logo link would.
CONFIG = {"displaylogo": False, "responsive": True}
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def plotly_js() -> tuple[str, str]:
    """plotly.js (minified) and its version; a clear error when the extra is not installed."""
    try:
        import plotly
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise SmguardError(
            "the HTML report draws its charts with plotly, an optional extra: "
            "pip install 'smguard[reports]'"
        ) from None
    return get_plotlyjs(), str(plotly.__version__)


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": _FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": 320,
    }
    layout.update(extra)
    return layout


def figures(report: Report, lang: str) -> dict[str, dict[str, Any]]:
    """Every chart the report shows; a chart with nothing to show is left out."""
    out: dict[str, dict[str, Any]] = {}
    c = report.checks
    days = list(c.by_day)
    if c.total:
        out["checks-per-day"] = {
            "data": [
                {
                    "type": "bar",
                    "name": word(decision, lang),
                    "x": days,
                    "y": [c.by_day[d].get(decision, 0) for d in days],
                    "marker": {"color": COLOURS[decision]},
                }
                for decision in ("allow", "review", "block")
            ],
            "layout": _layout(word("checks_per_day", lang), barmode="stack",
                              xaxis={"type": "category"}, legend={"orientation": "h"}),
        }  # fmt: skip
    if c.top_rules:
        rules = list(reversed(c.top_rules))
        out["top-rules"] = {
            "data": [{
                "type": "bar", "orientation": "h",
                "y": [r for r, _ in rules], "x": [n for _, n in rules],
                "marker": {"color": "#5c6bc0"},
            }],
            "layout": _layout(word("top_rules", lang), margin={"l": 160, "r": 20, "t": 50,
                                                                "b": 40}),
        }  # fmt: skip
    if c.by_category:
        out["categories"] = {
            "data": [{
                "type": "bar",
                "x": list(c.by_category), "y": list(c.by_category.values()),
                "marker": {"color": "#8d6e63"},
            }],
            "layout": _layout(word("by_category", lang)),
        }  # fmt: skip
    sev = report.incidents.opened_by_severity
    if sev:
        out["incidents"] = {
            "data": [{
                "type": "bar", "x": list(sev), "y": list(sev.values()),
                "marker": {"color": [SEVERITY_COLOURS.get(k, "#95a5a6") for k in sev]},
            }],
            "layout": _layout(word("by_severity", lang)),
        }  # fmt: skip
    days_names = list(WEEKDAYS.get(lang, WEEKDAYS["en"]))
    for grid in report.engagement:
        if not grid.total:
            continue
        hours = [f"{h:02d}" for h in range(24)]
        n_label = word("posts", lang)
        text = [[f"{n} {n_label}" for n in row] for row in grid.posts]
        out[f"engagement-{grid.account}"] = {
            "data": [{
                "type": "heatmap", "z": [list(r) for r in grid.mean], "x": hours, "y": days_names,
                "text": text, "colorscale": "YlOrRd", "reversescale": True, "hoverongaps": False,
                "hovertemplate": "%{y} %{x}:00 — %{z:.1f} (%{text})<extra></extra>",
            }],
            "layout": _layout(
                f"{word('engagement', lang)} — {grid.account} ({zone_name(grid.timezone)})",
                height=340, yaxis={"autorange": "reversed"},
                xaxis={"title": {"text": word("hour", lang)}, "type": "category"},
            ),
        }  # fmt: skip
    return out

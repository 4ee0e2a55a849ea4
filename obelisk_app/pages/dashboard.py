"""`/dashboard`: the landing page after sign-in. The current space at a glance for a date range: agent runs
and why they stopped, token usage and its estimated cost, and the document library. Each panel says what to
connect or do when it has nothing to show yet."""

from __future__ import annotations

import reflex as rx

from obelisk_app import routes, styles
from obelisk_app.components.charts import bar_chart, line_chart
from obelisk_app.layout import template
from obelisk_app.pages.dashboard_state import DashboardState, RankedItemRow, RunRow


def _panel(title: str, *children: rx.Component, testid: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"), *children, spacing="3", width="100%", data_testid=testid, **styles.card
    )


def _empty(message: str, action: str, href: str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(message, size="2", color=rx.color("gray", 11)),
        rx.link(action, href=href, size="2"),
        spacing="1",
        padding_y="2rem",
        align="center",
        width="100%",
        data_testid=testid,
    )


def _stat(label: str, value: rx.Var[str] | rx.Var[int], testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="6", weight="bold", data_testid=testid),
        spacing="0",
    )


def _range_picker() -> rx.Component:
    def preset(days: str) -> rx.Component:
        return rx.button(
            f"{days} days",
            variant=rx.cond(DashboardState.preset == days, "solid", "soft"),
            size="1",
            type="button",  # inside the dates form: a preset must not also submit the two dates
            on_click=DashboardState.choose_preset(days),
            data_testid=f"range-{days}",
        )

    return rx.form(
        rx.hstack(
            preset("7"),
            preset("30"),
            preset("90"),
            rx.input(
                type="date",
                name="start_date",
                default_value=DashboardState.start_date,
                key=DashboardState.start_date,
                size="1",
                data_testid="range-start",
            ),
            rx.text("to", size="1", color=rx.color("gray", 11)),
            rx.input(
                type="date",
                name="end_date",
                default_value=DashboardState.end_date,
                key=DashboardState.end_date,
                size="1",
                data_testid="range-end",
            ),
            rx.button("Apply", type="submit", size="1", variant="outline", data_testid="range-apply"),
            rx.icon_button(
                rx.icon("refresh-cw", size=14),
                type="button",
                size="1",
                variant="ghost",
                on_click=DashboardState.refresh,
                title="Refresh",
                aria_label="Refresh",
                data_testid="dashboard-refresh",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        on_submit=DashboardState.choose_dates,
    )


def _run_row(run: RunRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(run["when"]),
        rx.table.cell(run["agent"]),
        rx.table.cell(rx.badge(run["status"], variant="soft"), data_testid="recent-run-status"),
        rx.table.cell(run["stop_reason"]),
        rx.table.cell(rx.text(run["error"], size="1", color=rx.color("gray", 11))),
    )


def _runs_panel() -> rx.Component:
    return _panel(
        "Agent runs",
        rx.cond(
            DashboardState.runs_total > 0,
            rx.vstack(
                _stat("Runs in range", DashboardState.runs_total, "runs-total"),
                rx.grid(
                    bar_chart(DashboardState.runs_by_status, "key", [("count", "Runs")], testid="chart-run-status"),
                    bar_chart(DashboardState.stop_reasons, "key", [("count", "Runs")], testid="chart-stop-reasons"),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("When", "Agent", "Status", "Stop reason", "")]
                        )
                    ),
                    rx.table.body(rx.foreach(DashboardState.recent_runs, _run_row)),
                    size="1",
                    width="100%",
                ),
                width="100%",
                spacing="3",
            ),
            _empty("No agent runs in this range yet.", "Ask an agent something", routes.AGENTS, "empty-runs"),
        ),
        testid="panel-runs",
    )


def _usage_panel() -> rx.Component:
    return _panel(
        "Token usage and estimated cost",
        rx.cond(
            DashboardState.usage_rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.hstack(
                    _stat("Tokens", DashboardState.total_tokens, "usage-tokens"),
                    _stat("Estimated cost", DashboardState.total_cost, "usage-cost"),
                    spacing="6",
                ),
                bar_chart(
                    DashboardState.usage_by_agent,
                    "agent",
                    [("tokens_in", "Input tokens"), ("tokens_out", "Output tokens")],
                    testid="chart-usage-by-agent",
                    stacked=True,
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("Agent", "Model", "Calls", "Tokens", "Cost")]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            DashboardState.usage_rows,
                            lambda r: rx.table.row(
                                rx.table.cell(r["agent"]),
                                rx.table.cell(r["model"]),
                                rx.table.cell(r["calls"]),
                                rx.table.cell(r["tokens"]),
                                rx.table.cell(r["cost"], data_testid="usage-row-cost"),
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                rx.cond(
                    DashboardState.unpriced != "",
                    rx.text(
                        "No price known for: ",
                        DashboardState.unpriced,
                        " (set MODEL_PRICES to include them).",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                width="100%",
                spacing="3",
            ),
            _empty(
                "No model usage in this range: it is booked as agents run and documents are embedded.",
                "Go to the agents",
                routes.AGENTS,
                "empty-usage",
            ),
        ),
        testid="panel-usage",
    )


def _documents_panel() -> rx.Component:
    return _panel(
        "Documents",
        rx.cond(
            DashboardState.documents_total > 0,
            rx.vstack(
                rx.hstack(
                    _stat("Documents", DashboardState.documents_total, "documents-total"),
                    _stat("Quarantined chunks to review", DashboardState.quarantined_chunks, "quarantined-chunks"),
                    spacing="6",
                ),
                bar_chart(
                    DashboardState.documents_by_status,
                    "key",
                    [("count", "Documents")],
                    testid="chart-documents",
                    height=200,
                ),
                rx.cond(
                    DashboardState.quarantined_chunks > 0,
                    rx.callout(
                        "Some passages look like prompt injection and are kept away from the agents until someone "
                        "reviews them in the document library.",
                        icon="shield-alert",
                        color_scheme="orange",
                        size="1",
                    ),
                ),
                width="100%",
                spacing="3",
            ),
            _empty(
                "No documents yet. Upload brand guidelines, product sheets or decks so agents can ground their work.",
                "Open the document library",
                routes.DOCUMENTS,
                "empty-documents",
            ),
        ),
        testid="panel-documents",
    )


def _content_panel() -> rx.Component:
    return rx.grid(
        _panel(
            "Content pipeline",
            rx.cond(
                DashboardState.pipeline_total > 0,
                rx.vstack(
                    _stat("Content items", DashboardState.pipeline_total, "pipeline-total"),
                    bar_chart(DashboardState.pipeline, "key", [("count", "Items")], testid="chart-pipeline"),
                    width="100%",
                ),
                _empty(
                    "No content yet. Save an agent's draft or write one, then send it for review.",
                    "Open Content",
                    routes.CONTENT,
                    "empty-pipeline",
                ),
            ),
            testid="panel-pipeline",
        ),
        _panel(
            "Brand-voice score",
            rx.cond(
                DashboardState.voice_trend.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.text(
                        "Average score (0-100) of the versions saved each day", size="1", color=rx.color("gray", 11)
                    ),
                    line_chart(DashboardState.voice_trend, "date", [("average", "Voice score")], testid="chart-voice"),
                    width="100%",
                ),
                _empty(
                    "No content was saved in this range, so there is no score to show.",
                    "Write or edit content",
                    routes.CONTENT,
                    "empty-voice",
                ),
            ),
            testid="panel-voice",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def _ranked_item(item: RankedItemRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(item["title"], href="/content/" + item["id"], data_testid="ranked-item")),
        rx.table.cell(item["per_day"], data_testid="ranked-per-day"),
        rx.table.cell(item["sessions"]),
        rx.table.cell(item["conversions"]),
        rx.table.cell(item["published"]),
    )


def _content_ranking() -> rx.Component:
    """Published items linked to their address, best first by sessions a day since publication."""
    return rx.vstack(
        rx.text("Published content since publication", size="2", weight="medium"),
        rx.cond(
            DashboardState.ranked_items.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Item", "Sessions a day", "Sessions", "Conversions", "Published")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(DashboardState.ranked_items, _ranked_item)),
                size="1",
                width="100%",
            ),
            rx.text(
                "Link published items to the address they are live at (on each item's page) to rank them here.",
                size="2",
                color=rx.color("gray", 11),
            ),
        ),
        width="100%",
        spacing="2",
        data_testid="content-ranking",
    )


def _ga4_panel() -> rx.Component:
    return _panel(
        "Website traffic (Google Analytics 4)",
        rx.cond(
            DashboardState.ga4_state == "ok",
            rx.vstack(
                rx.text("Property: ", DashboardState.ga4_property, size="1", color=rx.color("gray", 11)),
                rx.hstack(
                    _stat("Sessions in range", DashboardState.ga4_sessions, "ga4-sessions"),
                    _stat("Conversions in range", DashboardState.ga4_conversions, "ga4-conversions"),
                    spacing="6",
                ),
                rx.text("Sessions and conversions per day", size="2", weight="medium"),
                line_chart(
                    DashboardState.traffic,
                    "date",
                    [("sessions", "Sessions"), ("conversions", "Conversions")],
                    testid="chart-traffic",
                ),
                rx.text("Top landing pages", size="2", weight="medium"),
                rx.cond(
                    DashboardState.landing_pages.length() > 0,  # type: ignore[attr-defined]
                    bar_chart(
                        DashboardState.landing_pages,
                        "page",
                        [("sessions", "Sessions"), ("conversions", "Conversions")],
                        testid="chart-landing-pages",
                        vertical=True,
                        height=320,
                    ),
                    rx.text("No landing page had traffic in this range.", size="2", color=rx.color("gray", 11)),
                ),
                _content_ranking(),
                width="100%",
                spacing="3",
            ),
            rx.vstack(
                rx.callout(
                    DashboardState.ga4_message,
                    icon="info",
                    color_scheme=rx.cond(DashboardState.ga4_state == "needs_reconnect", "orange", "gray"),
                    width="100%",
                    data_testid="ga4-message",
                ),
                rx.link("Open Integrations", href=routes.INTEGRATIONS, size="2", data_testid="ga4-integrations-link"),
                width="100%",
                spacing="2",
            ),
        ),
        testid="panel-ga4",
    )


@template(route=routes.DASHBOARD, title="Dashboard", on_load=DashboardState.load)
def dashboard_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.cond(
                DashboardState.start_date != "",
                rx.text(
                    "Showing ",
                    DashboardState.start_date,
                    " to ",
                    DashboardState.end_date,
                    " (UTC)",
                    size="2",
                    color=rx.color("gray", 11),
                    data_testid="range-shown",
                ),
                rx.text("Loading the period…", size="2", color=rx.color("gray", 11)),  # before on_load set it
            ),
            _range_picker(),
            justify="between",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            DashboardState.error != "",
            rx.callout(DashboardState.error, icon="triangle-alert", color_scheme="red", data_testid="dashboard-error"),
        ),
        rx.cond(
            DashboardState.loaded,
            rx.vstack(
                _ga4_panel(),
                _content_panel(),
                _runs_panel(),
                _usage_panel(),
                _documents_panel(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
        ),
        spacing="4",
        width="100%",
    )

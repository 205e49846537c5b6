"""finetune-advisor dashboard: ``streamlit run app.py``.

Opens on built-in sample logs; upload your own exports or type your numbers. Nothing uploaded is
written to disk or sent anywhere. The scenario lives in the URL (widget keys are the query names,
see ``advisor.ui.params.PARAMS``), so a link reproduces it. All arithmetic is in the ``advisor`` and
``pricing`` packages; this file only asks and draws.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import streamlit as st

from advisor import AdvisorError, Scenario, Workload
from advisor.dataset import dataset_download, sample_log_files
from advisor.dataset.download import zip_name
from advisor.keys import WHOLE_LOG
from advisor.logs import MemoryFile, read_logs
from advisor.present import figures as F
from advisor.present import view as V
from advisor.present.analysis import (
    Inputs,
    PageAnalysis,
    ending_options,
    page_analysis,
    recommend_page,
    task_colours,
    uploads_digest,
)
from advisor.present.report import md_text, prices_used, render_html, render_markdown
from advisor.recommend import Thresholds
from advisor.samples import SAMPLE_DIGEST
from advisor.scenario import DEFAULT_SELFHOST_GPUS, default_deployment_options
from advisor.ui.cachekey import sample_cache_key
from advisor.ui.data import PageData, page_data, sample_data, workloads_for
from advisor.ui.fit import fit_growth
from advisor.ui.params import (
    AUTO_BASELINE,
    MIN_AS_OF,
    PARAMS,
    SOURCES,
    TABS,
    date_value,
    page_rate,
    rate_format,
    to_query,
)
from advisor.ui.url import choose, choose_many, load_url_state, note, seed, write_url
from advisor.words import count_text
from pricing import load_catalog, today

MAX_UPLOAD_MB = 200
VERDICT_BOX = {"fine-tune": st.success, "switch": st.success, "not yet": st.warning, "no": st.error}
VERDICT_ICON = {"fine-tune": ":material/check_circle:", "switch": ":material/swap_horiz:",
                "not yet": ":material/schedule:", "no": ":material/block:"}
ICONS = {"blocks": ":red[:material/block:]", "delays": ":orange[:material/schedule:]",
         "supports": ":green[:material/check_circle:]", "info": ":blue[:material/info:]"}
NEUTRAL = ":gray[:material/radio_button_unchecked:]"


# ------------------------------------------------------------------------------------------------
# cached data (server-wide, shared read-only)


@st.cache_data(show_spinner="Preparing the sample logs…", persist="disk", max_entries=1)
def cached_sample(cache_key: str) -> PageData:
    """The built-in sample, measured once and kept in Streamlit's disk cache (~/.streamlit/cache):
    a restarted server opens on it without generating and counting it again. ``cache_key`` is the
    sample's version plus a digest of the code that measures it (:func:`advisor.ui.cachekey.sample_cache_key`),
    so an upgraded tool never shows figures an older one measured."""
    return sample_data()


@st.cache_resource(show_spinner=False)
def page_icon():
    from advisor.ui.icon import icon_image

    return icon_image()


@st.cache_data(show_spinner=False, max_entries=8)
def catalog_choices(as_of: dt.date) -> dict[str, list[str]]:
    cat = load_catalog(as_of)
    gpus = [g for g in DEFAULT_SELFHOST_GPUS + tuple(sorted(cat.gpus)) if g in cat.gpus and cat.gpus[g].prices]
    # hosted: every endpoint billed per token and every dedicated (and shared) deployment, as the library compares
    hosted = sorted(cat.hosted) + list(default_deployment_options(cat))
    return {"api": sorted(cat.api_models), "hosted": hosted, "gpus": list(dict.fromkeys(gpus)),
            "providers": sorted({p for g in cat.gpus.values() for p in g.prices}), "models": sorted(cat.open_models)}


@st.cache_data(show_spinner=False)
def people_defaults() -> dict[str, float]:
    from pricing.people import load_people

    return load_people().costs().model_dump()


@st.cache_resource(show_spinner="Comparing the options…", max_entries=64)
def cached_recommendations(data_digest: str, recs_key: str, _data: PageData | None, _inputs: Inputs):
    """The verdicts per task, once per (data, scenario without the selected task)."""
    i = _inputs
    if _data is None:
        workloads = {WHOLE_LOG: Workload.typed(i.requests_per_day, i.prompt_tokens, i.completion_tokens)}
    else:
        workloads = workloads_for(_data, i.requests_per_day)
    return recommend_page(workloads, i.scenario, thresholds=i.thresholds)


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_analysis(data_digest: str, scenario_key: str, _data: PageData | None, _inputs: Inputs) -> PageAnalysis:
    """One analysis per (data, scenario): every re-run with the same inputs reuses it."""
    recs, catalog = cached_recommendations(data_digest, _inputs.recs_key, _data, _inputs)
    return page_analysis(recs, task=_inputs.task, catalog=catalog)


_SCENARIO_FIELDS = frozenset(f.name for f in dataclasses.fields(Scenario)) - {"workload", "options"}


# ------------------------------------------------------------------------------------------------
# UI pieces (each returns a typed value)


@dataclass(frozen=True)
class DataChoice:
    source: str
    files: tuple[tuple[str, bytes], ...]
    one_in: float = 1.0     # the uploads keep one request in this many (1-in-N logging)


def data_source_ui() -> DataChoice:
    sb = st.sidebar
    sb.header("Traffic")
    choose("source", list(SOURCES), SOURCES[0])
    source = sb.radio("Data", SOURCES, key="source")
    files: tuple = ()
    if source == "upload logs":
        up = sb.file_uploader("Exported logs (OpenAI, Batch, fine-tuning, OpenPipe, Helicone, Langfuse, LangSmith, "
                              "LiteLLM, Braintrust, OpenTelemetry, Vercel AI SDK, MLflow, Databricks, Datadog, Bedrock, "
                              "OpenRouter, Claude Code, Codex, llm, Ollama, OpenAI Evals, streamed chunks or SSE, CSV, "
                              "Parquet; .gz ok)",
                              accept_multiple_files=True, key="upload")
        files = tuple((f.name, f.getvalue()) for f in up or ())
        too_big = [n for n, d in files if len(d) > MAX_UPLOAD_MB * 1e6]
        if too_big:
            sb.error(f"{', '.join(too_big)}: over {MAX_UPLOAD_MB} MB. Split the export into smaller files, or "
                     "run the command-line tool on it (see the README).")
            files = tuple((n, d) for n, d in files if n not in too_big)
        seed("onein")
        one_in = sb.number_input(PARAMS["onein"].label, min_value=1.0, max_value=1e6, step=1.0, key="onein",
                                 format="%.0f", help="For logs that keep a known share of the requests (1-in-N "
                                 "logging): each record then stands for N requests, and the volume measured from the "
                                 "timestamps is N times the logged one. Records that state their own "
                                 "metadata.sample_rate carry it already: leave 1.")
        return DataChoice(source, files, float(one_in or 1.0))
    return DataChoice(source, files)


def load_data(choice: DataChoice) -> PageData | None:
    """The chosen logs, read once per content digest (the same file twice counted once)."""
    if choice.source == "sample logs":
        return cached_sample(sample_cache_key(SAMPLE_DIGEST))
    if choice.source == "typed numbers":
        return None
    digest, files, dup_notes = uploads_digest(list(choice.files))
    for n in dup_notes:
        note(n)
    label = ", ".join(n for n, _ in files)
    held = st.session_state.get("_upload")
    if held is not None and held.digest == f"{digest}:{choice.one_in:g}":
        return held
    read = st.session_state.get("_upload_read")
    if read is not None and read[0] == digest:   # the same files at another sampling rate: not read again
        data = page_data(read[1], digest=f"{digest}:{choice.one_in:g}", label=label, one_in=choice.one_in)
        st.session_state["_upload"] = data
        return data
    bar = st.progress(0.0, text="Reading logs…")
    try:
        result = read_logs([MemoryFile(name, data) for name, data in files],
                           progress=lambda done, total: bar.progress(min(done / max(total, 1), 1.0),
                                                                     text=f"Reading logs… {done / 1e6:.1f} MB"))
    except AdvisorError:
        raise
    except Exception as exc:  # a reader bug must not put a traceback (with record content) on the page
        raise AdvisorError(f"{', '.join(n for n, _ in files)}: could not be read ({type(exc).__name__}); nothing "
                           "was kept. Try exporting in another format (JSONL or CSV), and please report the "
                           "export's source.") from None
    finally:
        bar.empty()
    st.session_state["_upload_read"] = (digest, result)
    data = page_data(result, digest=f"{digest}:{choice.one_in:g}", label=label, one_in=choice.one_in)
    st.session_state["_upload"] = data
    return data


def follow_data(data: PageData | None, source: str) -> None:
    """When the data changes, what was measured from the old data goes with it: the volume becomes
    the new logs' own (or empty when they have no timestamps), the task and churn reset. When only the
    "one request in N" of the same logs changes, a volume the user typed stays (as ``advise --requests-per-day V
    --sample-rate N`` prices V), the measured one follows, and the task and churn stay."""
    digest = "typed" if data is None else data.digest
    previous = st.session_state.get("_data_digest")
    if previous == digest:
        return
    st.session_state["_data_digest"] = digest
    measured = None if data is None or data.measured_requests_per_day is None else \
        page_rate(data.measured_requests_per_day)
    was_measured = st.session_state.get("_measured_rpd")
    st.session_state["_measured_rpd"] = measured
    logs = digest.rpartition(":")[0]   # an upload's digest is "<files' digest>:<one in N>"
    if logs and previous is not None and previous.rpartition(":")[0] == logs:   # only the sampling rate changed
        if st.session_state.get("rpd") == was_measured:
            st.session_state["rpd"] = measured
        return
    from_link = previous is None and "rpd" in st.session_state.get("_url_keys", ()) and source != "upload logs"
    if data is not None and not from_link:
        st.session_state["rpd"] = measured
    elif data is None and st.session_state.get("rpd") is None:
        st.session_state["rpd"] = 2000.0
    if previous is not None:
        st.session_state["task"] = WHOLE_LOG
        st.session_state["changes"] = -1.0


def bounds(key: str) -> dict[str, Any]:
    """A widget's range, from the input's one declaration (advisor.fields, through PARAMS)."""
    p = PARAMS[key]
    return {"min_value": p.lo, "max_value": p.hi}


def editing(sb, key: str, label: str, keys: tuple[str, ...]) -> bool:
    """A switch that shows a section's widgets (hidden, one line says their values). It starts on when
    a link or an earlier edit moved any of ``keys`` off its default."""
    defaults = st.session_state.get("_defaults", {})
    st.session_state.setdefault(key, any(st.session_state[k] != defaults.get(k) for k in keys))
    return sb.toggle(label, key=key)


OPTION_KEYS = ("hosted", "model", "gpus", "provider", "precision")


def options_ui(sb, c: dict[str, list[str]]) -> tuple[list[str], str, list[str], str, str]:
    """The fine-tuned options compared: widgets when "Edit the options" is on, else one line naming
    them (five drop-downs are the dearest widgets to redraw on every re-run). The switch starts on
    when a link or an earlier edit changed any of them."""
    if not editing(sb, "edit_options", "Edit the options compared", OPTION_KEYS):
        values = tuple(st.session_state[k] for k in OPTION_KEYS)
        sb.caption(V.page_text(V.options_text(*values)))
        return values
    return (sb.multiselect(PARAMS["hosted"].label, c["hosted"], key="hosted"),
            sb.selectbox("Self-hosted model", c["models"], key="model"),
            sb.multiselect("Self-hosted GPUs", c["gpus"], key="gpus"),
            sb.selectbox("GPU provider", ["cheapest"] + c["providers"], key="provider"),
            sb.selectbox("Precision", PARAMS["precision"].choices, key="precision"))


# rarely changed: behind "Edit assumptions" (each widget drawn is redrawn on every re-run)
ASSUMED = ("e2e", "ttft", "itl", "examples", "epochs", "retrains", "changes", "static", "ftpt", "minrpd", "rate",
           "review", "eng", "lab", "ops")


def assumptions_ui(sb) -> dict[str, Any]:
    """Latency targets, training and people's time: widgets when "Edit assumptions" is on, else one
    line saying the values in force. Hidden values keep their state (and their place in the URL); the
    switch starts on when a link or an earlier edit set any of them."""
    for k in ASSUMED:   # kept while hidden: Streamlit forgets the state of widgets not drawn in a run
        st.session_state[k] = st.session_state[k]
    people = people_defaults()
    if not editing(sb, "assume", "Edit assumptions (latency targets, training, people's time)", ASSUMED):
        sb.caption(V.page_text(V.assumptions_text({k: st.session_state[k] for k in ASSUMED}, people)))
        return {k: st.session_state[k] for k in ASSUMED}
    out = {}
    out["e2e"] = sb.number_input("End-to-end target (ms, 0 = none)", **bounds("e2e"), step=100.0,
                                 key="e2e", format="%.0f")
    out["ttft"] = sb.number_input("Time-to-first-token target (ms, 0 = none)", **bounds("ttft"), step=50.0, key="ttft",
                                  format="%.0f")
    out["itl"] = sb.number_input("Inter-token latency target, self-hosted (ms, 0 = none)", **bounds("itl"), step=5.0,
                                 key="itl", format="%.0f")
    sb.header("Fine-tuning")
    out["examples"] = sb.number_input("Training examples (0 = from logs)", **bounds("examples"), key="examples")
    out["epochs"] = sb.number_input("Epochs", **bounds("epochs"), key="epochs")
    out["retrains"] = sb.number_input("Retrains per year", **bounds("retrains"), key="retrains")
    out["changes"] = sb.number_input("Prompt changes per month (-1 = from logs)", **bounds("changes"), key="changes")
    out["static"] = sb.number_input("Static prompt tokens (instructions, examples)", **bounds("static"), value=None,
                                    key="static", placeholder="measured in the logs",
                                    help="The part of each prompt that never changes: a fine-tune learns it.")
    out["ftpt"] = sb.number_input("Fine-tuned prompt tokens", **bounds("ftpt"), value=None, key="ftpt",
                                  placeholder="variable part + 50",
                                  help="Prompt tokens a fine-tuned model reads per request.")
    out["minrpd"] = sb.number_input("Volume threshold (requests/day)", **bounds("minrpd"), key="minrpd")
    sb.header("People's time")
    sb.caption("Empty = the sourced default (US median software developer, loaded; the hours are listed under "
               "Prices & sources).")
    out["rate"] = sb.number_input("Engineer cost per hour (USD)", **bounds("rate"), value=None, key="rate",
                                  placeholder=f"{people['engineer_usd_per_hour']:,.2f} (sourced)")
    out["review"] = sb.number_input("Review minutes per training example", **bounds("review"), value=None, key="review",
                                    placeholder=f"{people['review_minutes_per_example']:g} (assumed)")
    out["eng"] = sb.number_input("One-off engineering (USD)", **bounds("eng"), step=1000.0, value=None,
                                 key="eng", placeholder="from the hours above")
    out["lab"] = sb.number_input("Labelling / evaluation per run (USD)", **bounds("lab"), step=100.0,
                                 value=None, key="lab", placeholder="from the hours above")
    out["ops"] = sb.number_input("Self-hosting operations per month (USD)", min_value=0.0, max_value=1e7, step=100.0,
                                 value=None, key="ops", placeholder="from the hours above")
    return out


def scenario_ui(source: str, data: PageData | None) -> Inputs:
    sb = st.sidebar
    keys = ["source"] + (["onein"] if source == "upload logs" else [])
    task = WHOLE_LOG
    if data is not None and len(data.tasks) > 1:
        choices = [WHOLE_LOG] + data.tasks
        choose("task", choices, WHOLE_LOG)
        task = sb.selectbox("Task (prompt template)", choices, key="task",
                            format_func=lambda t: "all tasks (per-task verdicts)" if t == WHOLE_LOG else t)
        keys.append("task")
    no_clock = data is not None and data.measured_requests_per_day is None
    rpd = sb.number_input("Requests per day (all tasks)", **bounds("rpd"), step=100.0, key="rpd",
                          format=rate_format(st.session_state.get("rpd")),
                          value=None, placeholder="the logs have no timestamps: type your volume" if no_clock else None,
                          help="Your real volume; the logs' mix of tasks is scaled to it." +
                          ("" if data is None or no_clock else
                           f" Measured in the logs: {V.fmt_rate(data.measured_requests_per_day)}."))
    keys.append("rpd")
    prompt = completion = 0.0
    if source == "typed numbers":
        seed("pt")
        seed("ct")
        prompt = sb.number_input("Prompt tokens per request", **bounds("pt"), key="pt", format="%.0f")
        completion = sb.number_input("Completion tokens per request", **bounds("ct"), key="ct",
                                     format="%.0f")
        keys += ["pt", "ct"]
    for k in ("growth", "horizon"):
        seed(k)
    growth, msg = fit_growth(rpd or 1.0, st.session_state["growth"], st.session_state["horizon"])
    if msg:   # the growth the horizon allows, set before its slider is drawn (so the URL says what is shown)
        st.session_state["growth"] = growth
        note(msg)
    sb.slider(PARAMS["growth"].label, *bounds("growth").values(), key="growth")
    sb.slider(PARAMS["horizon"].label, *bounds("horizon").values(), key="horizon")

    sb.header("Prices")
    seed("asof", today().isoformat())
    typed = sb.text_input(PARAMS["asof"].label, key="asof", placeholder="YYYY-MM-DD",
                          help=f"Type a date from {MIN_AS_OF} to today (YYYY-MM-DD) and press Enter or Tab: the "
                               "catalog's prices, models and shutdowns of that day.")
    as_of, msg = date_value("asof", typed, today=today())
    if msg:
        note(msg)
    c = catalog_choices(as_of)
    choose("baseline", [AUTO_BASELINE] + c["api"], AUTO_BASELINE)
    baseline = sb.selectbox("Baseline API model", [AUTO_BASELINE] + c["api"], key="baseline")
    seed("batch")
    sb.checkbox("Baseline uses the Batch API (50% off)", key="batch")

    sb.header("Options")
    choose_many("hosted", c["hosted"], c["hosted"])   # every endpoint in force, as the library and CLI compare
    choose("model", c["models"], "mistral-7b")
    choose_many("gpus", c["gpus"], PARAMS["gpus"].default)
    choose("provider", ["cheapest"] + c["providers"], "cheapest")
    choose("precision", list(PARAMS["precision"].choices), "bf16")
    hosted, model, gpus, provider, precision = options_ui(sb, c)
    for k in ("stz", "latsens", "switch"):
        seed(k)
    switch = sb.toggle("Also price cheaper API models (switch, no training)", key="switch")
    sb.toggle("Scale to zero (else always-on)", key="stz")
    sb.header("Latency and the task")
    for k in ASSUMED + ("reasoning", "ood"):
        seed(k)
    sb.checkbox("Users wait on the answer", key="latsens",
                          help="Latency-sensitive: without a target, no option may be slower end to end than today.")
    sb.checkbox("Task needs deep reasoning", key="reasoning")
    sb.checkbox("Inputs drift out of domain", key="ood")
    a = assumptions_ui(sb)
    min_rpd = a["minrpd"]
    keys += ["growth", "horizon", "asof", "baseline", "batch", "hosted", "model", "gpus", "provider", "precision",
             "switch", "stz", "latsens", "e2e", "ttft", "itl", "examples", "epochs", "retrains", "changes", "static",
             "ftpt", "reasoning", "ood", "minrpd", "rate", "review", "eng", "lab", "ops"]
    write_url(keys + ["tab"])   # the open tab too (not part of the scenario: no new analysis)

    suffix = "" if provider == "cheapest" else f":{provider}"
    options = tuple(hosted) + tuple(f"selfhost/{model}@{g}{suffix}" for g in gpus)
    placeholder = Workload.typed(rpd or 1.0, max(prompt, 1.0), max(completion, 1.0))  # replaced per task
    page = {k: st.session_state.get(k) for k in keys}
    given = {PARAMS[k].field: PARAMS[k].to_library(v) for k, v in page.items()
             if PARAMS[k].field in _SCENARIO_FIELDS}   # units and "not set" from advisor.fields
    given.update(baseline=None if baseline == AUTO_BASELINE else baseline, as_of=as_of,
                 include_api_alternatives=switch, precision=precision)
    scenario = Scenario(workload=placeholder, options=options, **given)
    query = sorted(to_query({k: st.session_state.get(k) for k in keys}).items())
    key = "&".join(f"{k}={v}" for k, v in query)
    recs_key = "&".join(f"{k}={v}" for k, v in query if k != "task")
    return Inputs(source=source, task=task, requests_per_day=rpd, prompt_tokens=prompt, completion_tokens=completion,
                  scenario=scenario, thresholds=Thresholds(min_requests_per_day=min_rpd), key=key,
                  recs_key=recs_key)


def data_summary_ui(data: PageData) -> None:
    st.caption(V.page_text(data.summary))
    if data.problems:
        with st.expander(f"{count_text(data.skipped, 'record')} skipped: file, line and reason"):
            st.code("\n".join(data.problems[:200]))


def notes_ui() -> None:
    notes = list(dict.fromkeys(st.session_state.pop("_url_notes_shown", []) + st.session_state.get("_notes", [])))
    st.session_state["_notes"] = []
    if st.session_state.get("_url_notes"):
        notes = st.session_state["_url_notes"] + notes
    if notes:
        st.warning("\n".join(f"- {V.page_text(n)}" for n in notes), icon=":material/tune:")


def verdict_ui(a: PageAnalysis, task: str) -> None:
    rec = a.focus
    VERDICT_BOX.get(rec.verdict, st.info)(f"**Verdict: {V.headline_text(rec, a.tasks, task, esc=md_text)}**",
                                          icon=VERDICT_ICON.get(rec.verdict, ":material/info:"))
    st.caption(f"Against {md_text(rec.baseline)} today · prices as of {rec.options.attrs.get('as_of')} · "
               f"{V.fmt_rate(rec.scenario.workload.requests_per_day)}"
               + (f" for {md_text(rec.scenario.workload.task)}" if rec.scenario.workload.task != WHOLE_LOG else ""))
    if rec.baseline_note:   # the logs' model priced under another name, or not priced: the headline's footing
        st.caption(f":material/warning: {V.page_text(rec.baseline_note)}")
    tiles_ui(a)
    shown, more = V.reasons_shown(rec)
    if shown:   # one element for all reasons (each element is a message and a redraw per re-run)
        st.markdown("\n\n".join(f"{ICONS[r.effect]} {V.page_text(r.words('page'))}" for r in shown))
    if more:
        with st.expander("What else was checked"):
            st.markdown("\n\n".join(f"{NEUTRAL} {V.page_text(r.words('page'))}" for r in more))


TILE_PX = 250   # three tiles a row at 1280 and 1440 px wide, one on a phone; values never cut


def tiles_ui(a: PageAnalysis) -> None:
    """The figures that decide the verdict, in one wrapping row (one container, not a grid of columns:
    fewer elements for the browser to redraw on every re-run)."""
    row = st.container(horizontal=True, gap="small")
    for t in V.tiles(a.focus):
        row.metric(md_text(t.label), md_text(t.value), delta=t.note and md_text(t.note), delta_color="off",
                   delta_arrow="off", help=t.help and V.page_text(t.help), border=True, width=TILE_PX)


def bill_ui(a: PageAnalysis) -> None:
    b = a.bill
    if len(b.tasks) < 2:
        return
    st.markdown("##### The whole bill across tasks")
    go, move = list(b.fine_tuned_tasks), list(b.switched_tasks)
    steps = ([f"Fine-tune {', '.join(map(md_text, go))}"] if go else []) + \
        ([f"switch {', '.join(map(md_text, move))} to a cheaper API model (no training)"] if move else [])
    plan = "; ".join(steps) + "; the rest stays as it is." if steps else "Every task stays on the baseline."
    plan = plan[0].upper() + plan[1:]
    st.markdown(f"{plan} **{V.fmt_usd(b.new_usd_per_month)} a month** instead of {V.fmt_usd(b.current_usd_per_month)}"
                f", with upkeep and people's time (one-off {V.fmt_usd(b.one_off_usd)} on top); "
                f"over {V.fmt_months(b.horizon_months)} "
                + (f"**{V.fmt_usd(b.savings_usd_horizon)} saved**." if b.savings_usd_horizon >= 0.5 else "no change."))
    # one Markdown table: a data grid, or a static table (each cell its own Markdown), costs the browser far more
    # to redraw on every re-run; PAGE_CSS keeps its cells on one line
    st.container(key="bill").markdown(V.markdown_table(V.bill_table(b), V.BILL_FORMATS))


# The bill's cells never break inside a task or model name ("product-" / "copy"); the headers wrap instead, the
# padding is compact so the eight columns fit beside the sidebar at 1280 px, and a phone scrolls the table alone.
PAGE_CSS = """<style>
.st-key-bill [data-testid="stMarkdownContainer"] { overflow-x: auto; }
.st-key-bill th, .st-key-bill td { padding: 0.3rem 0.45rem; }
.st-key-bill td { white-space: nowrap; }
.st-key-bill th { vertical-align: bottom; }
.st-key-options table, .st-key-tasks table { font-size: 0.85rem; }
.st-key-options th, .st-key-options td, .st-key-tasks th, .st-key-tasks td { padding: 0.25rem 0.4rem; }
.st-key-options th, .st-key-tasks th { vertical-align: bottom; }
.st-key-options td, .st-key-tasks td { white-space: nowrap; }
.st-key-tasks td:nth-last-child(-n+2) { white-space: normal; }
.st-key-tasks td:nth-last-child(2) { min-width: 16rem; }
.st-key-options [data-testid="stMarkdownContainer"], .st-key-tasks [data-testid="stMarkdownContainer"] {
  overflow-x: auto; }
</style>"""


CHART_CONFIG = {"displayModeBar": False}   # no toolbar to build on each redraw (the report has the full charts)


@st.cache_resource(show_spinner=False, max_entries=256)
def cached_figure(name: str, data_digest: str, scenario_key: str, _build):
    """Each chart built once per (data, scenario): a tab switch or a return to a scenario reuses it."""
    return _build()


def chart(name: str, a_key: tuple[str, str], build) -> None:
    st.plotly_chart(cached_figure(name, *a_key, build), width="stretch", key=f"chart_{name}", config=CHART_CONFIG)


def cost_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    f, c = a.focus, a.colours
    be = dict(zip(f.options["name"], f.options["break_even_requests_per_day"]))
    h, g = f.scenario.horizon_months, f.scenario.growth_per_month
    grows = (f" and averaged over the months as your traffic grows {g:+.0%} a month (so not the tiles' first month)"
             if g else "")
    st.markdown(f"**All-in cost per month vs volume**, the one-off spread over {V.fmt_months(h)}{grows}: where a "
                "line crosses today's, that option breaks even (the diamonds). Today's model and the four options "
                "cheapest at your volume; all of them are in the Options tab.")
    chart("cost", k, lambda: F.cost_vs_volume(a.sweep, baseline=f.baseline, break_evens=be, colours=c,
                                             always=(f.best_option,) if f.best_option else (),
                                             current_requests_per_day=f.scenario.workload.requests_per_day,
                                             horizon_months=h, growth_per_month=g, ends=ending_options(f.options)))


def payback_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    """One chart per tab: each chart the page draws is ~60-100 ms of the browser's time on a re-run."""
    f, c = a.focus, a.colours
    pb = dict(zip(f.options["name"], f.options["payback_month"]))
    st.markdown(f"**Cumulative savings against {md_text(f.baseline)}** — above zero, the option is ahead")
    chart("cumulative", k, lambda: F.cumulative_cost(
        a.curves, baseline=f.baseline, colours=c, ends=ending_options(f.options), as_of=f.options.attrs.get("as_of"),
        payback={f.best_option: pb.get(f.best_option)} if f.best_option else None))


def latency_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    st.markdown("**Latency per request**")
    chart("latency", k, lambda: F.latency_comparison(a.focus.options, colours=a.colours))
    st.caption("API latencies are published measurements (sources in the options table); self-hosted ones come "
               "from the calibrated capacity model at your peak load.")


def uncertainty_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    if a.tornado is None or a.monte_carlo is None:
        st.info("No fine-tuned option to assess.")
        return
    mc = a.monte_carlo
    st.markdown(f"**What moves the savings most** ({md_text(a.focus.best_option)})")
    chart("tornado", k, lambda: F.tornado_chart(a.tornado))
    st.markdown(f"**Savings over the horizon in {len(mc.savings_usd):,} simulated futures** — pays off in "
                f"{V.fmt_share(mc.p_pays_off)}")
    chart("mc", k, lambda: F.savings_histogram(mc.savings_usd, p10=mc.savings_usd_p10, p50=mc.savings_usd_p50,
                                               p90=mc.savings_usd_p90, p_pays_off=mc.p_pays_off))


def traffic_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    if data is None:
        st.info("Typed numbers: no per-request distribution to show.")
        return
    st.markdown("**Tokens per request by task**")
    chart("tokens", (data.digest, ""), lambda: F.token_distributions(data.tokens))
    if data.hourly is not None:
        st.markdown("**Requests by hour of day (UTC)**")
        chart("traffic", (data.digest, ""), lambda: F.traffic_profile(data.hourly, colours=task_colours(data.tasks)))


def options_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    f = a.focus
    # one Markdown table (PAGE_CSS: compact, headers wrap) fits beside the sidebar at 1440 px without scrolling
    st.container(key="options").markdown(V.markdown_table(V.options_table(f), V.OPTION_FORMATS))
    with st.expander("Notes and sources per option"):
        st.dataframe(f.options[["name", "notes", "source"]].rename(
            columns={"name": "Option", "notes": "Notes", "source": "Source"}), hide_index=True)


def tasks_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    # "What stands in the way" wraps in full (a grid cut it at its column's width)
    st.container(key="tasks").markdown(V.markdown_table(V.tasks_table(a.tasks), V.TASK_FORMATS))


def prices_tab(a: PageAnalysis, data: PageData | None, k: tuple[str, str]) -> None:
    f = a.focus
    st.dataframe(prices_used(f).rename(columns=str.capitalize), hide_index=True, key="table_prices")
    if f.assumptions:
        st.markdown("**Assumptions**\n" + "\n".join(f"- {V.page_text(x)}" for x in f.assumptions))


TAB_UI = dict(zip(TABS, (cost_tab, payback_tab, latency_tab, uncertainty_tab, traffic_tab, options_tab, tasks_tab,
                        prices_tab)))


def charts_ui(a: PageAnalysis, data: PageData | None, key: tuple[str, str]) -> None:
    """Only the open tab is drawn (a tab switch re-runs on the cached analysis)."""
    choose("tab", list(TABS), TABS[0])   # the open tab lives in the URL (?tab=Options) like every input
    for tab, name in zip(st.tabs(TABS, key="tab", on_change="rerun"), TABS):
        if tab.open:
            with tab:
                TAB_UI[name](a, data, key)


def report_ui(a: PageAnalysis, data: PageData | None):
    """Downloads are rendered from this run's analysis when clicked: always the current scenario. Returns the
    row, for the dataset's download beside them."""
    frame, notes = (None, ()) if data is None else (data.frame, data.notes)   # notes: as `report` writes them
    row = st.container(horizontal=True)
    row.download_button("Download report (HTML, interactive charts)", lambda: render_html(a.tasks, notes, frame=frame,
                                                                                            analysis=a),
                        file_name="finetune-advice.html", mime="text/html", key="download_html", on_click="ignore",
                        icon=":material/download:")
    row.download_button("Download report (Markdown)", lambda: render_markdown(a.tasks, notes, analysis=a),
                        file_name="finetune-advice.md", mime="text/markdown", key="download_md", on_click="ignore",
                        icon=":material/download:")
    return row


def dataset_ui(a: PageAnalysis, choice: DataChoice, row) -> None:
    """The recommended task's training set, eval set and judge prompt, built in memory when clicked (nothing is
    stored or sent): the task the headline speaks for."""
    task = a.focus.scenario.workload.task
    if task == WHOLE_LOG:
        task = next((t for t in a.tasks if t != WHOLE_LOG), WHOLE_LOG)
    if choice.source == "typed numbers" or task == WHOLE_LOG:
        return
    uploaded = list(choice.files)  # the sample is generated only when the button is clicked, never on a re-run
    sample = choice.source == "sample logs"
    row.download_button(f"Download the training and eval set of {md_text(task)}",
                        lambda: dataset_download(sample_log_files() if sample else uploaded, task,
                                                 as_of=a.focus.scenario.as_of), file_name=zip_name(task),
                        mime="application/zip", key="download_dataset", on_click="ignore", icon=":material/dataset:",
                        help="train.jsonl and eval.jsonl in OpenAI's chat fine-tuning format (the eval set is the "
                             "latest calls, today's answers as the reference), judge.md (a pairwise judge prompt and "
                             "its cost) and summary.json: built in memory from the logs, never stored or sent.")


def main() -> None:
    st.set_page_config(page_title="finetune-advisor", page_icon=page_icon(), layout="wide")
    st.html(PAGE_CSS)
    st.markdown("#### Would a fine-tuned 7B model beat GPT-4 on your prompts?")
    load_url_state()
    try:
        choice = data_source_ui()
        if choice.source == "upload logs" and not choice.files:
            scenario_ui(choice.source, None)
            st.info("Upload one or more exported log files in the sidebar (nothing leaves this machine).")
            return
        data = load_data(choice)
        follow_data(data, choice.source)
        inputs = scenario_ui(choice.source, data)
        notes_ui()
        if data is not None:
            data_summary_ui(data)
        if not inputs.scenario.options:   # the library reads no options as "the defaults"; the page never does
            st.warning("No fine-tuned option is selected: pick at least one hosted endpoint or self-hosted GPU "
                       "under “Edit the options compared” in the sidebar.", icon=":material/tune:")
            return
        if inputs.requests_per_day is None:
            st.info("These logs have no timestamps, so the volume cannot be measured: type your requests per day "
                    "in the sidebar.", icon=":material/schedule:")
            return
        analysis = cached_analysis("typed" if data is None else data.digest, inputs.key, data, inputs)
    except AdvisorError as exc:
        st.error(V.page_text(str(exc)))
        return
    verdict_ui(analysis, inputs.task)
    bill_ui(analysis)
    charts_ui(analysis, data, ("typed" if data is None else data.digest, inputs.key))
    dataset_ui(analysis, choice, report_ui(analysis, data))


if __name__ == "__main__":
    main()

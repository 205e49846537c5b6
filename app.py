"""finetune-advisor dashboard: ``streamlit run app.py``.

Opens on built-in sample logs; upload your own exports or type your numbers. Nothing uploaded is
written to disk or sent anywhere. The scenario lives in the URL, so a link reproduces it.
All arithmetic is in the ``advisor`` and ``pricing`` packages; this file only asks and draws.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import streamlit as st

from advisor import AdvisorError, Scenario, Workload
from advisor import figures as F
from advisor.analysis import Analysis, analyse, task_table
from advisor.logs import MemoryFile, read_logs
from advisor.recommend import Thresholds
from advisor.report import prices_used, render_html, render_markdown
from advisor.samples import write_sample_logs
from advisor.scenario import DEFAULT_SELFHOST_GPUS
from advisor.workload import hourly_requests, profile_tasks, scale_workloads, token_summary
from pricing import load_catalog

MAX_UPLOAD_MB = 200
SOURCES = ("sample logs", "upload logs", "typed numbers")
VERDICT_STYLE = {"fine-tune": st.success, "not yet": st.warning, "no": st.error}


# ------------------------------------------------------------------------------------------------
# cached data


@st.cache_resource(show_spinner=False)
def warm_tokenizers() -> bool:
    """Load the offline encoders once per server (they are shared, read-only)."""
    from advisor.tokens import get_encoding, get_ft_tokenizer

    get_encoding("cl100k_base")
    get_encoding("o200k_base")
    get_ft_tokenizer("mistral-v1")
    return True


@st.cache_data(show_spinner="Generating and counting the sample logs…", max_entries=2)
def sample_frame():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        result = read_logs(write_sample_logs(Path(d) / "sample.jsonl"))
    return result.frame, result.skipped, [], {"sample.jsonl": "openai"}


def read_uploads(files: list[tuple[str, bytes]]):
    """Read uploads in memory with a progress bar; cached by content digest."""
    digest = hashlib.sha256(b"".join(hashlib.sha256(data).digest() for _, data in files)).hexdigest()
    cache = st.session_state.setdefault("_upload_cache", {})
    if digest not in cache:
        bar = st.progress(0.0, text="Reading logs…")
        result = read_logs([MemoryFile(name, data) for name, data in files],
                           progress=lambda done, total: bar.progress(min(done / max(total, 1), 1.0),
                                                                     text=f"Reading logs… {done / 1e6:.1f} MB"))
        bar.empty()
        cache.clear()
        cache[digest] = (result.frame, result.skipped, [f"{p.file}:{p.line}: {p.reason}" for p in result.problems],
                         result.formats)
    return cache[digest]


def derived(data_key: str, frame) -> dict:
    """What the page needs from a log, computed once per data set: per-task profiles, token
    summaries and the hourly profile (re-runs after any widget change reuse them)."""
    memo = st.session_state.setdefault("_derived", {})
    if data_key not in memo:
        memo.clear()
        memo[data_key] = {"profiles": profile_tasks(frame), "tokens": token_summary(frame),
                          "hourly": hourly_requests(frame)}
    return memo[data_key]


@st.cache_data(show_spinner=False, max_entries=8)
def catalog_choices(as_of: dt.date):
    cat = load_catalog(as_of)
    gpus = [g for g in DEFAULT_SELFHOST_GPUS + tuple(sorted(cat.gpus)) if g in cat.gpus and cat.gpus[g].prices]
    providers = sorted({p for g in cat.gpus.values() for p in g.prices})
    return (sorted(cat.api_models), sorted(cat.hosted), list(dict.fromkeys(gpus)), providers, sorted(cat.open_models))


# ------------------------------------------------------------------------------------------------
# URL state


def q(name: str, default, kind=str):
    """A scenario value from the URL query, or the default when absent or malformed."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        if kind is bool:
            return raw in ("1", "true", "True")
        if kind is list:
            return [x for x in raw.split(",") if x]
        if kind is dt.date:
            return dt.date.fromisoformat(raw)
        return kind(raw)
    except ValueError:
        return default


@dataclass(frozen=True)
class Inputs:
    source: str
    uploads: tuple
    requests_per_day: float | None
    prompt_tokens: float
    completion_tokens: float
    scenario: Scenario
    task: str
    thresholds: Thresholds


# ------------------------------------------------------------------------------------------------
# UI pieces


def data_source_ui():
    st.sidebar.header("Traffic")
    source = st.sidebar.radio("Data", SOURCES, index=SOURCES.index(q("source", SOURCES[0])) if q("source", SOURCES[0])
                              in SOURCES else 0, key="source", horizontal=False)
    uploads = ()
    if source == "upload logs":
        files = st.sidebar.file_uploader(
            "Exported logs (OpenAI, Batch, fine-tuning, OpenPipe, Helicone, Langfuse, LangSmith, LiteLLM, CSV, Parquet; "
            ".gz ok)", accept_multiple_files=True, key="upload")
        uploads = tuple((f.name, f.getvalue()) for f in files or ())
        too_big = [n for n, d in uploads if len(d) > MAX_UPLOAD_MB * 1e6]
        if too_big:
            st.sidebar.error(f"{', '.join(too_big)}: over {MAX_UPLOAD_MB} MB; use the CLI "
                             "(python -m advisor advise LOG) for large files")
            uploads = tuple((n, d) for n, d in uploads if n not in too_big)
    return source, uploads


def scenario_ui(source: str, measured_rpd: float | None, tasks: list[str]):
    sb = st.sidebar
    task = "all"
    if len(tasks) > 1:
        choices = ["all"] + tasks
        task = sb.selectbox("Task (prompt template)", choices, index=choices.index(q("task", "all"))
                            if q("task", "all") in choices else 0, key="task",
                            format_func=lambda t: "all tasks (per-task verdicts)" if t == "all" else t)
    default_rpd = q("rpd", measured_rpd if measured_rpd else 2000.0, float)
    rpd = sb.number_input("Requests per day (all tasks)", min_value=0.0, value=float(round(default_rpd, 1)),
                          step=100.0, key="rpd", help="Your real volume; the logs' mix is scaled to it.")
    prompt = completion = 0.0
    if source == "typed numbers":
        prompt = sb.number_input("Prompt tokens per request", min_value=0.0, value=q("pt", 1200.0, float), key="prompt_tokens")
        completion = sb.number_input("Completion tokens per request", min_value=1.0, value=q("ct", 300.0, float),
                                     key="completion_tokens")
    growth = sb.slider("Growth per month (%)", -20, 50, q("growth", 0, int), key="growth") / 100.0
    horizon = sb.slider("Horizon (months)", 1, 36, q("horizon", 12, int), key="horizon")

    sb.header("Prices")
    as_of = sb.date_input("Prices as of", value=q("asof", dt.date.today(), dt.date), key="as_of",
                          min_value=dt.date(2023, 3, 14))
    api_ids, hosted_ids, gpu_ids, providers, models = catalog_choices(as_of)
    base_default = q("baseline", "(from logs / newest GPT-4)")
    base_choices = ["(from logs / newest GPT-4)"] + api_ids
    baseline = sb.selectbox("Baseline API model", base_choices, key="baseline",
                            index=base_choices.index(base_default) if base_default in base_choices else 0)
    batch = sb.checkbox("Baseline uses the Batch API (50% off)", value=q("batch", False, bool), key="batch")

    sb.header("Options")
    hosted = sb.multiselect("Hosted fine-tuned endpoints", hosted_ids, key="hosted",
                            default=[h for h in q("hosted", [h for h in hosted_ids if "together" not in h], list)
                                     if h in hosted_ids])
    model = sb.selectbox("Self-hosted model", models, key="model",
                         index=models.index(q("model", "mistral-7b")) if q("model", "mistral-7b") in models else 0)
    gpus = sb.multiselect("Self-hosted GPUs", gpu_ids, key="gpus",
                          default=[g for g in q("gpus", ["l4", "l40s", "a100-80gb"], list) if g in gpu_ids])
    prov_choices = ["cheapest"] + providers
    provider = sb.selectbox("GPU provider", prov_choices, key="provider",
                            index=prov_choices.index(q("provider", "cheapest")) if q("provider", "cheapest")
                            in prov_choices else 0)
    precision = sb.selectbox("Precision", ["bf16", "fp8", "int8", "int4"], key="precision",
                             index=["bf16", "fp8", "int8", "int4"].index(q("precision", "bf16"))
                             if q("precision", "bf16") in ("bf16", "fp8", "int8", "int4") else 0)
    stz = sb.toggle("Scale to zero (else always-on)", value=q("stz", False, bool), key="scale_to_zero")
    itl = sb.number_input("Inter-token latency target (ms, 0 = none)", min_value=0.0, value=q("itl", 0.0, float),
                          key="itl_ms")
    ttft = sb.number_input("Time-to-first-token target (ms, 0 = none)", min_value=0.0, value=q("ttft", 0.0, float),
                           key="ttft_ms")

    sb.header("Fine-tuning")
    examples = sb.number_input("Training examples (0 = from logs)", min_value=0, value=q("examples", 0, int),
                               key="examples")
    epochs = sb.number_input("Epochs", min_value=1, max_value=20, value=q("epochs", 3, int), key="epochs")
    retrains = sb.number_input("Retrains per year", min_value=0.0, value=q("retrains", 4.0, float), key="retrains")
    changes = sb.number_input("Prompt changes per month (-1 = from logs)", min_value=-1.0,
                              value=q("changes", -1.0 if source != "typed numbers" else 0.0, float), key="changes")
    engineering = sb.number_input("One-off engineering (USD)", min_value=0.0, value=q("eng", 0.0, float),
                                  key="engineering")
    labelling = sb.number_input("Labelling / evaluation per run (USD)", min_value=0.0, value=q("lab", 0.0, float),
                                key="labelling")
    ops = sb.number_input("Self-hosting operations per month (USD)", min_value=0.0, value=q("ops", 0.0, float),
                          key="ops")
    reasoning = sb.checkbox("Task needs deep reasoning", value=q("reasoning", False, bool), key="deep_reasoning")
    ood = sb.checkbox("Inputs drift out of domain", value=q("ood", False, bool), key="out_of_domain")
    min_rpd = sb.number_input("Volume threshold (requests/day)", min_value=0.0, value=q("minrpd", 100.0, float),
                              key="min_rpd")

    suffix = "" if provider == "cheapest" else f":{provider}"
    options = tuple(hosted) + tuple(f"selfhost/{model}@{g}{suffix}" for g in gpus)
    st.query_params.from_dict({k: v for k, v in {
        "source": source, "task": task, "rpd": f"{rpd:g}", "pt": f"{prompt:g}", "ct": f"{completion:g}",
        "growth": str(int(round(growth * 100))), "horizon": str(horizon), "asof": as_of.isoformat(),
        "baseline": baseline, "batch": "1" if batch else "0", "hosted": ",".join(hosted), "model": model,
        "gpus": ",".join(gpus), "provider": provider, "precision": precision, "stz": "1" if stz else "0",
        "itl": f"{itl:g}", "ttft": f"{ttft:g}", "examples": str(examples), "epochs": str(epochs),
        "retrains": f"{retrains:g}", "changes": f"{changes:g}", "eng": f"{engineering:g}", "lab": f"{labelling:g}",
        "ops": f"{ops:g}", "reasoning": "1" if reasoning else "0", "ood": "1" if ood else "0",
        "minrpd": f"{min_rpd:g}"}.items()})
    placeholder = Workload.typed(max(rpd, 0.0), prompt, max(completion, 1.0))  # replaced per task below
    scenario = Scenario(
        workload=placeholder, baseline=None if baseline.startswith("(") else baseline, options=options,
        horizon_months=int(horizon), growth_per_month=growth, as_of=as_of, batch=batch, precision=precision,
        scale_to_zero=stz, itl_target_s=itl / 1000 if itl else None, ttft_target_s=ttft / 1000 if ttft else None,
        training_examples=int(examples) or None, epochs=int(epochs), retrains_per_year=retrains,
        prompt_changes_per_month=None if changes < 0 else changes, labelling_usd_per_run=labelling,
        engineering_usd=engineering, selfhost_ops_usd_per_month=ops, needs_deep_reasoning=reasoning,
        out_of_domain=ood)
    return rpd, prompt, completion, scenario, task, Thresholds(min_requests_per_day=min_rpd)


def verdict_ui(a: Analysis) -> None:
    rec = a.focus  # the selected task's, or the headline (per-task roll-up) for all tasks
    task = rec.scenario.workload.task
    scope = "" if rec is a.recommendation else f" for task **{task}**"
    VERDICT_STYLE[rec.verdict](f"**Verdict: {rec.verdict.upper()}**{scope} — best fine-tuned option "
                               f"**{rec.best_option or 'none'}** against **{rec.baseline}** "
                               f"(prices as of {rec.options.attrs.get('as_of')})")
    for r in rec.reasons:
        icon = {"blocks": ":red[:material/block:]", "delays": ":orange[:material/schedule:]",
                "supports": ":green[:material/check_circle:]", "info": ":blue[:material/info:]"}[r.effect]
        st.markdown(f"{icon} {r.text}")


def key_figures_ui(a: Analysis) -> None:
    f = a.focus
    opts = f.options.set_index("name")
    base_m = float(opts.loc[f.baseline, "usd_per_month"])
    best_m = float(opts.loc[f.best_option, "usd_per_month"]) if f.best_option else None
    cols = st.columns(6)
    cols[0].metric("Now per month", f"${base_m:,.0f}", help=f.baseline)
    cols[1].metric("Fine-tuned per month", "-" if best_m is None else f"${best_m:,.0f}", help=f.best_option)
    cols[2].metric("Savings ratio", "-" if f.savings_ratio is None else f"{f.savings_ratio:,.1f}x")
    cols[3].metric("Break-even", "-" if f.break_even_requests_per_day is None else
                   f"{f.break_even_requests_per_day:,.0f} req/day")
    cols[4].metric("Payback month", "-" if f.payback_months is None else str(f.payback_months))
    cols[5].metric("P(pays off)", "-" if f.p_pays_off is None else f"{f.p_pays_off:.0%}")


def charts_ui(a: Analysis, d: dict | None) -> None:
    f = a.focus
    be = dict(zip(f.options["name"], f.options["break_even_requests_per_day"]))
    pb = dict(zip(f.options["name"], f.options["payback_month"]))
    tabs = st.tabs(["Cost", "Latency", "Uncertainty", "Traffic & tokens", "Options", "Per task", "Prices & sources"])
    with tabs[0]:
        st.plotly_chart(F.cost_vs_volume(a.sweep, baseline=f.baseline, break_evens=be,
                                         current_requests_per_day=f.scenario.workload.requests_per_day),
                        width="stretch", key="chart_cost")
        st.plotly_chart(F.cumulative_cost(a.curves, baseline=f.baseline,
                                          payback={f.best_option: pb.get(f.best_option)} if f.best_option else None),
                        width="stretch", key="chart_cumulative")
    with tabs[1]:
        st.plotly_chart(F.latency_comparison(f.options), width="stretch", key="chart_latency")
        st.caption("API latencies are published measurements (sources in the options table); self-hosted ones come "
                   "from the calibrated capacity model at your peak load.")
    with tabs[2]:
        if a.tornado is not None:
            st.plotly_chart(F.tornado_chart(a.tornado), width="stretch", key="chart_tornado")
            mc = a.monte_carlo
            st.plotly_chart(F.savings_histogram(mc.savings_usd, p10=mc.savings_usd_p10, p50=mc.savings_usd_p50,
                                                p90=mc.savings_usd_p90, p_pays_off=mc.p_pays_off),
                            width="stretch", key="chart_mc")
        else:
            st.info("No fine-tuned option to assess.")
    with tabs[3]:
        if d is not None:
            st.plotly_chart(F.token_distributions(d["tokens"]), width="stretch", key="chart_tokens")
            st.plotly_chart(F.traffic_profile(d["hourly"]), width="stretch", key="chart_traffic")
        else:
            st.info("Typed numbers: no per-request distribution to show.")
    with tabs[4]:
        st.dataframe(f.options.drop(columns=["notes", "source"]), hide_index=True, key="table_options")
        with st.expander("Notes and sources per option"):
            st.dataframe(f.options[["name", "notes", "source"]], hide_index=True)
    with tabs[5]:
        st.dataframe(task_table(a.tasks), hide_index=True, key="table_tasks")
    with tabs[6]:
        st.dataframe(prices_used(f), hide_index=True, key="table_prices")
        if f.assumptions:
            st.markdown("**Assumptions**\n" + "\n".join(f"- {x}" for x in f.assumptions))


def report_ui(a: Analysis, frame) -> None:
    st.download_button("Download report (Markdown)", render_markdown(a.tasks), file_name="finetune-advice.md",
                       mime="text/markdown", key="download_md")
    if st.button("Prepare interactive HTML report", key="prepare_html"):
        st.session_state["_html_report"] = render_html(a.tasks, frame=frame)
    if "_html_report" in st.session_state:
        st.download_button("Download report (HTML)", st.session_state["_html_report"], file_name="finetune-advice.html",
                           mime="text/html", key="download_html")


def main() -> None:
    st.set_page_config(page_title="finetune-advisor", page_icon=":material/balance:", layout="wide")
    st.title("Would a fine-tuned 7B model beat GPT-4 on this prompt?")
    warm_tokenizers()
    try:
        source, uploads = data_source_ui()
        frame, skipped, problems = None, 0, []
        if source == "sample logs":
            frame, skipped, problems, _ = sample_frame()
        elif source == "upload logs":
            if not uploads:
                st.info("Upload one or more exported log files in the sidebar (nothing leaves this machine).")
                return
            frame, skipped, problems, _ = read_uploads(list(uploads))
        data_key = "sample" if source == "sample logs" else hashlib.sha256(b"".join(d for _, d in uploads)).hexdigest()
        d = derived(data_key, frame) if frame is not None else None
        measured = d["profiles"] if d else None
        tasks = [t for t in measured if t != "all"] if measured else []
        rpd, prompt, completion, scenario, task, thresholds = scenario_ui(
            source, measured["all"].requests_per_day if measured else None, tasks)
        if frame is not None:
            workloads = scale_workloads(measured, rpd) if rpd > 0 else measured
            st.caption(f"{int(frame['requests'].sum()):,} requests logged over "
                       f"{measured['all'].days_observed or 0:.1f} days in {len(tasks)} tasks; "
                       f"{skipped:,} records skipped." + (" Prompt text was counted and dropped." if len(frame) else ""))
            if problems:
                with st.expander(f"{skipped:,} skipped records"):
                    st.code("\n".join(problems[:200]))
        else:
            workloads = {"all": Workload.typed(rpd, prompt, completion)}
        analysis = analyse(workloads, scenario, task=task, thresholds=thresholds)
    except AdvisorError as exc:
        st.error(str(exc))
        return
    verdict_ui(analysis)
    key_figures_ui(analysis)
    charts_ui(analysis, d)
    report_ui(analysis, frame)


if __name__ == "__main__":
    main()

"""The public API is small and pinned; the core imports without the dashboard's packages."""

import subprocess
import sys
import textwrap

import advisor
import pricing


def test_pricing_public_api():
    assert sorted(pricing.__all__) == sorted([
        "AdvisorError", "ApiModel", "Benchmark", "Capacity", "Catalog", "CatalogError", "Gpu", "HostedEndpoint",
        "NotReleasedError", "OpenModel", "TrainingRun", "UnknownEntryError", "api_request_cost_usd", "capacity",
        "capacity_curve", "hosted_request_cost_usd", "load_benchmarks", "load_catalog", "predict", "today"])
    for name in pricing.__all__:
        assert hasattr(pricing, name)


def test_advisor_public_api():
    assert sorted(advisor.__all__) == sorted([
        "AdvisorError", "LogError", "Recommendation", "Scenario", "ScenarioError", "Thresholds", "Verdict", "Workload",
        "break_even_requests_per_day", "compare", "default_baseline", "default_options", "parse_option",
        "payback_month", "price_options", "read_logs", "recommend", "recommend_tasks", "sweep", "whole_bill"])
    for name in advisor.__all__:
        assert hasattr(advisor, name), name


def test_logs_public_api():
    import advisor.logs as logs
    assert sorted(logs.__all__) == sorted([
        "FORMATS", "FRAME_COLUMNS", "LogResult", "MemoryFile", "Problem", "detect_record_format", "finalize_frame",
        "iter_chunks", "iter_raw_records", "mask", "normalize_partition", "read_logs", "template_keys",
        "DEFAULT_MAX_RECORD_BYTES", "PER_REQUEST_COLUMNS", "per_request_frame"])


def test_core_imports_without_streamlit_plotly_or_network():
    code = textwrap.dedent("""
        import sys, socket
        sys.modules['streamlit'] = None
        sys.modules['plotly'] = None
        def no_net(*a, **k):
            raise RuntimeError('network used')
        socket.socket.connect = no_net
        socket.create_connection = no_net
        import pricing, advisor
        from advisor import Scenario, Workload, compare
        compare(Scenario(Workload.typed(100, 500, 100)))
        assert 'streamlit' not in [m for m in sys.modules if sys.modules[m] is not None]
        print('ok')
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"


def test_compare_and_recommend_are_lazy_functions_whatever_loads_first():
    """``advisor.compare``/``advisor.recommend`` name both a function and a submodule: importing the package loads
    neither (nor pandas), and once the submodule loads, by any route, the package's name is still the function."""
    code = textwrap.dedent("""
        import sys
        import advisor
        assert 'advisor.compare' not in sys.modules and 'pandas' not in sys.modules
        from advisor.compare import price_options     # the submodule first
        from advisor.recommend import Thresholds
        from advisor import compare, recommend
        assert callable(compare) and compare.__name__ == 'compare' and advisor.compare is compare
        assert callable(recommend) and advisor.recommend is recommend
        assert sys.modules['advisor.compare'].price_options is price_options
        print('ok')
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"

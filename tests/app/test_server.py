"""The dashboard's server as users start it (``streamlit run app.py`` with the project's .streamlit/config.toml):
it makes no network connection (issue 24 item 6), and the issue's link, which combines extreme values of the
page's own ranges, opens on notes, not an error page (item 5, in Chromium; screenshot in tests/artifacts/).

The server runs under an audit hook (PEP 578) installed before Streamlit is imported, which writes every
``socket.connect``, ``socket.sendto``, ``socket.getaddrinfo`` and ``socket.gethostbyname`` of the server process
to a file. Without ``browser.serverAddress`` in the config, Streamlit 1.67's start-up banner
(``bootstrap._print_url``) connects a UDP socket to 8.8.8.8 and looks up checkip.amazonaws.com.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.slow

_HOOKED = """
import json, sys
LOG = sys.argv[1]
WATCHED = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto")
def hook(event, args):
    if event in WATCHED:
        where = args[1] if event in ("socket.connect", "socket.sendto") else args[0]
        host = where[0] if isinstance(where, tuple) else where
        with open(LOG, "a") as fh:
            fh.write(json.dumps([event, host.decode() if isinstance(host, bytes) else str(host)]) + "\\n")
sys.addaudithook(hook)
sys.argv = ["streamlit", "run", "app.py", "--server.port", sys.argv[2]]
from streamlit.web.cli import main
main()
"""
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", "None"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def hooked_server(tmp_path_factory):
    """(url, socket log) of ``streamlit run app.py`` started as a user starts it (no flags but the port)."""
    log = tmp_path_factory.mktemp("sockets") / "events.jsonl"
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT)] + sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", _HOOKED, str(log), str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read().strip() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    urllib.request.urlopen(f"{url}/", timeout=10).read()
    yield url, log
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _leaves_the_machine(event: str, host: str) -> bool:
    """A connect/sendto to an address not of this machine, or a name lookup of another machine's name.

    >>> [_leaves_the_machine("socket.connect", h) for h in ("8.8.8.8", "127.0.0.1", "::1", "/tmp/x.sock")]
    [True, False, False, False]
    >>> [_leaves_the_machine("socket.getaddrinfo", h) for h in ("checkip.amazonaws.com", "localhost")]
    [True, False]
    """
    if host.startswith("/") or host in _LOCAL_NAMES:   # a Unix socket, or this machine by name
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True   # a name: looking it up may leave the machine


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
@pytest.mark.browser
def test_the_issue_link_opens_on_notes_in_chromium(hooked_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _ = hooked_server
    query = "source=typed+numbers&rpd=1e9&pt=2000000&ct=200000&horizon=36&growth=50"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                    "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{url}/?{query}")
        page.get_by_text("Verdict:", exact=False).first.wait_for(timeout=180_000)
        page.wait_for_function("document.querySelector('[data-testid=stApp]')?.getAttribute("
                               "'data-test-script-state') === 'notRunning'", timeout=120_000)
        page.wait_for_timeout(1500)   # the charts draw after the run ends
        alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "issue24-combined-link.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        text = "\n".join(alerts)
        assert "set to 6%" in text and "no fine-tuned option holds 2,200,000 tokens a request" in text
        assert "1e+10" not in text   # today: the page's only content is that error
        assert "growth=6" in page.url
        browser.close()


def test_the_server_makes_no_network_connection(hooked_server):
    url, log = hooked_server
    urllib.request.urlopen(f"{url}/_stcore/health", timeout=10).read()
    time.sleep(1.0)   # the start-up banner (where the lookups were) is printed right after the server is up
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    out = [e for e in events if _leaves_the_machine(*e)]
    # without browser.serverAddress: [['socket.connect', '8.8.8.8'], ['socket.getaddrinfo', 'checkip.amazonaws.com'],
    # ['socket.getaddrinfo', 'checkip.amazonaws.com']] (streamlit 1.67's start-up banner, bootstrap._print_url)
    assert out == []

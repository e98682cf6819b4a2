"""A page run the way a learner runs it.

`make lab` starts JupyterLab from the venv; the learner opens a page and runs every cell.
Here the same JupyterLab is started from the same venv, on 127.0.0.1 with token
authentication, rooted in ``book/`` as `make lab` is. Section 03 is opened in both editions
through the server's REST API (contents, sessions: what the lab's file browser does) and
every code cell is run in order through the kernel websocket (what "Run All" does). Then:

- no cell raises, except cells tagged ``raises-exception``;
- every output equals the stored one, compared as nbval compares them (`nbval_view`);
- the kernel is the venv's Python, in the page's folder, with this checkout's ``companion``;
- requests without the token are refused;
- shutting the server down leaves no server or kernel process behind.

Nothing waits forever: the server start, every cell and the shutdown have deadlines.
"""
from __future__ import annotations

import copy
import difflib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import OrderedDict, defaultdict
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import requests
import websocket
from nbval.plugin import (IPyNbCell, coalesce_streams, find_comment_markers, find_metadata_tags,
                          get_sanitize_patterns, nocolors, transform_streams_for_comparison)

from tests.helpers import bookbuild

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PAGES = ["ko/03_conv_layer.ipynb", "en/03_conv_layer.ipynb"]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

START_TIMEOUT_S = 120   # the server answering /api/status
KERNEL_TIMEOUT_S = 120  # a new kernel answering kernel_info
CELL_TIMEOUT_S = 300    # one cell, from request to idle
STOP_TIMEOUT_S = 30     # the server exiting after /api/shutdown, its kernels gone
HTTP_TIMEOUT_S = 30

# nbval 0.11 in strict mode (no --nbdime) leaves these out of the comparison; it compares
# everything else: stream text by stream name, every MIME type of display_data and
# execute_result (text/plain, text/html, image/svg+xml, ...), ename/evalue of errors.
SKIP_COMPARE = ("metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg")


# --- the comparison, as nbval makes it --------------------------------------------------------

def sanitize_patterns() -> list[tuple[str, str]]:
    """The regex/replacement pairs of tests/nbval_sanitize.cfg, read by nbval's own parser."""
    return get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8"))


def _sanitize(value, patterns):
    if not isinstance(value, str):
        return value
    for regex, replace in patterns:
        value = re.sub(regex, replace, value)
    return value


def nbval_view(outputs: list, patterns: list[tuple[str, str]]) -> dict[str, list]:
    """A cell's outputs as nbval compares them: streams of one name merged (``\\r`` and
    ``\\b`` applied), keyed by stream name; ``data`` flattened into one list per MIME type;
    the keys in SKIP_COMPARE dropped; every string sanitized. Two cells agree for nbval
    exactly when these dictionaries are equal (same keys, same number of values, equal
    values in order)."""
    outputs = coalesce_streams([nbformat.from_dict(copy.deepcopy(o)) for o in outputs])
    view: dict[str, list] = defaultdict(list)
    for output in transform_streams_for_comparison(outputs):
        for key, value in output.items():
            if key in SKIP_COMPARE:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in SKIP_COMPARE:
                        view[mime].append(_sanitize(data, patterns))
            else:
                view[key].append(_sanitize(value, patterns))
    return dict(view)


def nbval_options(cell) -> dict:
    """nbval's per-cell options in strict mode, from comment markers and tags."""
    options = {"check": True, "check_exception": False, "skip": False}
    options.update(find_comment_markers(cell.source))
    options.update(find_metadata_tags(cell.metadata))
    return options


def differences(stored: list, fresh: list, patterns: list[tuple[str, str]]) -> list[str]:
    """What differs between a stored notebook's code cells and a fresh run of them, cell by
    cell, as nbval would report it (an empty list: they agree)."""
    found = []
    for n, (cell, outputs) in enumerate(zip(stored, fresh)):
        options = nbval_options(cell)
        if options["skip"] or not options["check"] or cell.execution_count is None:
            continue
        want, got = nbval_view(cell.outputs, patterns), nbval_view(outputs, patterns)
        if want != got:
            keys = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
            found.append(f"code cell {n} (In [{cell.execution_count}]): {keys} differ\n"
                         + "\n".join(_explain(k, want.get(k, []), got.get(k, [])) for k in keys))
    if len(stored) != len(fresh):
        found.append(f"{len(stored)} code cells stored, {len(fresh)} run")
    return found


def _explain(key: str, want: list, got: list) -> str:
    """The first difference under one key, as a short diff (stored: -, this run: +)."""
    if len(want) != len(got):
        return f"{key}: {len(want)} stored, {len(got)} in this run"
    a, b = next((a, b) for a, b in zip(want, got) if a != b)
    lines = difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), "stored", "this run", lineterm="", n=1)
    return f"{key}:\n" + "\n".join(list(lines)[:40])


# --- a Jupyter server from the venv ----------------------------------------------------------

class LabServer:
    """JupyterLab from this venv, as `make lab` starts it (root ``book/``), on 127.0.0.1 with
    a token, a random port and its own config, data and runtime folders."""

    def __init__(self, root: Path):
        self.root = root
        self.token = uuid.uuid4().hex
        self.home = Path(tempfile.mkdtemp(prefix="learner-jupyter-"))
        self.kernel_pids: set[int] = set()
        env = {**os.environ,
               "JUPYTER_TOKEN": self.token,  # not on the command line: `ps` would show it
               "JUPYTER_CONFIG_DIR": str(self.home / "config"),
               "JUPYTER_DATA_DIR": str(self.home / "data"),
               "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
               "IPYTHONDIR": str(self.home / "ipython"),
               "JUPYTER_PREFER_ENV_PATH": "1"}
        env.pop("MPLBACKEND", None)  # the kernel chooses inline figures itself, as for a learner
        self.log = open(self.home / "server.log", "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--ServerApp.port_retries=0",
             f"--ServerApp.root_dir={root}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        started = time.monotonic()
        try:
            self.port = self._wait_until_up()
        except BaseException:
            self.force_cleanup()
            raise
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_seconds = time.monotonic() - started

    def _wait_until_up(self) -> int:
        info = self.home / "runtime" / f"jpserver-{self.proc.pid}.json"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Jupyter server exited ({self.proc.returncode}):\n{self.log_tail()}")
            if info.exists():
                try:
                    port = json.loads(info.read_text(encoding="utf-8"))["port"]
                    status = requests.get(f"http://127.0.0.1:{port}/api/status",
                                          headers=self.auth, timeout=HTTP_TIMEOUT_S)
                    if status.status_code == 200:
                        return port
                except (ValueError, KeyError, requests.RequestException):
                    pass  # file half-written, or not listening yet
            time.sleep(0.2)
        raise TimeoutError(f"the Jupyter server did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    @property
    def auth(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, token: bool = True, **kwargs) -> requests.Response:
        headers = self.auth if token else {}
        return requests.request(method, f"{self.url}/api/{path}", headers=headers,
                                timeout=HTTP_TIMEOUT_S, **kwargs)

    def log_tail(self, n: int = 4000) -> str:
        self.log.flush()
        return (self.home / "server.log").read_text(encoding="utf-8", errors="replace")[-n:]

    def stop(self) -> None:
        """Shut down as a learner's File > Shut Down does; then make sure (terminate, kill)."""
        if self.proc.poll() is None:
            try:
                requests.post(f"http://127.0.0.1:{getattr(self, 'port', 0)}/api/shutdown",
                              headers=self.auth, timeout=HTTP_TIMEOUT_S)
            except requests.RequestException:
                pass
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        self.log.close()

    def force_cleanup(self) -> None:
        """Whatever a failed test left: kernels killed, temporary folders removed."""
        self.stop()
        for pid in self.kernel_pids:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.home, ignore_errors=True)


def running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class KernelChannel:
    """The websocket of one kernel, used the way the lab uses it."""

    def __init__(self, server: LabServer, kernel_id: str):
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={self.session}",
            header=[f"Authorization: token {server.token}"], timeout=KERNEL_TIMEOUT_S)
        self.request("kernel_info_request", {}, KERNEL_TIMEOUT_S)

    def close(self) -> None:
        self.ws.close()

    def _send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "learner",
                       "session": self.session, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}))
        return msg_id

    def _replies(self, msg_id: str, deadline: float):
        """Every message answering ``msg_id``, until the deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise TimeoutError from None
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg

    def request(self, msg_type: str, content: dict, timeout: float) -> dict:
        msg_id = self._send(msg_type, content)
        for msg in self._replies(msg_id, time.monotonic() + timeout):
            if msg["channel"] == "shell":
                return msg["content"]

    def execute(self, code: str, timeout: float = CELL_TIMEOUT_S) -> tuple[list, dict]:
        """Run one cell; return its outputs (as the lab keeps them) and the execute reply."""
        msg_id = self._send("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        outputs: list = []
        displays: dict[str, list[int]] = defaultdict(list)
        clear_on_next = False
        reply, idle = None, False
        for msg in self._replies(msg_id, time.monotonic() + timeout):
            kind, content = msg["msg_type"], msg["content"]
            if msg["channel"] == "shell" and kind == "execute_reply":
                reply = content
            elif kind == "status":
                idle = content["execution_state"] == "idle"
            elif kind == "clear_output":
                if content.get("wait"):
                    clear_on_next = True
                else:
                    outputs.clear()
                    displays.clear()
            elif kind == "update_display_data":
                for i in displays.get(content.get("transient", {}).get("display_id"), []):
                    outputs[i]["data"], outputs[i]["metadata"] = content["data"], content["metadata"]
            elif kind in ("stream", "display_data", "execute_result", "error"):
                if clear_on_next:
                    outputs.clear()
                    displays.clear()
                    clear_on_next = False
                if kind == "stream":
                    out = nbformat.v4.new_output("stream", name=content["name"], text=content["text"])
                elif kind == "error":
                    out = nbformat.v4.new_output("error", ename=content["ename"], evalue=content["evalue"],
                                                 traceback=content["traceback"])
                else:
                    out = nbformat.v4.new_output(kind, data=content["data"], metadata=content["metadata"],
                                                 **({"execution_count": content["execution_count"]}
                                                    if kind == "execute_result" else {}))
                    display_id = content.get("transient", {}).get("display_id")
                    if display_id:
                        displays[display_id].append(len(outputs))
                outputs.append(out)
            if reply is not None and idle:
                return outputs, reply


def run_page(server: LabServer, page: str) -> tuple[list, list, dict]:
    """Open a page and run all its code cells in order, as the lab's Run All does.
    Returns the stored code cells, the fresh outputs of each, and facts about the kernel."""
    model = server.api("GET", f"contents/{page}", params={"type": "notebook", "content": 1})
    assert model.status_code == 200, f"GET /api/contents/{page}: {model.status_code} {model.text[:300]}"
    nb = nbformat.from_dict(model.json()["content"])
    session = server.api("POST", "sessions", json={
        "path": page, "name": Path(page).name, "type": "notebook",
        "kernel": {"name": nb.metadata.kernelspec.name}})
    assert session.status_code == 201, f"POST /api/sessions: {session.status_code} {session.text[:300]}"
    session = session.json()
    channel = None
    try:
        channel = KernelChannel(server, session["kernel"]["id"])
        cells = [c for c in nb.cells if c.cell_type == "code"]
        fresh = []
        for n, cell in enumerate(cells):
            try:
                outputs, _ = channel.execute(cell.source)
            except TimeoutError:
                pytest.fail(f"{page}, code cell {n}: no answer within {CELL_TIMEOUT_S} s\n{cell.source}")
            fresh.append(outputs)
        probe, _ = channel.execute(
            "import json as _j, os as _o, sys as _s, companion as _c\n"
            "print(_j.dumps({'prefix': _s.prefix, 'companion': _c.__file__, 'cwd': _o.getcwd(), 'pid': _o.getpid()}))")
        facts = json.loads("".join(o.get("text", "") for o in probe if o.output_type == "stream") or "{}")
        if "pid" in facts:
            server.kernel_pids.add(facts["pid"])
    finally:
        if channel is not None:
            channel.close()
        server.api("DELETE", f"sessions/{session['id']}")  # closing the notebook ends its kernel
    return cells, fresh, facts


# --- the tests ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    lab = LabServer(BOOK)
    try:
        yield lab
    finally:
        lab.force_cleanup()


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_as_stored(server, page):
    start = time.monotonic()
    cells, fresh, facts = run_page(server, page)
    bookbuild.REPORT.append(f"learner path, {page}: {len(cells)} code cells run in {time.monotonic() - start:.1f} s "
                            f"(JupyterLab started in {server.start_seconds:.1f} s)")
    errors = [f"code cell {n}: {o.ename}: {o.evalue}"
              for n, (cell, outputs) in enumerate(zip(cells, fresh)) for o in outputs
              if o.output_type == "error" and not nbval_options(cell)["check_exception"]]
    assert not errors, f"{page} raised, run as a learner runs it:\n" + "\n".join(errors)
    assert len(fresh) == len(cells) > 0
    diffs = differences(cells, fresh, sanitize_patterns())
    assert not diffs, f"{page}: a fresh run in JupyterLab differs from the stored outputs:\n" + "\n\n".join(diffs)
    edition = Path(page).parent.name
    assert facts, f"{page}: the kernel did not report where it runs"
    assert Path(facts["prefix"]).resolve() == Path(sys.prefix).resolve(), \
        f"{page}: the kernel runs {facts['prefix']}, not the venv {sys.prefix}"
    assert Path(facts["companion"]).resolve().is_relative_to(ROOT / "companion"), \
        f"{page}: companion comes from {facts['companion']}, not from this checkout"
    assert Path(facts["cwd"]).resolve() == (BOOK / edition).resolve()


def test_requests_without_the_token_are_refused(server):
    page = PAGES[0]
    assert server.api("GET", f"contents/{page}").status_code == 200
    for headers in ({}, {"Authorization": "token wrong-" + server.token}):
        for method, path, body in (("GET", f"contents/{page}", None), ("GET", "sessions", None),
                                   ("POST", "sessions", {"path": page, "type": "notebook",
                                                         "kernel": {"name": "python3"}}),
                                   ("POST", "kernels", {"name": "python3"})):
            response = requests.request(method, f"{server.url}/api/{path}", headers=headers, json=body,
                                        timeout=HTTP_TIMEOUT_S)
            assert response.status_code == 403, f"{method} /api/{path} with {headers or 'no token'}: {response.status_code}"
            assert "cells" not in response.text
    assert server.api("GET", "sessions").json() == [], "a refused request started a session"
    assert server.api("GET", "kernels").json() == [], "a refused request started a kernel"
    kernel = server.api("POST", "kernels", json={"name": "python3"}).json()
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel['id']}/channels",
                                        timeout=HTTP_TIMEOUT_S)
        assert refused.value.status_code == 403
    finally:
        server.api("DELETE", f"kernels/{kernel['id']}")


def test_shutting_down_leaves_nothing_running(server):
    kernel = server.api("POST", "kernels", json={"name": "python3"}).json()
    channel = KernelChannel(server, kernel["id"])
    outputs, _ = channel.execute("import os; print(os.getpid())", timeout=KERNEL_TIMEOUT_S)
    channel.close()
    pid = int(outputs[0]["text"])
    server.kernel_pids.add(pid)
    assert running(pid)
    server.stop()
    assert server.proc.returncode is not None, "the Jupyter server is still running"
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while any(running(p) for p in server.kernel_pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in server.kernel_pids if running(p)], "kernels outlived the server"
    assert not port_open(server.port), f"something still listens on port {server.port}"


# --- the comparison can fail, and fails where nbval fails --------------------------------------

class NbvalCell:
    """Just enough of nbval's own IPyNbCell for its compare_outputs to run on two lists."""
    colors = nocolors
    sanitize = IPyNbCell.sanitize

    def __init__(self, patterns):
        self.parent = SimpleNamespace(skip_compare=SKIP_COMPARE, sanitize_patterns=OrderedDict(patterns))
        self.comparison_traceback = []

    def format_output_compare(self, key, left, right):
        self.comparison_traceback.append(key)


def nbval_agrees(stored: list, fresh: list, patterns) -> bool:
    """nbval's verdict, from nbval's own code (its runtest coalesces both sides first)."""
    def prepared(outputs):
        return coalesce_streams([nbformat.from_dict(copy.deepcopy(o)) for o in outputs])
    return IPyNbCell.compare_outputs(NbvalCell(patterns), prepared(fresh), prepared(stored))


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def display(**data):
    return {"output_type": "display_data", "metadata": {}, "data": {k.replace("_", "/", 1): v for k, v in data.items()}}


def result(text, count=1, **data):
    return {"output_type": "execute_result", "execution_count": count, "metadata": {},
            "data": {"text/plain": text, **{k.replace("_", "/", 1): v for k, v in data.items()}}}


SVG = "<svg><path d='M 0 0 L 1 1'/></svg>"
CASES = {
    # name: (stored, fresh, equal)
    "same": ([result("tensor([1., 2.])")], [result("tensor([1., 2.])", count=7)], True),
    "one digit": ([result("tensor([1., 2.])")], [result("tensor([1., 3.])")], False),
    "png ignored": ([display(text_plain="<Figure>", image_png="AAAA")],
                    [display(text_plain="<Figure>", image_png="BBBB")], True),
    "svg compared": ([display(text_plain="<Figure>", image_svg_xml=SVG)],
                     [display(text_plain="<Figure>", image_svg_xml=SVG.replace("1 1", "1 2"))], False),
    "html compared": ([result("df", text_html="<td>0.5</td>")], [result("df", text_html="<td>0.6</td>")], False),
    "streams merged": ([stream("a\nb\n")], [stream("a\n"), stream("b\n")], True),
    "stream text": ([stream("loss 0.25\n")], [stream("loss 0.26\n")], False),
    "stderr appears": ([stream("ok\n")], [stream("ok\n"), stream("careful\n", "stderr")], False),
    "output missing": ([stream("ok\n"), display(text_plain="<Figure>")], [stream("ok\n")], False),
    "address sanitized": ([result("<object at 0x7f3a2b1c4d5e>")], [result("<object at 0x7f00000000aa>")], True),
    "different kinds reordered": ([stream("ok\n"), display(text_plain="<Figure>")],
                                  [display(text_plain="<Figure>"), stream("ok\n")], True),
    "same kind reordered": ([stream("a\n"), stream("b\n", "stderr"), display(text_plain="1"), display(text_plain="2")],
                            [stream("a\n"), stream("b\n", "stderr"), display(text_plain="2"), display(text_plain="1")], False),
    "error name": ([{"output_type": "error", "ename": "ValueError", "evalue": "k", "traceback": ["x"]}],
                   [{"output_type": "error", "ename": "TypeError", "evalue": "k", "traceback": ["x"]}], False),
    "traceback ignored": ([{"output_type": "error", "ename": "ValueError", "evalue": "k", "traceback": ["x"]}],
                          [{"output_type": "error", "ename": "ValueError", "evalue": "k", "traceback": ["y"]}], True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_comparison_matches_nbval(case):
    stored, fresh, equal = CASES[case]
    patterns = sanitize_patterns()
    ours = nbval_view(stored, patterns) == nbval_view(fresh, patterns)
    assert ours == equal, f"{case}: our comparison says {'equal' if ours else 'different'}"
    assert nbval_agrees(stored, fresh, patterns) == equal, f"{case}: nbval itself disagrees"


def test_cells_tagged_raises_exception_may_raise():
    tagged = nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]})
    plain = nbformat.v4.new_code_cell("1 / 0")
    assert nbval_options(tagged)["check_exception"] and not nbval_options(plain)["check_exception"]


@pytest.mark.parametrize("page", PAGES)
def test_comparison_of_a_page_finds_a_changed_output(page):
    """The page check on the stored page itself: equal; with one character of one stored
    text output changed: the difference is reported, at that cell."""
    nb = nbformat.read(BOOK / page, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    fresh = [copy.deepcopy(c.outputs) for c in cells]
    patterns = sanitize_patterns()
    assert differences(cells, fresh, patterns) == []
    n, out = next((n, o) for n, outs in enumerate(fresh) for o in outs
                  if o.output_type == "stream" and nbval_options(cells[n])["check"])
    out["text"] += "."  # one character more
    found = differences(cells, fresh, patterns)
    assert len(found) == 1 and found[0].startswith(f"code cell {n} "), found
    del fresh[-1]
    assert any("code cells stored" in d for d in differences(cells, fresh, patterns))


def test_make_lab_starts_as_root_too():
    """Jupyter refuses to start as root ("Running as root is not recommended") unless given
    --allow-root; in a container a learner is often root, so `make lab` adds it there, and
    only there. `make -n` prints the command without running it."""
    proc = subprocess.run(["make", "-n", "lab", "LAB_ARGS=--no-browser"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    command = next(line for line in proc.stdout.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in command) == (os.getuid() == 0), command
    assert "--ServerApp.root_dir=book" in command and command.endswith("--no-browser"), command

"""A local web server for the built book and a headless Chromium to look at it.

Chromium and its driver come from Debian (`apt-get install chromium chromium-driver`);
nothing is downloaded at test time (Selenium's own browser manager is never used).

A busy machine can stall the browser (a full-length screenshot of a long page once took
longer than two minutes). Every WebDriver command therefore waits at most
``COMMAND_TIMEOUT`` seconds; ``Browser.attempt`` runs a step again, once, in a fresh
browser when the first one stalled; ``Browser.picture`` takes a full-length screenshot and,
if that stalls, takes it again in a fresh browser in viewport-sized parts.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
from typing import Callable, TypeVar
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMEDRIVER = Path("/usr/bin/chromedriver")
APT_LINE = "apt-get install -y chromium chromium-driver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,900"]
JPEG_LIMIT = 65_500  # pixels: the tallest picture libjpeg writes
COMMAND_TIMEOUT = 60  # seconds one WebDriver command may take before the browser counts as stalled
T = TypeVar("T")


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_browser() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if chromium_binary() is None:
        return f"Chromium is not installed (Debian: {APT_LINE})"
    if not CHROMEDRIVER.exists():
        return f"{CHROMEDRIVER} is missing (Debian: {APT_LINE})"
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that drops a connection mid-file (it had what it needed) is no error."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(folder: Path):
    """Serve a folder on 127.0.0.1 at a free port; yields the base URL."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _start(command_timeout: float):
    """A headless Chromium in a fresh profile; returns (driver, profile folder)."""
    import urllib3
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="book-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except BaseException:
        _kill_browser(profile)
        shutil.rmtree(profile, ignore_errors=True)
        raise
    # The bounded wait: every command's HTTP request to chromedriver gives up after
    # command_timeout seconds, once (Selenium's default would wait 120 s, and retry a GET).
    executor = driver.command_executor
    executor.client_config.timeout = command_timeout
    executor._conn = urllib3.PoolManager(timeout=command_timeout, retries=False)
    # The renderer answers a page load within this, below the command timeout (a busy machine
    # slows a load; 30 s timed out under a load average of 25 on 2 cores).
    driver.set_page_load_timeout(0.9 * command_timeout)
    driver.set_script_timeout(command_timeout)
    return driver, profile


def _kill_browser(profile: str) -> None:
    """End the Chromium processes of this profile (and only those): a stalled browser does not
    answer a polite quit, and chromedriver, once gone, leaves its browser running."""
    mark = f"--user-data-dir={profile}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if mark in f.read().split(b"\0"):
                    os.kill(int(pid), signal.SIGKILL)
        except OSError:  # gone meanwhile, or not ours to read
            pass


def _stop(driver, profile: str, stalled: bool = False) -> None:
    """Quit a browser; a stalled one is ended at once instead of waiting for its answer."""
    if not stalled:
        driver.command_executor.client_config.timeout = min(10, driver.command_executor.client_config.timeout)
        with contextlib.suppress(Exception):
            driver.quit()
    process = getattr(driver.service, "process", None)
    if process is not None and process.poll() is None:  # chromedriver
        process.kill()
        with contextlib.suppress(Exception):
            process.wait(timeout=10)
    _kill_browser(profile)
    shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def chromium(command_timeout: float = COMMAND_TIMEOUT):
    """A headless Chromium driven by Selenium, with the console log kept, in a fresh profile.
    Every command waits at most ``command_timeout`` seconds (then urllib3 raises
    ``ReadTimeoutError``)."""
    driver, profile = _start(command_timeout)
    try:
        yield driver
    finally:
        _stop(driver, profile)


def stalled(error: BaseException) -> bool:
    """Whether an error means the browser stopped answering (a command timed out, the session
    or its connection died), as opposed to a page that answered wrongly."""
    import urllib3
    from selenium.common.exceptions import InvalidSessionIdException, TimeoutException, WebDriverException

    if isinstance(error, (urllib3.exceptions.TimeoutError, urllib3.exceptions.ProtocolError, socket.timeout,
                          TimeoutError, ConnectionError, InvalidSessionIdException, TimeoutException)):
        return True
    return isinstance(error, WebDriverException) and bool(re.search(
        r"time(d)? ?out|session deleted|disconnected|not reachable|crash|no such window|target closed",
        str(error.msg or ""), re.I))


def describe(error: BaseException) -> str:
    """An error in one line: its type and the start of its message."""
    text = " ".join(str(getattr(error, "msg", None) or error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


class Stalled(Exception):
    """The browser stalled twice on the same step, a fresh browser in between."""


class ScreenshotProblem(Exception):
    """A page's picture could not be taken: in one piece, then in parts in a fresh browser."""


class Browser:
    """A headless Chromium (``chromium``) that is replaced by a fresh one when it stalls.

    ``driver`` is the current WebDriver; ``restarts`` counts the fresh starts; ``log``
    tells what was recovered from. ``setup(driver)`` runs on every new driver.

    >>> with Browser() as browser:  # doctest: +SKIP
    ...     title = browser.attempt(lambda d: (d.get(url), d.title)[1], "the page")
    """

    def __init__(self, command_timeout: float = COMMAND_TIMEOUT, setup: Callable | None = None):
        self.command_timeout, self.setup = command_timeout, setup
        self.restarts, self.log = 0, []
        self.driver, self._profile = None, None
        self._open()

    def _open(self) -> None:
        self.driver, self._profile = _start(self.command_timeout)
        if self.setup is not None:
            self.setup(self.driver)

    def restart(self, stalled: bool = True) -> None:
        """End this browser (at once, if it stalled) and start a fresh one."""
        old, profile = self.driver, self._profile
        self.driver = None
        if old is not None:
            _stop(old, profile, stalled=stalled)
        self.restarts += 1
        self._open()

    def close(self) -> None:
        if self.driver is not None:
            _stop(self.driver, self._profile)
            self.driver = None

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def attempt(self, step: Callable[..., T], what: str) -> T:
        """``step(driver)``; if the browser stalls, once more in a fresh browser. A second stall
        raises ``Stalled`` naming ``what`` (and leaves a fresh browser for what comes next); any
        other error is the step's own and passes through."""
        try:
            return step(self.driver)
        except Exception as error:
            if not stalled(error):
                raise
            first = describe(error)
        self.log.append(f"{what}: the browser stalled ({first}); tried again in a fresh browser")
        self.restart()
        try:
            return step(self.driver)
        except Exception as error:
            if not stalled(error):
                raise
            self.restart()  # leave a browser that answers to the next step
            raise Stalled(f"{what}: the browser stalled twice, a fresh browser in between: first {first}; "
                          f"then {describe(error)}") from error

    def picture(self, reopen: Callable[..., object], what: str, mobile: bool = False,
                height: int | None = None) -> tuple[bytes, str]:
        """A JPEG of the whole page open in the browser, and how it was taken: "in one piece"
        (the window made as tall as the page), or, if that stalled, "in parts" (viewport-sized
        pieces stitched together) after ``reopen(driver)`` has opened the page again in a fresh
        browser. ``height``: the window height to return to (mobile). A failure that is not a
        stall, or a second failure, raises ``ScreenshotProblem`` naming ``what``; after a stall
        the browser is a fresh one that answers."""
        try:
            return full_length_jpeg(self.driver, mobile, height), "in one piece"
        except Exception as error:
            if not stalled(error):
                raise ScreenshotProblem(f"{what}: the full-length screenshot failed: {describe(error)}") from error
            first = describe(error)
        self.log.append(f"{what}: the full-length screenshot stalled ({first}); taken in parts in a fresh browser")
        self.restart()
        try:
            reopen(self.driver)
            return tiled_jpeg(self.driver), "in parts"
        except Exception as error:
            if stalled(error):
                self.restart()  # leave a browser that answers to the next page
            raise ScreenshotProblem(f"{what}: no screenshot: in one piece it stalled ({first}); in parts, "
                                    f"in a fresh browser, {describe(error)}") from error


def full_length_jpeg(driver, mobile: bool = False, height: int | None = None) -> bytes:
    """The whole page, top to bottom, in one capture: the window is made as tall as the page
    for the picture (Chromium's own "beyond the viewport" capture shifted some pages
    sideways). JPEG, because a tall PNG takes seconds. ``height``: the mobile window height
    to return to."""
    width, full = driver.execute_script("return [innerWidth, document.documentElement.scrollHeight]")
    metrics = {"width": width, "deviceScaleFactor": 1, "mobile": mobile}
    capture = {"format": "jpeg", "quality": 85}
    if full > JPEG_LIMIT:  # a taller picture comes back empty: take the whole page, scaled down
        capture["clip"] = {"x": 0, "y": 0, "width": width, "height": full, "scale": JPEG_LIMIT / full}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": full})
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", capture)
    finally:
        if mobile:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": height})
        else:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    jpeg = base64.b64decode(shot["data"])
    if not jpeg:
        raise RuntimeError(f"Chromium returned an empty picture of the {width} x {full} page")
    return jpeg


def tiled_jpeg(driver) -> bytes:
    """The whole page in viewport-sized captures, scrolled to one after the other and stitched
    together with Pillow (fixed or sticky bars appear in every part)."""
    from PIL import Image

    width, view, full = driver.execute_script(
        "return [innerWidth, innerHeight, document.documentElement.scrollHeight]")
    sheet, y = None, 0  # a page taller than JPEG_LIMIT is scaled down to fit
    while True:
        top = driver.execute_script("scrollTo(0, arguments[0]); return scrollY", y)
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        with Image.open(io.BytesIO(base64.b64decode(shot["data"]))) as part:
            scale = part.width / width
            if sheet is None:
                sheet = Image.new("RGB", (part.width, round(full * scale)), "white")
            sheet.paste(part.convert("RGB"), (0, round(top * scale)))
        if top + view >= full or top < y:  # the last part, or the page cannot scroll further
            break
        y = top + view
    driver.execute_script("scrollTo(0, 0)")
    if sheet.height > JPEG_LIMIT:
        sheet = sheet.resize((round(sheet.width * JPEG_LIMIT / sheet.height), JPEG_LIMIT))
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=85)
    return out.getvalue()


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require_browser(what: str) -> None:
    """Skip the calling test where this machine has no usable browser; fail in CI, which must
    have one (what: the test's name in the message, e.g. "the PDF test")."""
    import pytest

    reason = missing_browser()
    if reason:
        if in_ci():
            pytest.fail(f"{what} must run in CI, but {reason}. Add `{APT_LINE}` to .ci/run.")
        pytest.skip(f"{what} skipped: {reason}")

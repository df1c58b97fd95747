"""Headless Chromium for tests of pages (Debian's /usr/bin/chromium driven by Playwright for Python).

``ensure_chromium()`` installs Debian's package with apt-get when it is missing (never Playwright's own
browser download); ``launch()`` starts it with flags that keep it off the network (no background
requests to Google) and give it software WebGL (SwiftShader); ``Watch`` records what a page asks for
and complains about, so a test can assert that a page is offline and quiet.

Example::

    with launch() as browser:
        page, watch = open_page(browser, "file:///tmp/graph.html")
        assert watch.problems() == []
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader",  # WebGL in software, no GPU needed
]


def ensure_chromium() -> Path:
    """The Chromium binary; installs Debian's ``chromium`` package if it is missing.

    Raises ``RuntimeError`` with a one-line message when it is missing and cannot be installed.
    """
    if CHROMIUM.exists():
        return CHROMIUM
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if prefix and not shutil.which("sudo"):
        raise RuntimeError(f"{CHROMIUM} is missing and without root or sudo it cannot be installed "
                           "(apt-get install chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    attempts = ([[*prefix, "apt-get", "install", "-y", "chromium"]],
                [[*prefix, "apt-get", "update"], [*prefix, "apt-get", "install", "-y", "chromium"]])
    last = ""
    for commands in attempts:
        for command in commands:
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode:
                last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
                break
        if CHROMIUM.exists():
            return CHROMIUM
    raise RuntimeError(f"{CHROMIUM} is missing and 'apt-get install -y chromium' failed: {last}")


@contextmanager
def launch():
    """A headless Chromium (Playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """Everything a page requested, every failed request, console error and uncaught exception."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, page) -> Watch:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        return self

    def problems(self) -> list[str]:
        return [*self.failed, *self.console_errors, *self.page_errors]


def open_page(browser, url: str, *, width: int = 1280, height: int = 800, ready: str | None = None):
    """A new page (its own context) at ``url``, with a ``Watch`` attached before loading; waits until
    ``ready`` returns true if given. Write ``ready`` as a function (``"() => window.x"``): Playwright
    evaluates a bare expression with eval, which a page whose CSP lacks 'unsafe-eval' refuses."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    watch = Watch().attach(page)
    page.goto(url)
    if ready:
        page.wait_for_function(ready, timeout=20_000)
    return page, watch

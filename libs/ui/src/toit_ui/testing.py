"""Pytest plugin for browser tests of Toit's pages (Debian's Chromium + Playwright + axe-core).

Enable it with `pytest_plugins = ["toit_ui.testing"]` (the repository's conftest.py does).

Fixtures:
- `browser` (session): one headless Chromium for the whole run, `/usr/bin/chromium`
  (TOIT_CHROMIUM overrides), launched with the flags this machine needs.
- `new_page`: factory `await new_page(javascript=True)` -> a page in a fresh French
  context (cookies isolated); closed at the end of the test.
Helpers:
- `await check_accessibility(page, name)`: runs axe-core (needs JavaScript: never on a
  page of a `javascript=False` context, where evaluate hangs); fails on any violation of
  impact serious or critical (the report is written under test-artefacts/axe/).
- `await screenshot(page, name)`: full-page PNG under test-artefacts/screenshots/.
- `serve_in_thread(app)`: context manager running an ASGI app with uvicorn in a
  thread on a free loopback port; yields its base URL.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TOIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def artefacts_dir() -> Path:
    """TOIT_TEST_ARTEFACTS, or test-artefacts/ at the repository root."""
    configured = os.environ.get("TOIT_TEST_ARTEFACTS")
    if configured:
        return Path(configured)
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate / "test-artefacts"
    return here / "test-artefacts"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")


async def check_accessibility(page: Any, name: str) -> list[dict[str, Any]]:
    """axe-core on the current page: returns every violation; fails on serious/critical."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    violations: list[dict[str, Any]] = results.response.get("violations", [])
    folder = artefacts_dir() / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{_slug(name)}.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1)
    )
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"{name} ({page.url}): " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:3])
        for v in blocking
    )
    return violations


async def screenshot(page: Any, name: str) -> Path:
    folder = artefacts_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_slug(name)}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(app: Any, port: int | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Run `app` (ASGI, lifespan included) with uvicorn in a background thread."""
    import uvicorn

    port = port or free_port()
    # The browser keeps connections open: without a bound, shutting down waits for them.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server stopped during start-up (see the logs)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"server not started within {timeout} s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def run_embedded(
    data_dir: Path,
    ready_path: str,
    *,
    port: int | None = None,
    timeout: float = 180.0,
    **settings: str,
) -> Iterator[str]:
    """Run the whole system as `make run` does (the `toit-embedded` runner: every service,
    SQLite, in-process bus, demo data) on a free port with its own data folder; yield its
    base URL once `ready_path` answers 200. `settings` are extra TOIT_* variables; the
    caller's TOIT_* variables are dropped (but the test JWKS) so that the runner's
    defaults apply. The runner's output goes to `data_dir/embedded.log`."""
    import subprocess
    import sys

    import httpx

    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TOIT_") or k == "TOIT_JWKS_JSON"
    }
    env.update(TOIT_DATA_DIR=str(data_dir / "donnees"), TOIT_MODE="demo", TOIT_BUS="memory")
    env.update(settings)
    executable = Path(sys.executable).parent / "toit-embedded"
    log_path = data_dir / "embedded.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(executable), "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    if httpx.get(f"{base}{ready_path}", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text()[-3000:])
                time.sleep(0.5)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (once per run)
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (make test does it)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


NewPage = Callable[..., Awaitable[Any]]


@pytest.fixture
async def new_page(browser: Any) -> AsyncIterator[NewPage]:
    contexts: list[Any] = []

    async def make(*, javascript: bool = True, **options: Any) -> Any:
        context = await browser.new_context(
            locale="fr-FR",
            timezone_id="Europe/Paris",
            java_script_enabled=javascript,
            viewport={"width": 1280, "height": 900},
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()

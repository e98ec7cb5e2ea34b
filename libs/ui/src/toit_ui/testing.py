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
- `await check_page(page, name)`: strict CSP (no inline script or style), axe and a
  screenshot; returns the text of the page's <main>.
Stacks for browser journeys (the helpers every browser test used to copy):
- `async with databases_and_vhost(names) as (urls, vhost)`: one new database per name
  and a RabbitMQ vhost on the shared test infrastructure, dropped afterwards;
- `serve_services(runtimes, port=..., web="portail")`: the services behind the embedded
  runner's router (the gateway of `make run`), a web app served in-process; its base URL;
- `pages_app(gateway_url, package, pages, home)`: one service's pages in a WebUI at /pro,
  as the espace professionnel serves them, with a test login route
  `/pro/essai-connexion?identifiant=...` (demo password) that redirects to `home`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

# At module level: FastAPI resolves the test login route's annotations from these globals.
from fastapi import Request
from fastapi.responses import RedirectResponse

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
# A <script> element without src: what a strict CSP (script-src 'self') refuses.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
DEMO_PASSWORD = "toit-demo-2026"


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


async def check_page(page: Any, name: str, *, capture: bool = True) -> str:
    """The current page has no inline script or style (strict CSP), passes axe, and is
    captured (unless `capture` is False); returns the text of its <main>."""
    html = await page.content()
    assert not INLINE_SCRIPT.search(html), f"{name}: inline script"
    assert " style=" not in html and "<style" not in html, f"{name}: inline style"
    await check_accessibility(page, name)
    if capture:
        await screenshot(page, name)
    main = page.locator("main")
    return str(await main.first.inner_text()) if await main.count() else ""


@contextlib.asynccontextmanager
async def databases_and_vhost(
    names: Iterable[str],
) -> AsyncIterator[tuple[dict[str, str], str]]:
    """One new database per name and a RabbitMQ vhost (servicekit.testing), dropped after."""
    from servicekit.testing import create_database, create_vhost, delete_vhost, drop_database

    urls = {name: await create_database() for name in names}
    vhost = await create_vhost()
    try:
        yield urls, vhost
    finally:
        await delete_vhost(vhost)
        for url in urls.values():
            await drop_database(url)


@contextlib.contextmanager
def serve_services(
    runtimes: Sequence[Any],
    *,
    port: int,
    web: str | None = None,
    frontend: Callable[[Any], Any] | None = None,
    timeout: float = 120.0,
) -> Iterator[str]:
    """The runtimes behind the embedded runner's router (as `make run` routes them), with a
    generous login throttle (journeys log several accounts in from one address), served on
    `port`; `web`: the service whose site is served, calling the router in-process;
    `frontend(router)`: the espace professionnel's app. Yields the base URL."""
    from toit_embedded.main import EmbeddedRouter, RateLimiter, _in_process

    router = EmbeddedRouter(list(runtimes), token_limiter=RateLimiter(rate=50.0, burst=100))
    if web is not None:
        runtime = next(r for r in runtimes if r.definition.name == web)
        router.apps[web] = runtime.app(manage_lifespan=False, web_transport=_in_process(router))
    if frontend is not None:
        router.frontend = frontend(router)
    with serve_in_thread(router, port=port, timeout=timeout) as base:
        yield base


def pages_app(
    gateway_url: str,
    package: str,
    pages: Callable[[Any], Any],
    home: str,
    *,
    api_timeout: float | None = None,
) -> Any:
    """One service's pages (`pages(ui)` -> its router and navigation) in a WebUI at /pro,
    as the espace professionnel serves them, calling the gateway at `gateway_url`; a test
    login route `/pro/essai-connexion?identifiant=...` logs a demo account in and
    redirects to `home`."""
    from toit_ui import UISettings, WebUI

    reglages = UISettings(gateway_url=gateway_url)
    if api_timeout is not None:
        reglages = UISettings(gateway_url=gateway_url, api_timeout=api_timeout)
    ui = WebUI(
        reglages,
        prefix="/pro",
        packages=[package],
        app_name="Toit — espace professionnel",
    )
    paquet = pages(ui)
    ui.navigation.extend(paquet.navigation)
    essai = ui.router()

    @essai.get("/essai-connexion")
    async def connexion(request: Request, identifiant: str) -> RedirectResponse:
        # Test harness only: the espace professionnel has its own login page.
        await ui.gateway.login(
            request, identifiant, os.environ.get("TOIT_DEMO_PASSWORD", DEMO_PASSWORD)
        )
        return ui.redirect(home)

    return ui.create_app([essai, paquet.router])


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

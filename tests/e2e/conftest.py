"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live_server.

Browsers cannot be downloaded here, so Playwright launches the system Chromium
(`apt-get install chromium`). Without it the e2e tests are skipped locally and fail in CI.
"""

import os
from functools import cache
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "test-adgang-1234"  # what tests.factories.UserFactory sets
MISSING = "Chromium er ikke installeret: apt-get install chromium"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{MISSING} (CI er sat, så e2e-testene må ikke springes over)", pytrace=False)
    pytest.skip(MISSING)


@pytest.fixture(autouse=True)
def _chromium_available():
    """Skip (or in CI: fail) each e2e test before its browser page and test data are made."""
    _require_chromium()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The UI is Danish whatever the browser asks for; the locale only sets dates in the browser itself.
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


@pytest.fixture
def static_failures(page, live_server):
    """Requests for /static/ that fail or 4xx/5xx, plus JS console errors; assert it stays empty."""
    failures: list[str] = []

    def on_response(response):
        if "/static/" in response.url and response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    def on_failed(request):
        # ERR_ABORTED is the browser cancelling a load because the page navigated on: not a fault.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            failures.append(f"failed {request.url}: {request.failure}")

    def on_console(message):
        # Failed loads are reported by on_response; the browser's own /favicon.ico probe is not ours.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            failures.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("console", on_console)
    return failures


@pytest.fixture
def log_in(page, live_server):
    """Log in through the real form, as a caseworker does."""

    def _log_in(user, password=PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Brugernavn").fill(user.username)
        page.get_by_label("Adgangskode").fill(password)
        page.get_by_role("button", name="Log ind").click()
        return page

    return _log_in


AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1 from npm (MPL-2.0)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe reports text in the very colour of its background as "needs review" (it might be hidden on
# purpose), not as a violation; on these pages it is always a bug (white-on-white), so it fails too.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  const invisible = result.incomplete.filter(v => v.id === "color-contrast").map(v => ({
    ...v, nodes: v.nodes.filter(n => n.any.some(c => c.data && c.data.messageKey === "equalRatio")),
  })).filter(v => v.nodes.length);
  return result.violations.concat(invisible).map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def assert_accessible(page, what: str) -> None:
    """Fail unless axe-core finds no WCAG 2.1 A or AA violation on the page as it is now.

    Call it once the page has settled (after the `expect` that shows it is there); content in a
    closed <details> is not checked until it is opened. axe is evaluated into the page, not added
    as a <script>, so no CSP needs an exception for it."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(AXE_RUN, WCAG_21_AA)
    if violations:
        lines = [
            f"- {v['id']} ({v['impact']}, {v['count']}×): {v['help']}: {', '.join(v['targets'])}" for v in violations
        ]
        pytest.fail(f"WCAG 2.1 AA violations on {what} ({page.url}):\n" + "\n".join(lines), pytrace=False)

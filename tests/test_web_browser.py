"""The web app in a real browser: Playwright driving Debian's Chromium against the served app.

One walk through what an advisor does: ask, see the answer and its sources, click [1] and see the
passage marked (in the text and on the rendered page), upload a file and get an answer citing it, make
a draft and download the Word file, reload and find the conversation. Every request the page makes is
recorded: all of them go to the app on loopback. Screenshots go to ``LOBBY_SCREENSHOTS`` (default: the
test's temporary folder) and are listed in the output.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from assistant.services.wiring import Services

from .web_helpers import running, web_services

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
QUESTION = "Wat vroeg het IPO aan de minister van OCW over het Studenten Reis Product?"
UPLOAD = (
    "# Zoutwinning onder de Waddenzee\n\nDatum: 3 maart 2025\nDocumenttype: nota\n\n"
    "De provincie Fryslân vraagt het Rijk om een onafhankelijk onderzoek naar zoutwinning en bodemdaling "
    "onder de Waddenzee voordat nieuwe vergunningen worden verleend.\n"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium (/usr/bin/chromium) is not installed; `make test` installs it with apt",
    ),
]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[tuple[str, Services]]:
    services = web_services(tmp_path)
    with running(services) as url:
        yield url, services


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LOBBY_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: The evidence panel has finished loading and shows the text (``textContent``: also when its tab is hidden).
EVIDENCE_SHOWS = (
    "t => document.querySelector('#evidence .pending') === null"
    " && document.querySelector('#evidence').textContent.includes(t)"
)


def _evidence_text(page: Any) -> str:
    return str(page.evaluate("() => document.querySelector('#evidence').textContent"))


def _ask(page: Any, question: str) -> Any:
    """Ask in the chat tab and wait for the finished answer (its source list); returns that message."""
    before = page.locator("#chat .sources").count()
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .sources').length > n", arg=before, timeout=60_000
    )
    return page.locator("#chat .sources").last


def test_an_advisor_asks_checks_the_evidence_uploads_drafts_and_comes_back(
    app_url: tuple[str, Services], shots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    url, services = app_url
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url)
        page.wait_for_selector("#question textarea", timeout=30_000)

        # Ask: the answer comes with its numbered sources; nothing of the draft box is left.
        sources = _ask(page, QUESTION)
        assert "Studenten Reis Product" in sources.inner_text()
        assert page.locator("#chat .draft").count() == 0
        page.screenshot(path=str(shots / "1-antwoord.png"))

        # One click on [1]: the source opens beside the chat with the passage marked, also on the page.
        page.locator("#chat .answer a.cite").first.click()
        page.wait_for_selector("#evidence mark#passage", timeout=30_000)
        marked = page.locator("#evidence mark#passage").inner_text()
        assert len(marked) > 20
        assert page.locator("#evidence table.facts").inner_text().count("2024") >= 1
        page.wait_for_selector("#evidence-page img", timeout=30_000)
        page.screenshot(path=str(shots / "2-bron.png"), full_page=True)

        # Feedback on the answer and on the opened citation is stored.
        page.click("#answer-useful")
        page.wait_for_function(
            "() => document.querySelector('#feedback-status').innerText.includes('opgeslagen')"
        )
        page.click("#cite-useless")
        page.wait_for_function(
            "() => document.querySelector('#feedback-status').innerText.includes('uw oordeel over bron [')"
        )
        ratings = list(services.conversations.export_feedback())
        assert [(r["useful"], r["citation"] is not None) for r in ratings] == [(True, False), (False, True)]

        # A refusal says what was searched and lists the nearest documents, each of which opens.
        page.fill("#question textarea", "Wat vindt het IPO van kerncentrales in Zeeland?")
        page.click("#send")
        page.wait_for_selector("#chat .refusal", timeout=60_000)
        assert "Gezocht op" in page.locator("#chat .refusal").last.inner_text()
        page.wait_for_selector("#chat .sources", timeout=10_000)
        nearest = page.locator("#chat .sources").last.locator("a.cite").first
        title = nearest.inner_text().split(" (")[0].strip()
        assert title not in _evidence_text(page)  # so the wait below is for this click's reply
        nearest.click()
        page.wait_for_function(EVIDENCE_SHOWS, arg=title, timeout=30_000)
        assert page.locator("#evidence table.facts").count() == 1

        # A filter set in the page is named while it is active.
        page.click("#filters")
        page.fill(
            "#filters input[placeholder^='bv. minister'], #filters textarea[placeholder^='bv. minister']",
            "Bruins",
        )
        page.wait_for_function(
            "() => document.querySelector('#active-filters').innerText.includes('geadresseerde')"
        )
        page.screenshot(path=str(shots / "2b-filter.png"))
        page.fill(
            "#filters input[placeholder^='bv. minister'], #filters textarea[placeholder^='bv. minister']", ""
        )
        page.wait_for_function(
            "() => document.querySelector('#active-filters').innerText.includes('Geen filters')"
        )

        # Moving to another tab while a source loads: the source opens in the chat tab, the user stays.
        assert marked not in _evidence_text(page)
        page.locator("#chat .answer a.cite").first.click()
        page.get_by_role("tab", name="Bibliotheek").click()
        page.wait_for_function(EVIDENCE_SHOWS, arg=marked, timeout=30_000)  # all outputs land at once
        assert page.locator("#library-add").is_visible()

        # Upload a new document in the library; the next question cites it, without a restart.
        upload = tmp_path / "zoutwinning.md"
        upload.write_text(UPLOAD, encoding="utf-8")
        page.set_input_files("#library-upload input[type=file]", str(upload))
        page.click("#library-add")
        page.wait_for_function("() => document.body.innerText.includes('toegevoegd')", timeout=60_000)
        page.screenshot(path=str(shots / "3-bibliotheek.png"))
        page.get_by_role("tab", name="Gesprek").click()
        cited = _ask(page, "Wat vraagt de provincie Fryslân over zoutwinning en bodemdaling?")
        assert "Zoutwinning onder de Waddenzee" in cited.inner_text()

        # A draft, with progress, sources and the Word file to download.
        page.get_by_role("tab", name="Concept schrijven").click()
        page.fill("#draft-subject textarea", "Studenten Reis Product")
        page.click("#draft-make")
        page.wait_for_selector("#draft-download:not([hidden])", state="visible", timeout=120_000)
        page.screenshot(path=str(shots / "4-concept.png"), full_page=True)
        with page.expect_download() as download_info:
            page.click("#draft-download")
        saved = tmp_path / "concept.docx"
        download_info.value.save_as(saved)
        text = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
        assert "Bronnen" in text and "[1]" in text

        # Onboarding: the process step by step with sources, the glossary, and a starter question.
        page.get_by_role("tab", name="Wegwijs").click()
        page.wait_for_selector("#process li", timeout=30_000)
        assert page.locator("#process li").count() >= 3
        assert page.locator("#glossary").inner_text().count("SRP") >= 1
        page.screenshot(path=str(shots / "5-wegwijs.png"), full_page=True)
        page.fill("#timeline-topic textarea, #timeline-topic input", "het Studenten Reis Product")
        page.click("#timeline-show")
        page.wait_for_function(
            "() => /Bronnen|Gezocht op/.test(document.querySelector('#timeline').innerText)", timeout=60_000
        )
        page.locator("#process a.cite").first.click()  # opens in the chat tab's panel
        page.wait_for_selector("#evidence mark#passage", state="visible", timeout=30_000)
        page.get_by_role("tab", name="Wegwijs").click()
        before = page.locator("#chat .sources").count()
        page.locator("#starters label").first.click()  # asked at once in the chat tab
        page.wait_for_function(
            "n => document.querySelectorAll('#chat .sources').length > n", arg=before, timeout=60_000
        )

        # A reload brings the conversation back, citations clickable.
        page.reload()
        page.wait_for_function(
            "q => document.querySelector('#chat') && document.querySelector('#chat').innerText.includes(q)",
            arg="Studenten Reis Product",
            timeout=30_000,
        )
        assert page.locator("#chat .answer a.cite").count() >= 2
        page.locator("#chat .answer a.cite").first.click()
        page.wait_for_selector("#evidence mark#passage", timeout=30_000)
        page.screenshot(path=str(shots / "6-na-herladen.png"))
        browser.close()

    outside = [
        r for r in requests if not r.startswith(url.rstrip("/")) and not r.startswith(("data:", "blob:"))
    ]
    assert requests and outside == []
    print("screenshots:", *sorted(str(p) for p in shots.glob("*.png")))

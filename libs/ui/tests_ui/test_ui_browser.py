"""toit_ui in Debian's Chromium: every component passes axe, forms work without JavaScript."""

from __future__ import annotations

from toit_ui.testing import NewPage, check_accessibility, screenshot, serve_in_thread

from .test_ui import exemple_app


async def test_components_pass_axe_and_work_without_javascript(new_page: NewPage) -> None:
    _, app = exemple_app()
    with serve_in_thread(app) as base:
        page = await new_page()
        await page.goto(f"{base}/essai/exemple")
        assert await page.title() == "Composants – Essai"
        await check_accessibility(page, "ui-composants")
        await screenshot(page, "ui-composants")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Aller au contenu"
        await page.get_by_role("button", name="Enregistrer").click()
        await page.get_by_role("heading", name="Le formulaire contient des erreurs").wait_for()
        await check_accessibility(page, "ui-composants-erreurs")

        nojs = await new_page(javascript=False)
        await nojs.goto(f"{base}/essai/exemple")
        await nojs.get_by_role("button", name="Enregistrer").click()
        summary = nojs.get_by_role("alert").filter(has_text="Le formulaire contient des erreurs")
        await summary.get_by_role("link", name="saisie obligatoire").click()
        assert nojs.url.endswith("#champ-nom")

"""What a user does in the browser, in a few words: take a step, find a queue row."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def take(tab: Page, button: str, **fields: str) -> None:
    """Open a step's form, fill it, submit, and wait until it is recorded.

    Fields are named by label, or by group and label for a person: `审理人员_用户名`."""
    form = open_step(tab, button)
    for name, value in fields.items():
        group, _, inner = name.rpartition("_")
        scope = form.get_by_role("group", name=group) if group else form
        field = scope.get_by_label(inner, exact=False).first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button", name="提交").click()
    expect(tab.locator("p.done")).to_contain_text(f"已办理：{button}")


def open_step(tab: Page, button: str) -> Locator:
    """Click a step's button; its form (not one opened before)."""
    clicked = tab.locator("#actions").get_by_role("button", name=button, exact=True)
    clicked.click()
    return tab.locator(f"form.step-form[data-mutation='{clicked.get_attribute('data-mutation')}']")


def queue_row(tab: Page, reference: str) -> Locator:
    """The queue's rows of one case (one per running deadline)."""
    return tab.locator("table.queue tbody tr", has=tab.get_by_role("link", name=reference))

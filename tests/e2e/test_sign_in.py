"""Signing in with a token, and switching between Chinese and English."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.cases import Server, new_org, reconsideration, user


def test_a_bad_token_is_refused_beside_the_field_and_a_good_one_opens_the_queue(
    tab: Page, web_server: Server, screenshot: Callable[[str], None]
) -> None:
    tab.goto("/")
    expect(tab.get_by_role("heading", name="登录")).to_be_visible()
    token = tab.get_by_label("访问令牌")
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator("#token-error")).to_have_text("请填写访问令牌。")
    token.fill("not-a-token")
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator("#token-error")).to_have_text(
        "令牌无效：the token is not valid for this server"
    )
    expect(token).to_have_attribute("aria-invalid", "true")
    screenshot("login")

    token.fill(web_server.token(user("handler"), "handler", new_org(), "李承办"))
    tab.get_by_role("button", name="登录").click()
    expect(tab.get_by_role("heading", name="待办队列")).to_be_visible()
    expect(tab.locator("header")).to_contain_text("李承办（承办人，")


def test_the_queue_speaks_chinese_by_default_and_english_on_request(
    tab: Page, web_server: Server, sign_in: Callable[[str], None]
) -> None:
    org = new_org()
    case = reconsideration(web_server, org)
    sign_in(web_server.token(user("handler"), "handler", org))
    tab.get_by_label("本单位").check()
    row = tab.locator("table.queue tbody tr")
    expect(row.locator("td").nth(3)).to_have_text("受理审查")
    expect(row.locator("td").nth(4)).to_contain_text("年")

    tab.get_by_role("button", name="切换到英文").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Work queue")
    expect(row.locator("td").nth(0)).to_have_text(case["reference"])
    expect(row.locator("td").nth(3)).to_have_text("review for admission")
    expect(row.locator("td").nth(4)).to_contain_text("days left")
    tab.get_by_role("button", name="Switch to Chinese").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("待办队列")

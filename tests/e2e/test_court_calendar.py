"""A coordinator records a defence and a hearing appearance from the court calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.cases import Server, china_today, lawsuit, new_org, user
from tests.e2e.steps import take


def chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_coordinator_files_the_defence_and_plans_the_heads_appearance_from_the_calendar(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    coordinator = web_server.token(user("coordinator"), "coordinator", org, "孙协调")
    case = lawsuit(web_server, org, coordinator)
    hearing = china_today() + dt.timedelta(days=20)
    sign_in(coordinator)

    tab.get_by_role("link", name="应诉日历").click()
    entry = tab.locator("li.court", has=tab.get_by_role("link", name=case["reference"]))
    expect(entry).to_have_attribute("data-what", "DEFENCE_DUE")
    expect(entry).to_contain_text("答辩期届满")
    due = china_today() + dt.timedelta(days=15)
    expect(tab.locator("section.day", has=entry).get_by_role("heading")).to_have_text(chinese(due))

    entry.get_by_role("link", name=case["reference"]).click()
    take(tab, "提交答辩状", 证据="处罚决定书\n现场检查笔录", 规范性文件="市场监管行政处罚程序规定")
    take(tab, "确定开庭", 开庭日期=hearing.isoformat(), 法院="某区人民法院")
    take(tab, "拟定出庭方案", 负责人姓名="周局长", 负责人职务="局长")
    take(tab, "批准出庭方案", 批准人_用户名=user("head"))
    expect(tab.locator("#summary")).to_contain_text(chinese(hearing))

    tab.get_by_role("link", name="应诉日历").click()
    entries = tab.locator("li.court", has=tab.get_by_role("link", name=case["reference"]))
    expect(entries).to_have_count(1)
    expect(entries).to_have_attribute("data-what", "HEARING")
    expect(entries).to_contain_text("开庭")
    expect(entries).to_contain_text("负责人出庭")
    expect(tab.locator("section.day", has=entries).get_by_role("heading")).to_have_text(
        chinese(hearing)
    )
    screenshot("calendar")

"""An auditor reconstructs a decision: the case back in time, who decided, and its sealed chain."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.cases import Server, china_today, decided_reconsideration, new_org, user


def test_an_auditor_moves_a_case_back_in_time_and_reconstructs_its_decision(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    officer, head = user("officer"), user("head")
    case = decided_reconsideration(web_server, org, officer, head)
    sign_in(web_server.token(user("auditor"), "auditor", "audit-office", "吴审计"))

    tab.goto(f"/#/audit/{case['id']}")
    slider = tab.get_by_label("按办理步骤回溯")
    expect(slider).to_have_value("6")
    slider.focus()
    tab.keyboard.press("Home")
    as_of = tab.locator(".as-of")
    expect(as_of.locator(".facts")).to_contain_text("受理审查中")
    expect(as_of.locator(".timeline li strong")).to_have_text(["登记"])
    for _ in range(5):
        tab.keyboard.press("ArrowRight")
    expect(as_of.locator(".facts")).to_contain_text("审理中")
    expect(as_of.locator(".timeline li strong")).to_have_text(
        ["登记", "受理", "发送申请书副本", "收到答复", "指定审理人员", "听取意见"]
    )

    rows = tab.locator("#decisions tbody tr")
    expect(rows.locator("td:nth-child(2)")).to_have_text(["受理", "作出复议决定"])
    decisions = rows.nth(1)
    expect(decisions).to_contain_text("赵审理")
    expect(decisions).to_contain_text("钱主任")
    expect(decisions).to_contain_text("事实不清")
    expect(decisions).to_contain_text("《行政复议法》第六十四条")
    chain = tab.locator("#responsibility li", has_text="作出复议决定")
    expect(chain.locator("strong")).to_have_text(
        [f"办理：赵审理（复议审理人员，{org}）", f"批准：钱主任（负责人，{org}）"]
    )
    expect(tab.locator("#verify")).to_contain_text("校验通过")
    screenshot("audit")


def test_an_auditor_sees_the_annual_figures_of_every_organisation(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    decided_reconsideration(web_server, org, user("officer"), user("head"))
    sign_in(web_server.token(user("auditor"), "auditor", "audit-office", "吴审计"))

    tab.get_by_role("link", name="统计").click()
    expect(tab.get_by_label("年度", exact=True)).to_have_value(str(china_today().year))
    row = tab.locator("tbody tr", has=tab.get_by_role("rowheader", name=org))
    expect(row.locator("td").first).to_have_text("100.0%（1/1）")
    expect(tab.get_by_role("img", name="复议纠错率（按单位）")).to_contain_text(org)
    screenshot("statistics")

"""Finding cases in the browser: by part of a name or reference, and one's own open cases."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.cases import (
    ACT,
    Server,
    china_today,
    decided_reconsideration,
    mutate,
    new_org,
    reconsideration,
    step,
    user,
)


def test_a_handler_finds_a_case_by_part_of_a_party_name_or_of_its_reference_and_opens_it(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    wanted = mutate(
        web_server,
        web_server.token(user("intake"), "intake", org),
        "registerReconsideration",
        title="不服吊销许可证决定",
        act=ACT,
        parties=[{"name": "欧阳明远", "role": "APPLICANT"}],
        knewOn="2026-03-02",
    )
    other = reconsideration(web_server, org)  # 张三's, which neither search may find
    sign_in(web_server.token(user("handler"), "handler", org, "李承办"))

    tab.get_by_role("link", name="查找案件").first.click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("查找案件")
    references = tab.locator("table.search-results tbody tr td:first-child")
    expect(references).to_have_count(2)  # both opened today: their order is the ids'
    assert sorted(references.all_inner_texts()) == sorted([other["reference"], wanted["reference"]])

    tab.get_by_label("关键词").fill("明远")
    tab.get_by_role("button", name="查找", exact=True).click()
    expect(references).to_have_text([wanted["reference"]])
    row = tab.locator("table.search-results tbody tr")
    today = china_today()
    expect(row.locator("td")).to_have_text(
        [
            wanted["reference"],
            "不服吊销许可证决定申请人：欧阳明远；被申请人：区市场监管局",
            "行政复议",
            "受理审查中",
            org,
            f"{today.year}年{today.month}月{today.day}日",
            "未分配",
        ]
    )
    screenshot("search")

    fragment = wanted["reference"][wanted["reference"].index("〕") :]  # "〕17号"
    tab.get_by_label("关键词").fill(fragment)
    tab.get_by_role("button", name="查找", exact=True).click()
    expect(references).to_have_text([wanted["reference"]])

    tab.get_by_role("link", name=wanted["reference"]).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(wanted["reference"])
    expect(tab.locator("#parties")).to_contain_text("欧阳明远")


def test_a_served_decision_awaiting_closure_is_among_the_handlers_open_cases_though_no_queue_has_it(
    tab: Page, web_server: Server, sign_in: Callable[[str], None]
) -> None:
    org = new_org()
    handler = user("handler")
    case = decided_reconsideration(web_server, org, user("officer"), user("head"))
    approver = web_server.token(user("head"), "approver", org)
    case = step(web_server, approver, "assignCase", case, assignee=handler)
    case = step(web_server, web_server.token(handler, "handler", org), "reconsiderationServe", case)
    colleague = user("handler")
    someone_elses = step(
        web_server, approver, "assignCase", reconsideration(web_server, org), assignee=colleague
    )
    sign_in(web_server.token(handler, "handler", org, "李承办"))
    tab.get_by_label("本单位").check()
    expect(tab.locator("p.count")).to_have_text("已显示 1 项")  # only the other case has a deadline
    expect(tab.locator("table.queue")).to_contain_text(someone_elses["reference"])

    tab.get_by_role("link", name="我的未结案件").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("我的未结案件")
    row = tab.locator("table.search-results tbody tr")
    expect(row.locator("td:first-child")).to_have_text([case["reference"]])
    expect(row.locator("td").nth(3)).to_have_text("已作出决定")
    expect(row.locator("td").nth(6)).to_have_text(handler)
    row.get_by_role("link", name=case["reference"]).click()
    expect(tab.locator("#actions")).to_contain_text("结案")

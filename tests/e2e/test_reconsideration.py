"""A handler and a hearing officer work a reconsideration from admission to decision."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import FilePayload, Page, expect

from tests.e2e.cases import Server, new_org, reconsideration, step, user
from tests.e2e.steps import open_step, queue_row, take


def test_a_handler_takes_a_case_from_the_queue_admits_it_and_the_queue_moves_on(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    case = reconsideration(web_server, org)
    handler = user("handler")
    sign_in(web_server.token(handler, "handler", org, "李承办"))

    tab.get_by_label("本单位").check()
    row = queue_row(tab, case["reference"])
    expect(row).to_contain_text("受理审查")
    expect(row).to_contain_text("未分配")
    row.get_by_role("button", name="分配给我").click()
    expect(row).to_contain_text(handler)
    tab.get_by_label("我的").check()
    expect(row).to_contain_text("还剩")
    screenshot("queue")

    row.get_by_role("link", name=case["reference"]).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(case["reference"])
    take(tab, "受理")
    expect(tab.locator(".status-line")).to_contain_text("已受理")
    expect(tab.locator("#timeline li").last).to_contain_text("受理")
    expect(tab.locator("#timeline li").last).to_contain_text("李承办")
    screenshot("case")

    tab.get_by_role("link", name="待办队列").click()
    rows = queue_row(tab, case["reference"])
    expect(rows.locator("td:nth-child(4)")).to_have_text(["发送申请书副本", "作出复议决定"])


def test_a_reconsideration_is_worked_from_admission_to_decision_in_the_browser(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    case = reconsideration(web_server, org)
    officer, head = user("officer"), user("head")
    sign_in(web_server.token(user("handler"), "handler", org, "李承办"))
    tab.goto(f"/#/case/{case['id']}")

    take(tab, "受理")
    take(tab, "发送申请书副本")
    take(
        tab, "收到被申请人答复", 证据="现场检查笔录\n询问笔录", 依据="《食品安全法》第一百二十四条"
    )
    take(tab, "指定审理人员", 审理人员_用户名=officer)
    expect(tab.locator("#summary")).to_contain_text(officer)

    sign_in(web_server.token(officer, "hearing_officer", org, "赵审理"))
    tab.goto(f"/#/case/{case['id']}")
    take(tab, "听取当事人意见", 情况摘要="电话听取双方意见")
    take(
        tab,
        "作出复议决定",
        决定类型="REVOKE",
        理由="事实不清",
        法律依据="《行政复议法》第六十四条",
        批准人_用户名=head,
    )
    expect(tab.locator(".status-line")).to_contain_text("已作出决定")
    decided = tab.locator("#timeline li[data-what='Decided']")
    expect(decided).to_contain_text("赵审理")
    expect(decided).to_contain_text(f"批准人：{head}")
    expect(decided).to_contain_text("理由：事实不清")
    expect(decided).to_contain_text("依据：《行政复议法》第六十四条")
    expect(tab.locator("#timeline li strong")).to_have_text(
        ["登记", "受理", "发送申请书副本", "收到答复", "指定审理人员", "听取意见", "作出复议决定"]
    )


def test_a_document_uploaded_in_the_browser_goes_on_the_case_file(
    tab: Page, web_server: Server, sign_in: Callable[[str], None]
) -> None:
    org = new_org()
    case = reconsideration(web_server, org)
    sign_in(web_server.token(user("handler"), "handler", org, "李承办"))
    tab.goto(f"/#/case/{case['id']}")
    reply = FilePayload(name="答复书.txt", mimeType="text/plain", buffer="答复书正文".encode())
    tab.get_by_label("选择文件").set_input_files(files=[reply])
    tab.get_by_role("button", name="上传材料").click()
    expect(tab.locator("#documents li")).to_have_text(["答复书.txt text/plain, 15 B"])
    expect(tab.locator("#timeline li").last).to_contain_text("上传材料")


def test_refusals_appear_beside_their_cause_and_a_conflict_offers_to_reload(
    tab: Page, web_server: Server, sign_in: Callable[[str], None], screenshot: Callable[[str], None]
) -> None:
    org = new_org()
    case = reconsideration(web_server, org)
    handler = web_server.token(user("handler"), "handler", org, "李承办")
    sign_in(handler)
    tab.goto(f"/#/case/{case['id']}")
    expect(tab.locator("#actions")).to_contain_text("受理")

    form = open_step(tab, "通知补正")
    form.get_by_role("button", name="提交").click()
    # The server names the field at fault; the message stands next to it.
    problem = form.locator(".field-error:not(:empty)")
    expect(problem).to_have_text(["输入有误：name what the applicant must correct"])
    expect(problem.locator("xpath=..").locator("textarea")).to_have_attribute(
        "aria-invalid", "true"
    )

    step(web_server, handler, "reconsiderationAccept", case)  # someone else, meanwhile
    form = open_step(tab, "受理")
    form.get_by_role("button", name="提交").click()
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text("案件已被他人更新")
    screenshot("conflict")
    alert.get_by_role("button", name="重新加载").click()
    expect(tab.locator(".status-line")).to_contain_text("已受理")
    expect(tab.locator("#actions")).not_to_contain_text("通知补正")


def test_the_open_queue_shows_a_case_assigned_to_the_handler_without_reloading(
    tab: Page, web_server: Server, sign_in: Callable[[str], None]
) -> None:
    org = new_org()
    handler = user("handler")
    sign_in(web_server.token(handler, "handler", org))
    expect(tab.locator("p.count")).to_have_text("没有待办事项。")
    expect(tab.locator("p.live")).to_have_attribute("data-connected", "true")

    case = reconsideration(web_server, org)
    approver = web_server.token(user("head"), "approver", org)
    step(web_server, approver, "assignCase", case, assignee=handler)

    expect(tab.locator("p.live")).to_contain_text("队列已更新")
    expect(queue_row(tab, case["reference"]).locator("td").nth(5)).to_have_text(handler)


def test_the_acceptance_form_names_its_choices_in_chinese_and_asks_for_an_approver_only_once_begun(
    tab: Page, web_server: Server, sign_in: Callable[[str], None]
) -> None:
    org = new_org()
    case = reconsideration(web_server, org)
    sign_in(web_server.token(user("handler"), "handler", org, "李承办"))
    tab.goto(f"/#/case/{case['id']}")

    form = open_step(tab, "受理")
    expect(form.get_by_label("程序", exact=True).locator("option")).to_have_text(
        ["（不填）", "普通程序", "简易程序"]
    )
    expect(form.get_by_label("简易程序理由").locator("option")).to_have_text(
        [
            "（不填）",
            "当场作出的行政行为",
            "警告或者通报批评",
            "案件涉及款额三千元以下",
            "政府信息公开",
            "当事人各方同意适用简易程序",
        ]
    )
    approver = form.get_by_role("group", name="批准人")
    user_id = approver.locator("label", has_text="用户名")
    expect(user_id).to_have_text("用户名")
    approver.get_by_label("姓名").fill("钱主任")
    expect(user_id).to_have_text("用户名 *（必填）")
    expect(approver.get_by_label("用户名")).to_have_attribute("aria-required", "true")
    approver.get_by_label("姓名").fill("")
    expect(user_id).to_have_text("用户名")

    form.get_by_label("程序", exact=True).select_option("SIMPLIFIED")
    form.get_by_label("简易程序理由").select_option("SMALL_AMOUNT")
    form.get_by_role("button", name="提交").click()
    expect(tab.locator("p.done")).to_contain_text("已办理：受理")
    expect(tab.locator("#summary")).to_contain_text("程序简易程序")

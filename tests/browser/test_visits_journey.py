"""The visit journey of issue 19 on a phone's 390 px screen: a bank officer opens the list of
enterprises to visit, loses the connection, records two visits with a photo each (kept on the
phone), gets the connection back and both arrive once, even when the phone sends one again;
the county office's roll-up then shows them."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from portal.models import Role
from supervision.screening.models import TaskEnterprise
from supervision.screening.visits.models import Visit
from tests import factories as f
from tests.browser.chinese import sign_out, zh

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def png(width: int = 8, height: int = 6) -> bytes:
    """A real (tiny, red) PNG the browser can decode, as a phone's camera would give."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def record(page, code: str, decision: str, credit: str = "") -> None:
    page.locator(f"li.enterprise[data-code='{code}'] button.record").click()
    form = page.locator("#visit-form")
    expect(form).to_be_visible()
    form.locator("input[name=visitors]").fill("王晓东")
    form.locator("input[name=met]").fill("企业法定代表人")
    form.locator("input[name=need_amount]").fill("150")
    form.locator("select[name=decision]").select_option(decision)
    if credit:
        form.locator("input[name=credit_amount]").fill(credit)
    form.locator("input[name=next_step]").fill("补充财务报表")
    photo = {"name": f"{code}.png", "mimeType": "image/png", "buffer": png()}
    form.locator("input[name=photos]").set_input_files(photo)
    form.get_by_role("button", name=zh("Save the visit")).click()
    expect(form).to_be_hidden()


def test_visits_recorded_offline_arrive_once_and_roll_up(matrix, sign_in, live_server):
    officer = matrix.users["branch_a1"]
    county = f.member(Role.REVIEWER, office=matrix.county_a)
    task = matrix.screening_task_p1
    first, second = sorted(
        TaskEnterprise.objects.filter(assignment=matrix.screening_assignment_a1).values_list(
            "credit_code", flat=True
        )
    )
    matrix.screening_visit_a1.delete()  # the matrix's own, made seconds ago (later than ours)

    # -- on the phone, with a connection: the list is opened and kept for later --------------
    page = sign_in(officer, f.PASSWORD)
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/screening/visits/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the service worker, which keeps a copy
    expect(page.locator("li.enterprise")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # -- no signal at the enterprise's door: the app still opens, visits wait on the phone ---
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("li.enterprise")).to_have_count(2)
    expect(page.locator("#connection")).to_have_class("connection offline")
    record(page, first, "granted", credit="120")
    expect(page.get_by_test_id("queued-count")).to_have_text("1")
    record(page, second, "declined")
    expect(page.get_by_test_id("queued-count")).to_have_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not Visit.objects.exists()

    # -- the connection returns: both are sent; the declined one lacked its reason -----------
    page.context.set_offline(False)
    expect(page.get_by_test_id("queued-count")).to_have_text("0")
    expect(page.get_by_test_id("sent-count")).to_have_text("1")
    expect(page.get_by_test_id("refused-count")).to_have_text("1")
    expect(page.locator(".queued-visit.refused")).to_contain_text(
        zh("A declined enterprise needs a reason from the list.")
    )
    assert Visit.objects.count() == 1
    page.locator(f"li.enterprise[data-code='{second}'] button.record").click()
    page.locator("#visit-form select[name=decision]").select_option("declined")
    page.locator("#visit-form select[name=decline_reason]").select_option("over_indebted")
    page.locator("#visit-form input[name=visitors]").fill("王晓东")
    page.locator("#visit-form").get_by_role("button", name=zh("Save the visit")).click()
    expect(page.get_by_test_id("sent-count")).to_have_text("2")

    # -- the phone sends a visit again (an answer it never got): still recorded once ---------
    page.evaluate(
        """() => VisitQueue.all().then(items => {
             const sent = items.find(i => i.state === "sent");
             sent.state = "queued";
             return VisitQueue.put(sent);
           })"""
    )
    page.get_by_role("button", name=zh("Send now")).click()
    expect(page.get_by_test_id("sent-count")).to_have_text("2")
    expect(page.get_by_test_id("queued-count")).to_have_text("0")
    assert Visit.objects.count() == 2
    granted = TaskEnterprise.objects.get(task=task, credit_code=first)
    assert (granted.decision, granted.credit_amount) == ("granted", 120)
    assert Visit.objects.get(enterprise=granted).photos.count() == 1
    assert errors == []
    sign_out(page)

    # -- the county office's roll-up shows them ------------------------------------------------
    sign_in(county, f.PASSWORD)
    page.goto(f"{live_server.url}/screening/{task.pk}/")
    total = page.get_by_test_id("rollup").locator("tfoot tr td")
    # enterprises, assigned, visited, with a need, granted, credit, loans, rate, first-time,
    # declined
    expect(total.nth(2)).to_have_text("2")
    expect(total.nth(4)).to_have_text("1")
    expect(total.nth(5)).to_have_text("120.00")
    expect(total.nth(9)).to_have_text("1")

"""报表 and 厨房备餐单 in a real browser against a real platform: the page's tables and charts,
its CSV, XLSX and PDF exports (opened with csv, openpyxl and pdftoppm), a provider's account
seeing only its own, bad input answered in plain words, and the delivery list's audit.

Figures expected are literals or plain sums over tests/report_data.py's fixture lists."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select

from service_platform.console import accounts, i18n
from service_platform.schema import operator_audit
from tests import report_data as data
from tests.console.browser import SCREENSHOTS, save_screenshot
from tests.console.signin import sign_in
from tests.needs import unavailable
from tests.report_data import CANTEEN, HOME, A

ZH = i18n.messages("zh_CN")
PROVIDER_USER, PROVIDER_PASSWORD = "home-provider", "a-good-long-password"
DEC = f"/console/reports?month=2025-12&community={A}"


@pytest.fixture(scope="module")
def seeded(db):
    ids = db.run_write(data.seed)
    db.run_write(lambda conn: accounts.create(conn, PROVIDER_USER, "阳光家政（报表）", "provider",
                                              PROVIDER_PASSWORD, [A], HOME))
    return ids


def _paid_in(month: str, community=(A,), provider=None) -> list:
    """The fixture's served paid bookings of a month (expected figures, counted here)."""
    return [b for b in data.BOOKINGS if b.status == "completed" and b.price
            and b.day.startswith(month) and b.community in community
            and (provider is None or b.provider == provider)]


def _get(page, url: str):
    answer = page.request.get(url)
    return answer.status, answer.body(), answer.headers


def _pdf_first_page(pdf: bytes, tmp_path, name: str) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm is not installed: scripts/setup.sh --test installs poppler-utils")
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(tmp_path / name)], check=True, timeout=60)
    with Image.open(tmp_path / f"{name}.png") as image:
        return image.convert("L")


def _pdf_text(pdf: bytes, tmp_path, name: str) -> str:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout


def _ink(image: Image.Image) -> float:
    """The share of the page's pixels that are not white."""
    histogram = image.histogram()
    return 1 - sum(histogram[240:]) / sum(histogram)


def _keep(path, name: str) -> None:
    """docs/screenshots/<name>.png when CONSOLE_SCREENSHOTS=1, as save_screenshot does."""
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        shutil.copy(path, SCREENSHOTS / f"{name}.png")


def test_the_report_page_shows_tables_charts_and_exports_that_agree(new_page, console_platform,
                                                                   seeded, tmp_path):
    page = new_page(locale="zh-CN")
    base = console_platform.base_url
    sign_in(page, base, "admin", then=DEC)
    page.wait_for_selector("#table-settlement")
    assert "报表测试社区" in page.inner_text("#report-scope")
    # each chart is an image the page could draw (the console's CSP allows data: images)
    page.wait_for_function("[...document.querySelectorAll('img[data-chart]')]"
                           ".every(img => img.complete)")
    charts = page.eval_on_selector_all(
        "img[data-chart]", "els => els.map(e => [e.dataset.chart, e.naturalWidth])")
    assert {key for key, width in charts if width > 0} == {"meals_by_day", "settlement",
                                                           "services", "trend"}
    paid = _paid_in("2025-12")
    total = page.locator("#table-settlement tfoot td").all_inner_texts()
    assert total[4] == f"{sum(b.price - b.subsidy for b in paid) / 100:,.2f}"  # 86.00
    assert total[5] == f"{sum(b.subsidy for b in paid) / 100:,.2f}"  # 13.00
    assert total[7] == "32.00"  # b4's 12.00 and c2's 20.00 returned on cancelling
    assert page.locator("#table-meals_by_day tfoot td").last.inner_text() == "3"
    save_screenshot(page, "report", full_page=True)

    # the workbook: a sheet a table, numbers as numbers, totals that are the sums of the rows
    href = page.get_attribute("#export-all-xlsx", "href")
    status, body, headers = _get(page, base + href)
    assert status == 200 and "spreadsheetml" in headers["content-type"]
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book[ZH["console.reports.settlement"]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == ZH["console.reports.col.paid"]
    body_rows, totals = rows[1:-1], rows[-1]
    assert totals[0] == ZH["console.reports.total"]
    assert sum(row[4] for row in body_rows) == pytest.approx(totals[4]) == \
        sum(b.price - b.subsidy for b in paid) / 100
    assert sum(row[5] for row in body_rows) == pytest.approx(totals[5]) == 13.0
    meals = list(book[ZH["console.reports.meals_by_day"]].iter_rows(values_only=True))
    assert meals[-1][-1] == sum(row[-1] for row in meals[1:-1]) == 3

    # the CSV: UTF-8 with a BOM, one header row, the rows and the totals
    href = page.get_attribute("[data-export='settlement.csv']", "href")
    status, body, headers = _get(page, base + href)
    assert status == 200 and body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0][0] == ZH["console.reports.col.provider"]
    assert lines[-1][0] == ZH["console.reports.total"] and lines[-1][4] == "86.00"
    assert {line[0] for line in lines[1:-1]} == {"幸福食堂", "阳光家政"}

    # 服务质量月报: a PDF whose first page renders with ink and Chinese text
    href = page.get_attribute("#quality-pdf", "href")
    status, pdf, headers = _get(page, base + href)
    assert status == 200 and headers["content-type"] == "application/pdf"
    image = _pdf_first_page(pdf, tmp_path, "quality")
    assert _ink(image) > 0.02
    text = _pdf_text(pdf, tmp_path, "quality")
    assert "服务质量月报 2025-12" in text and "满意率" in text and "阳光家政" in text
    _keep(tmp_path / "quality.png", "report-pdf")


def test_a_provider_sees_only_its_own_figures(new_page, console_platform, seeded):
    page = new_page(locale="zh-CN")
    base = console_platform.base_url
    sign_in(page, base, PROVIDER_USER, PROVIDER_PASSWORD,
            then=f"/console/reports?month=2025-12&community={A}&provider={CANTEEN}")
    page.wait_for_selector("#table-settlement")
    assert page.locator("#provider").count() == 0  # nothing to choose
    providers = set(page.locator("#table-settlement tbody td:first-child").all_inner_texts())
    assert providers == {"阳光家政"}
    paid = _paid_in("2025-12", provider=HOME)
    assert page.locator("#table-settlement tfoot td").nth(4).inner_text() == \
        f"{sum(b.price - b.subsidy for b in paid) / 100:,.2f}"
    assert page.locator("#table-help").count() == 0  # help calls are the centre's
    assert page.locator("#table-meals_by_day").count() == 0  # the canteen's meals are not ours
    status, body, _ = _get(page, base + page.get_attribute("#export-all-xlsx", "href"))
    sheet = openpyxl.load_workbook(io.BytesIO(body))[ZH["console.reports.settlement"]]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == \
        {"阳光家政", ZH["console.reports.total"]}
    # its kitchen sheet: the canteen's meals are none of its business
    page.goto(base + f"/console/kitchen?day=2025-12-01&provider={CANTEEN}")
    assert page.locator("#kitchen-empty").is_visible()
    assert "李*国" not in page.inner_text("main")


def test_a_manager_sees_only_its_communities(new_page, console_platform, seeded):
    page = new_page(locale="zh-CN")
    sign_in(page, console_platform.base_url, "manager")
    assert page.goto(console_platform.base_url + DEC).status == 403
    page.goto(console_platform.base_url + "/console/reports?month=2025-12")
    assert page.locator("#report-empty").inner_text() == ZH["console.reports.empty"]


def test_bad_input_gets_a_plain_message_never_a_server_error(new_page, console_platform,
                                                            seeded):
    page = new_page(locale="zh-CN")
    base = console_platform.base_url
    sign_in(page, base, "admin")
    cases = [
        (f"/console/reports?from=2025-12-31&to=2025-12-01&community={A}", 400,
         "#report-error", ZH["console.reports.error.backwards"]),
        (f"/console/reports?month=2025-12&community={A}&provider=prov-nobody", 400,
         "#report-error", ZH["console.reports.error.provider"]),
        ("/console/reports?month=2025-12&community=community-nowhere", 400, "#report-error",
         ZH["console.reports.error.community"]),
        ("/console/reports?month=2025-13", 400, "#report-error",
         ZH["console.reports.error.month"]),
        (f"/console/reports?month=2024-02&community={A}", 200, "#report-empty",
         ZH["console.reports.empty"]),
        (f"/console/kitchen?day=tomorrow&community={A}", 400, "#kitchen-error",
         ZH["console.kitchen.error.date"]),
        (f"/console/kitchen?day=2024-02-01&community={A}", 200, "#kitchen-empty",
         ZH["console.kitchen.empty"]),
    ]
    for path, status, selector, words in cases:
        assert page.goto(base + path).status == status, path
        assert page.locator(selector).inner_text() == words, path
    files = [
        (f"/console/reports/export/all.csv?from=2025-12-31&to=2025-12-01&community={A}", 400),
        (f"/console/reports/export/nothing.csv?community={A}", 404),
        (f"/console/reports/quality.pdf?month=2025-12&provider=prov-nobody&community={A}", 400),
        ("/console/reports/quality.pdf", 400),
        (f"/console/reports/export/settlement.xlsx?month=2024-02&community={A}", 200),
        (f"/console/reports/quality.pdf?month=2024-02&community={A}", 200),
        (f"/console/kitchen.pdf?day=not-a-day&community={A}", 400),
    ]
    for path, status in files:
        assert _get(page, base + path)[0] == status, path


def test_the_kitchen_sheet_and_its_delivery_list(new_page, console_platform, seeded, db,
                                                 tmp_path):
    page = new_page(locale="zh-CN")
    base = console_platform.base_url
    sign_in(page, base, "admin", then=f"/console/kitchen?day=2025-12-01&community={A}")
    page.wait_for_selector("#table-kitchen_portions")
    assert "2025年12月1日" in page.inner_text("#sheet-title")
    served = [b for b in data.BOOKINGS if b.service == "meal" and b.community == A
              and b.day == "2025-12-01" and b.status == "completed"]
    dishes = sum(len(data.MENUS[(b.day, b.meal)]) for b in served)
    assert page.locator("#table-kitchen_portions tfoot td").last.inner_text() == str(dishes)
    assert page.locator("#table-kitchen_meals tfoot td").last.inner_text() == str(len(served))
    deliveries = page.locator("#table-kitchen_deliveries tbody tr")
    assert deliveries.count() == 1
    cells = deliveries.first.locator("td").all_inner_texts()
    assert cells == ["晚餐", "李*国", "幸福里 5号楼 1单元 102室", "6871", "普通"]
    assert "李建国" not in page.inner_text("main") and "13078106871" not in page.inner_text("main")
    save_screenshot(page, "kitchen-sheet", full_page=True)
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        shutil.copy(SCREENSHOTS / "console-kitchen-sheet.png", SCREENSHOTS / "kitchen-sheet.png")
        (SCREENSHOTS / "console-kitchen-sheet.png").unlink()

    status, pdf, headers = _get(page, base + page.get_attribute("#kitchen-pdf", "href"))
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert _ink(_pdf_first_page(pdf, tmp_path, "kitchen")) > 0.01
    text = _pdf_text(pdf, tmp_path, "kitchen")
    assert "送餐名单" in text and "李*国" in text and "香菇青菜" in text

    # who saw or took the delivery list is logged, without the list's personal data
    with db.read() as conn:
        lines = conn.execute(select(operator_audit.c.detail).where(
            operator_audit.c.action == "kitchen.delivery_list",
            operator_audit.c.community_id == A)).scalars().all()
    assert {json.loads(line)["format"] for line in lines} >= {"page", "pdf"}
    for line in lines:
        assert not any(word in line for word in ("李", "幸福里", "6871", "1307"))


def test_on_a_phone_the_report_and_the_sheet_fit_the_screen(new_page, console_platform, seeded):
    phone = new_page(phone=True, locale="zh-CN")
    sign_in(phone, console_platform.base_url, "admin", then=DEC)
    phone.wait_for_selector("#table-settlement")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.goto(console_platform.base_url + f"/console/kitchen?day=2025-12-01&community={A}")
    phone.wait_for_selector("#table-kitchen_deliveries")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

"""The design's quality bars in a browser: each public page of the bars, with the seed, at 1280 and at 390 pixels
wide, has no axe-core violation of any impact and logs no console error; a full-page screenshot of each is saved
under tests/browser/artifacts/screenshots/<page>-<width>.png (kept out of git) to look at what a change did.
"""

import pytest

from tests.browser.conftest import QUALITY_PAGES, VIEWPORTS, quality_page_path

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(QUALITY_PAGES))
def test_page_has_no_axe_violation_of_any_impact(
    name, viewport, page, quality_server, seeded_site, assert_strictly_accessible, save_screenshot
):
    path = quality_page_path(name)
    response = page.goto(f"{quality_server}{path}")
    assert response.status == 200, path

    saved = save_screenshot(page, f"{name}-{VIEWPORTS[viewport]['width']}")

    assert saved.stat().st_size > 0
    assert_strictly_accessible(page)


def test_save_screenshot_writes_the_whole_page(page, quality_server, seeded_site, save_screenshot):
    page.set_viewport_size({"width": 390, "height": 400})
    page.goto(f"{quality_server}{quality_page_path('list')}")

    saved = save_screenshot(page, "check-full-page")

    assert saved.name == "check-full-page.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A PNG's IHDR holds width and height (big-endian) at bytes 16–24; full page is taller than the window.
    header = saved.read_bytes()[16:24]
    assert int.from_bytes(header[:4], "big") == 390
    assert int.from_bytes(header[4:], "big") > 400
    saved.unlink()


def test_quality_server_serves_static_files_compressed_and_cached(page, quality_server, transactional_db):
    response = page.request.get(f"{quality_server}/static/css/site.css", headers={"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "max-age=31536000, public"


SKIPPED_HEADING_LEVEL = (
    '<!doctype html><html lang="en"><head><title>Levels</title></head>'
    "<body><main><h1>Meetings</h1><h3>April 2019</h3></main></body></html>"
)


def test_strict_check_fails_on_a_moderate_violation_the_journeys_check_lets_pass(
    page, assert_accessible, assert_strictly_accessible
):
    # heading-order (h1 then h3) is a moderate violation: below the journeys' serious floor, above the bars' zero.
    page.set_content(SKIPPED_HEADING_LEVEL)

    assert_accessible(page)
    with pytest.raises(AssertionError, match="heading-order"):
        assert_strictly_accessible(page)

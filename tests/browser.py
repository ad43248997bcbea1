"""Helpers the browser tests share: the factories' password, the phone and
desktop viewports, and the checks and screenshots taken at both widths."""

PASSWORD = "pw-for-tests-1"  # UserFactory's password
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def assert_no_horizontal_scroll(page):
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways at {widths}"


def screenshots(page, artifacts_dir, name):
    """Full-page screenshots at phone and desktop widths; the phone one must
    not scroll sideways."""
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts_dir / f"{name}-375.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts_dir / f"{name}-1280.png"), full_page=True)

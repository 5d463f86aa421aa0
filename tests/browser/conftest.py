import pytest

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _sized(size: str):
    @pytest.fixture
    def page_at(browser):
        from tests.e2e import reader_page

        page = reader_page(browser, size)
        yield page
        page.context.close()

    page_at.__doc__ = f"A fresh offline page at the reader's {size} size (tests/e2e.py SIZES)."
    return page_at


desktop = _sized("desktop")
embed = _sized("embed")
phone = _sized("phone")

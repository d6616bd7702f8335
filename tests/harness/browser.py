"""Headless Chromium for the browser tests: Debian's chromium and chromedriver, the driver's
path given explicitly (so Selenium Manager never tries to download one), and every file the
browser would write kept in a temporary directory."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("MULTINIC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MULTINIC_CHROMEDRIVER", "/usr/bin/chromedriver")
# ``MULTINIC_SCREENSHOTS=<dir>`` (``make screenshots``): where Session.screenshot saves.
SCREENSHOTS = os.environ.get("MULTINIC_SCREENSHOTS")


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


class Browser:
    """A Chrome WebDriver with its own profile and home; ``quit()`` removes both."""

    def __init__(self, width: int = 1400, height: int = 1000):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.home = tempfile.mkdtemp(prefix="multinic-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            # This machine's network is closed: without these Chromium keeps trying to reach
            # Google's services, and each attempt is a refused connection.
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps",
            f"--window-size={width},{height}", f"--user-data-dir={self.home}/profile",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        environment = {**os.environ, "HOME": self.home, "TMPDIR": self.home,
                       "XDG_CONFIG_HOME": f"{self.home}/config",
                       "XDG_CACHE_HOME": f"{self.home}/cache"}
        service = Service(executable_path=CHROMEDRIVER, env=environment,
                          log_output=os.devnull)
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def severe_console_messages(self) -> list[str]:
        """Console errors since the last call (the log is drained by reading it)."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE"]


# The preview answers a launch that would fail with a 400 or 409 (the panel passes on the API's
# answer), as it should; Chromium logs every 4xx of a fetch as a console error. Those answers
# are the feature, not a fault.
EXPECTED_API_ANSWERS = ("/launch/preview/ - Failed to load resource: the server "
                        "responded with a status of 40")



class Session:
    """A browser with the checks every page gets: its console stays free of errors."""

    def __init__(self, chrome: Browser):
        self.browser = chrome
        self.driver = chrome.driver
        self.base = ""
        self.console: list[str] = []

    def wait(self, seconds: float = 15) -> WebDriverWait:
        # A page that reloads under a condition leaves it holding an element of the old
        # page: that is "not yet", not a failure.
        return WebDriverWait(self.driver, seconds,
                             ignored_exceptions=(StaleElementReferenceException,))

    def assert_console_clean(self, expected: str | None = None) -> None:
        """No console errors but ``expected`` (a page the test means to be an error page)."""
        self.console += [m for m in self.browser.severe_console_messages()
                         if EXPECTED_API_ANSWERS not in m
                         and not (expected and m.startswith(expected + " - "))]
        assert self.console == [], self.console

    def open(self, path: str, status: int = 200) -> None:
        self.assert_console_clean()
        self.driver.get(self.base + path)
        if status != 200:  # the browser logs the page's own status as an error: expected
            self.wait().until(lambda d: d.execute_script("return document.readyState") ==
                              "complete")
            self.assert_console_clean(expected=self.base + path)
        self.wait().until(lambda d: d.execute_script("return document.readyState") ==
                          "complete")

    def sign_in(self, server, username: str, password: str = "multinic") -> None:
        self.base = server.url
        self.driver.delete_all_cookies()
        self.open("/auth/login/")
        self.driver.find_element(By.ID, "id_username").send_keys(username)
        self.driver.find_element(By.ID, "id_password").send_keys(password)
        self.driver.find_element(By.ID, "loginBtn").click()
        self.wait().until(ec.presence_of_element_located((By.ID, "sidebar")))

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css: str) -> None:
        element = self.wait().until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def next_step(self) -> None:
        self.click(".button-next")

    def show_step(self, css: str) -> None:
        """From the wizard's first step (where it comes back after a refused launch), Next up
        to the step that holds ``css``."""
        for _ in range(len(self.find_all(".wizard-tabs li")) + 1):
            if self.find(css).is_displayed():
                return
            self.next_step()
        raise AssertionError(f"no step shows {css}")

    def launch(self) -> None:
        """Next to the last step, where Horizon's wizard shows its final button; press it."""
        while not self.find(".button-final").is_displayed():
            self.next_step()
        self.click(".button-final")

    def selected_networks(self) -> list[str]:
        return [li.find_element(By.CSS_SELECTOR, ".network-name").get_attribute("textContent")
                for li in self.find_all("#selected-networks li.nic")]

    def add_network(self, name: str) -> None:
        for item in self.find_all("#available-networks li.available-network"):
            if item.find_element(By.CSS_SELECTOR, ".network-name").text == name:
                item.find_element(By.CSS_SELECTOR, ".add-network").click()
                return
        raise AssertionError(f"network {name} is not offered")

    def preview_state(self) -> str:
        """Waits for the debounced preview of the latest change: 'ok', 'error' or 'empty'."""
        root = self.find(".multinic-launch")
        self.wait().until(lambda d: root.get_attribute("data-preview-state") in
                          ("ok", "error", "empty"))
        return root.get_attribute("data-preview-state")

    def preview_network_data(self) -> dict:
        self.preview_state()
        return json.loads(self.driver.execute_script(
            "return document.getElementById('preview-network-data-json').textContent"))

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.driver.execute_script("window.scrollTo(0, 0)")
            self.driver.save_screenshot(str(Path(SCREENSHOTS) / name))


def console_checked(session_class):
    """A pytest fixture's body: a ``session_class`` on a new headless Chromium, whose
    console must be clean at the end; the browser quits whatever happened."""
    if not available():
        pytest.fail(f"Browser tests need {CHROMIUM} and {CHROMEDRIVER}: "
                    "`make test` installs Debian's chromium and chromium-driver.")
    session = session_class(Browser())
    yield session
    try:
        session.assert_console_clean()
    finally:
        session.browser.quit()

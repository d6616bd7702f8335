"""Headless Chromium for the browser tests: Debian's chromium and chromedriver, the driver's
path given explicitly (so Selenium Manager never tries to download one), and every file the
browser would write kept in a temporary directory."""

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("MULTINIC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MULTINIC_CHROMEDRIVER", "/usr/bin/chromedriver")


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

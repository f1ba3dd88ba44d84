"""A small WebDriver client (plain HTTP, no packages) for driving headless
Chromium through chromedriver: used by the end-to-end test and by the
script that computes the results the site ships."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


# WebDriver's default script timeout, which this client leaves as it is: a
# script the page's thread has not run within it fails with "script timeout".
SCRIPT_TIMEOUT_S = 30


class WebDriverError(RuntimeError):
    """A command the browser answered with an error; `error` is the
    WebDriver error code (e.g. "script timeout"), or None if unreadable."""

    def __init__(self, message, error):
        super().__init__(message)
        self.error = error


class WebDriver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None
        self.profile = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.loads(r.read().decode() or "{}").get("value")
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            try:
                error = json.loads(text)["value"]["error"]
            except (ValueError, KeyError, TypeError):
                error = None
            raise WebDriverError(f"{method} {path}: {e.code} {text[:500]}", error)

    def start(self, width=1280, height=2000, extra_args=()):
        self.profile = tempfile.mkdtemp(prefix="opimp-e2e-profile-")
        options = {
            "binary": shutil.which("chromium") or "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     f"--window-size={max(width, 500)},{height}", f"--user-data-dir={self.profile}", *extra_args],
        }
        # Headless windows are at least 500 px wide: a phone is emulated.
        if width < 500:
            options["mobileEmulation"] = {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}}
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": options,
        }}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def stop(self):
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}")
            except Exception:
                pass
            self.session = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    def get(self, url):
        self.call("POST", f"/session/{self.session}/url", {"url": url})

    def js(self, script, *args):
        return self.call("POST", f"/session/{self.session}/execute/sync",
                         {"script": script, "args": list(args)})

    def cdp(self, command, params=None):
        """Runs a Chrome DevTools Protocol command on the page (chromedriver's
        goog/cdp/execute), e.g. Performance.getMetrics."""
        return self.call("POST", f"/session/{self.session}/goog/cdp/execute",
                         {"cmd": command, "params": params or {}})

    def page_thread_s(self):
        """Seconds the page's main thread has spent running tasks (script,
        layout, style, paint, message handling) since Performance.enable:
        the time the page takes from the cores its workers train on."""
        metrics = self.cdp("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def logs(self):
        try:
            return self.call("POST", f"/session/{self.session}/se/log", {"type": "browser"}) or []
        except RuntimeError:
            return []

    def js_async(self, script, *args):
        """Runs a script whose last argument is a callback taking the result."""
        return self.call("POST", f"/session/{self.session}/execute/async",
                         {"script": script, "args": list(args)})

    def resize(self, width, height):
        self.call("POST", f"/session/{self.session}/window/rect", {"width": width, "height": height})

    def element(self, css):
        el = self.call("POST", f"/session/{self.session}/element",
                       {"using": "css selector", "value": css})
        return list(el.values())[0]

    def click(self, css):
        self.call("POST", f"/session/{self.session}/element/{self.element(css)}/click", {})

    def upload(self, css, path):
        self.call("POST", f"/session/{self.session}/element/{self.element(css)}/value",
                  {"text": path})

    def select(self, css, value):
        """Chooses an option of a <select> as a visitor would (a change event)."""
        self.js("var s=document.querySelector(arguments[0]); s.value=arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true}));", css, value)

    def screenshot(self, path):
        import base64
        png = self.call("GET", f"/session/{self.session}/screenshot")
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))




class Served:
    """dist/ served on loopback and a chromedriver, stopped on exit."""

    def __init__(self, dist):
        self.http_port, self.wd_port = free_port(), free_port()
        self.server = subprocess.Popen([sys.executable, "-m", "http.server", str(self.http_port), "--bind",
                                        "127.0.0.1", "--directory", dist],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.chromedriver = subprocess.Popen([shutil.which("chromedriver") or "/usr/bin/chromedriver",
                                              f"--port={self.wd_port}"],
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.http_port)
        wait_port(self.wd_port)
        self.base = f"http://127.0.0.1:{self.http_port}/"

    def driver(self, width=1280, height=2000, extra_args=()):
        d = WebDriver(self.wd_port)
        d.start(width, height, extra_args)
        return d

    def stop(self):
        self.chromedriver.terminate()
        self.server.terminate()


def wait_for(driver, script, timeout, what):
    """Polls a script until it returns something true; fails naming `what`."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        last = driver.js(script)
        if last:
            return last
        time.sleep(0.5)
    status = driver.js("var s=document.getElementById('status');return s?s.textContent:'(no #status)'")
    raise AssertionError(f"timed out waiting for {what}; status: {status!r}; last: {last!r}")


STORED_RESULTS_JS = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('opimp', 1);
open.onerror = () => done({error: 'cannot open the store'});
open.onsuccess = () => {
  const db = open.result;
  const req = db.transaction('results').objectStore('results').getAll();
  req.onsuccess = () => done({results: req.result});
  req.onerror = () => done({error: 'cannot read'});
};
"""

STORED_MODELS_JS = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('opimp', 1);
open.onsuccess = () => {
  const store = open.result.transaction('models').objectStore('models');
  const keys = store.getAllKeys();
  keys.onsuccess = () => {
    const values = store.getAll();
    values.onsuccess = () => done(keys.result.map((k, i) => {
      let s = ''; const b = values.result[i];
      for (let j = 0; j < b.length; j++) s += String.fromCharCode(b[j]);
      return [k, btoa(s)];
    }));
  };
};
open.onerror = () => done([]);
"""

#!/usr/bin/env python3
"""End-to-end test of the lab as users get it.

Builds the page with Trunk, serves dist/ on loopback, drives headless
Chromium through chromedriver (plain WebDriver over HTTP, no extra
packages) and checks that:
  1. ?preset=quick runs to the end in the page, with results and charts in
     it and no errors in the console;
  2. the page's own link, opened in a fresh browser profile, reproduces the
     same experiment and the same numbers;
  3. a link full of bad parameters still gives a working page that names
     each bad parameter.

Usage: tests/e2e.py [--dist DIR] [--no-build]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHARTS = [
    "chart-pretrain-loss", "chart-pretrain-acc", "chart-rl", "chart-op-theory",
    "chart-op-predicted", "chart-cross-n2", "chart-cross-n4", "chart-cross-n6",
    "chart-imp", "chart-sprime", "chart-imp-ratio", "chart-imp-excess",
    "chart-self-op", "chart-self-imp", "chart-taxonomy", "chart-diff-scalar",
]


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
            raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode()[:500]}")

    def start(self):
        self.profile = tempfile.mkdtemp(prefix="opimp-e2e-profile-")
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": shutil.which("chromium") or "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--window-size=1280,2000", f"--user-data-dir={self.profile}"],
            },
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

    def logs(self):
        try:
            return self.call("POST", f"/session/{self.session}/se/log", {"type": "browser"}) or []
        except RuntimeError:
            return []

    def element(self, css):
        el = self.call("POST", f"/session/{self.session}/element",
                       {"using": "css selector", "value": css})
        return list(el.values())[0]

    def click(self, css):
        self.call("POST", f"/session/{self.session}/element/{self.element(css)}/click", {})

    def upload(self, css, path):
        self.call("POST", f"/session/{self.session}/element/{self.element(css)}/value",
                  {"text": path})

    def screenshot(self, path):
        import base64
        png = self.call("GET", f"/session/{self.session}/screenshot")
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))


def wait_for(driver, script, timeout, what):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        last = driver.js(script)
        if last:
            return last
        time.sleep(1)
    status = driver.js("var s=document.getElementById('status');return s?s.textContent:'(no #status)'")
    raise AssertionError(f"timed out waiting for {what}; status: {status!r}; last: {last!r}")


def run_quick(driver, url, label):
    started = time.time()
    driver.get(url)
    wait_for(driver, "return document.getElementById('status') !== null", 60, "the page to start")
    wait_for(driver, "var s=document.getElementById('status');return s && s.dataset.state==='done'",
             900, "the quick run to finish")
    seconds = time.time() - started
    rows = driver.js("return Array.from(document.querySelectorAll('#models-table tbody tr'))"
                     ".map(r => r.textContent)")
    models = [r for r in rows if "scripted" not in r and "failed" not in r]
    assert len(models) == 1, f"{label}: expected 1 trained model, got {rows}"
    traces = driver.js(
        "return arguments[0].map(id => {var e=document.getElementById(id);"
        "return [id, e && e.data ? e.data.length : -1];})", CHARTS)
    for chart_id, n in traces:
        assert n >= 1, f"{label}: chart {chart_id} has no traces ({n})"
    model_points = driver.js(
        "var d=document.getElementById('chart-op-theory').data;"
        "return d.filter(t => (t.name||'').startsWith('models trained')).map(t => t.y.length)")
    assert model_points == [1], f"{label}: model points on the Op chart: {model_points}"
    errors = driver.js("return window.__opimpErrors || []")
    assert errors == [], f"{label}: errors in the page: {errors}"
    severe = [l for l in driver.logs() if l.get("level") == "SEVERE"]
    assert not severe, f"{label}: console errors: {severe}"
    status = driver.js("return document.getElementById('status').textContent")
    print(f"e2e: {label}: finished in {seconds:.0f} s: {status}")
    return models, driver.js("return location.href")


def import_kept_model(driver, models):
    """The page kept the fine-tuned model: take its checkpoint out of
    storage, clear the results, import a junk file (refused) and then the
    checkpoint (measured again: the same numbers)."""
    import base64
    stored = driver.js("return localStorage.getItem('opimp.models.v1')")
    assert stored, "the page did not keep the trained model"
    kept = json.loads(stored)["models"]
    assert len(kept) == 1, f"kept models: {[(k['size'], k['seed'], k['task']) for k in kept]}"
    assert driver.js("return document.querySelectorAll('#models-table button').length") == 1
    folder = tempfile.mkdtemp(prefix="opimp-e2e-files-")
    checkpoint = os.path.join(folder, "quick.opimp")
    with open(checkpoint, "wb") as f:
        f.write(base64.b64decode(kept[0]["checkpoint"]))
    junk = os.path.join(folder, "junk.opimp")
    with open(junk, "wb") as f:
        f.write(b"this is not a model")
    driver.click("#clear")
    wait_for(driver, "return document.querySelectorAll('#models-table tbody tr:not(.scripted)').length === 0",
             30, "the results to clear")
    driver.upload("#import-model", junk)
    wait_for(driver, "return (document.getElementById('messages') || {textContent: ''}).textContent.includes('Model import refused')",
             60, "the junk file to be refused")
    driver.upload("#import-model", checkpoint)
    wait_for(driver, "return document.querySelectorAll('#models-table tbody tr:not(.scripted)').length === 1"
             " && document.getElementById('status').dataset.state === 'done'", 120, "the model to be measured")
    rows = driver.js("return Array.from(document.querySelectorAll('#models-table tbody tr'))"
                     ".map(r => r.textContent)")
    again = [r for r in rows if "scripted" not in r and "failed" not in r]
    # The imported model has no checkpoint of its own in the table.
    strip = lambda rs: [r.replace("save", "") for r in rs]
    assert strip(again) == strip(models), f"the imported model measured differently:\n{models}\n{again}"
    shutil.rmtree(folder, ignore_errors=True)
    print("e2e: the kept model was refused as junk, then imported and measured to the same numbers")


def browser_benchmark(driver):
    """The page's Benchmark button: one figure per size (printed, never
    asserted: timings vary with the machine)."""
    driver.click("#bench")
    script = ("return Array.from(document.querySelectorAll('#messages li'))"
              ".map(e => e.textContent).filter(t => t.startsWith('Benchmark: size'))")
    wait_for(driver, script.replace("return ", "return (") + ").length >= 4", 300, "the benchmark")
    lines = sorted(set(driver.js(script)))
    for line in lines:
        assert "ms per training step" in line, line
        print(f"e2e: {line}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", default=os.path.join(ROOT, "target", "e2e-dist"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--screenshot", default=os.path.join(ROOT, "target", "e2e-quick.png"))
    args = ap.parse_args()
    env = dict(os.environ)
    env["PATH"] = os.path.join(ROOT, "node_modules", ".bin") + os.pathsep + env["PATH"]
    if not args.no_build:
        print("e2e: building the page with trunk", flush=True)
        subprocess.run(["trunk", "build", "--dist", args.dist], cwd=ROOT, env=env, check=True)
    http_port, wd_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(http_port), "--bind",
                               "127.0.0.1", "--directory", args.dist],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chromedriver = subprocess.Popen([shutil.which("chromedriver") or "/usr/bin/chromedriver",
                                     f"--port={wd_port}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = WebDriver(wd_port)
    try:
        wait_port(http_port)
        wait_port(wd_port)
        base = f"http://127.0.0.1:{http_port}/"
        driver.start()
        models, link = run_quick(driver, base + "?preset=quick", "quick preset")
        driver.screenshot(args.screenshot)
        driver.stop()
        assert "preset=quick" in link, link
        # A fresh profile (nothing stored) opening the page's own link.
        driver.start()
        again, _ = run_quick(driver, link, "copied link, new profile")
        assert again == models, f"the link did not reproduce the numbers:\n{models}\n{again}"
        print("e2e: the copied link reproduced the same numbers")
        import_kept_model(driver, models)
        browser_benchmark(driver)
        # A link full of bad parameters.
        driver.get(base + "?steps=abc&sizes=huge&colour=blue&tax_s=2")
        wait_for(driver, "return document.getElementById('notices') !== null", 60, "the notice")
        text = driver.js("return document.getElementById('notices').textContent")
        for p in ["steps", "sizes", "colour", "tax_s"]:
            assert p in text, f"notice does not name {p}: {text}"
        assert driver.js("return document.getElementById('differential') !== null")
        errors = driver.js("return window.__opimpErrors || []")
        assert errors == [], f"errors on the bad link: {errors}"
        print("e2e: bad parameters were named and the page works")
    finally:
        driver.stop()
        chromedriver.terminate()
        server.terminate()
    print("e2e: passed")


if __name__ == "__main__":
    main()

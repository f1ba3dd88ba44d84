#!/usr/bin/env python3
"""Computes the results the site ships: every preset trained by the page
itself (the release build, in headless Chromium, with as many workers as
the browser reports cores), read back from the page's storage and written
to results/PRESET.json (whole or not at all). The files record the engine
and build that computed them; any browser reproduces them bit for bit.

Usage: scripts/ship-results.py [--preset NAME ...] [--no-build] [--dist DIR] [--time-only]

Each run also prints where the workers' time went (the page's own ledger:
training, measuring, idle) and how long the page's thread was busy with
long tasks (redraws and message handling); --time-only prints that and
writes nothing.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from webdriver import SCRIPT_TIMEOUT_S, Served, STORED_MODELS_JS, STORED_RESULTS_JS, WebDriverError, wait_for  # noqa: E402

PRESETS = ["quick", "self", "cross", "impact", "scaling", "no-maintenance", "paper"]
SHARE_PAPERS_MODELS = {"self", "cross", "impact", "scaling"}


def shipped_models(config):
    """The models whose checkpoints ship with a preset's results, for the
    page's look inside a model: one per size, the first seed, trained on n4
    (or the preset's first task). The page's own list is
    `lab::inside::shipped_models`; the end-to-end test fetches one."""
    task = "n4" if "n4" in config["tasks"] else config["tasks"][0]
    return [(size, config["seeds"][0], task) for size in config["sizes"]]


def ship_checkpoints(driver, preset, results, out_dir):
    """Writes the preset's shipped checkpoints (read from the page's
    storage) to results/models/PRESET/, each whole or not at all."""
    import base64
    wanted = shipped_models(results["config"])
    stored = driver.js_async(STORED_MODELS_JS)
    folder = os.path.join(out_dir, "models", preset)
    os.makedirs(folder, exist_ok=True)
    written = 0
    for key, b64 in stored:
        size, seed, task = key.split("/")[1:]
        if (size, int(seed), task) not in wanted:
            continue
        path = os.path.join(folder, f"opimp-{size}-seed{seed}-{task.replace(',', '_')}.opimp")
        tmp = path + f".{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(base64.b64decode(b64))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        written += 1
    if written != len(wanted):
        raise RuntimeError(f"{preset}: {written} of {len(wanted)} shipped checkpoints were in the page's storage")
    return written


def chromium_version():
    try:
        return subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "Chromium"


def time_breakdown(status, long_task_s, page_s, minutes, workers):
    """Where the run's time went: the page's ledger (its Done line) in
    shares and in worker-minutes, the page thread's busy time (which it
    takes from the cores the workers train on) and its long tasks."""
    m = re.search(r"Time: training (\d+)%, measuring (\d+)%, idle (\d+)% of the workers' time", status)
    if not m:
        return f"no time breakdown in the Done line: {status!r}"
    shares = [int(g) for g in m.groups()]
    worker_min = minutes * workers
    parts = ", ".join(f"{name} {p}% ({p * worker_min / 100:.1f} worker-min)"
                      for name, p in zip(["training", "measuring", "idle"], shares))
    return (f"{minutes:.1f} min x {workers} workers: {parts}; the page's thread busy {page_s / 60:.1f} min "
            f"({100 * page_s / 60 / minutes:.0f}% of one core), of it long tasks {long_task_s / 60:.1f} min")


def patiently(read, tries=10):
    """A reading of the page that a thread still busy past WebDriver's
    script timeout answers on a later try: a finished run is not lost to it."""
    for i in range(tries):
        try:
            return read()
        except WebDriverError as e:
            if e.error != "script timeout" or i == tries - 1:
                raise
            print(f"ship: the page's thread is busy; asking again ({i + 1} of {tries})", flush=True)


def ship(served, preset, out_dir, write=True):
    driver = served.driver()
    try:
        driver.get(served.base + f"?preset={preset}")
        wait_for(driver, "return document.getElementById('run') !== null", 60, "the page")
        # (Each session has a fresh profile: the page's storage starts empty.)
        # Wait until the shipped results (if any) have been looked for.
        wait_for(driver, "var p=document.getElementById('provenance');return !p || !p.textContent.startsWith('Loading')", 60, "the shipped results")
        workers = driver.js("return navigator.hardwareConcurrency")
        driver.js("window.__longTasks = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longTasks += e.duration; })"
                  ".observe({type: 'longtask', buffered: false})")
        driver.cdp("Performance.enable", {"timeDomain": "threadTicks"})
        page_start = driver.page_thread_s()
        started = time.time()
        driver.click("#run")
        last = 0
        last_page = (started, page_start)
        stalled = None
        while True:
            # A page thread busy past WebDriver's script timeout must not
            # lose an hours-long run: wait for it, and say how long.
            try:
                state, status, pct, eta = driver.js(
                    "var s=document.getElementById('status');return [s.dataset.state, s.textContent,"
                    "document.getElementById('percent').textContent, document.getElementById('eta').textContent]")
            except WebDriverError as e:
                if e.error != "script timeout":
                    raise
                stalled = stalled or time.time()
                print(f"ship: {preset}: the page's thread has not answered for over {time.time() - stalled + SCRIPT_TIMEOUT_S:.0f} s", flush=True)
                continue
            if stalled:
                print(f"ship: {preset}: the page's thread answered again after over {time.time() - stalled + SCRIPT_TIMEOUT_S:.0f} s", flush=True)
                stalled = None
            if state in ("done", "cancelled"):
                break
            if time.time() - last > 60:
                # The page thread's share of one core since the last line.
                try:
                    now, busy = time.time(), driver.page_thread_s()
                except WebDriverError:  # a busy page answers the next time
                    now, busy = last_page
                share = ""
                if now - last_page[0] >= 10:
                    share = f"; page thread {100 * (busy - last_page[1]) / (now - last_page[0]):.0f}% of a core"
                    last_page = (now, busy)
                print(f"ship: {preset}: {pct} {eta} ({status}){share}", flush=True)
                last = time.time()
            time.sleep(2)
        minutes = (time.time() - started) / 60
        if state != "done" or "fail" in status:
            raise RuntimeError(f"{preset}: the run did not finish cleanly: {status}")
        errors = driver.js("return window.__opimpErrors || []")
        if errors:
            raise RuntimeError(f"{preset}: errors in the page: {errors}")
        long_tasks_s, page_s = patiently(lambda: (driver.js("return window.__longTasks") / 1000, driver.page_thread_s() - page_start))
        print(f"ship: {preset}: where the time went: {time_breakdown(status, long_tasks_s, page_s, minutes, workers)}", flush=True)
        if not write:
            return minutes
        # The page stores each model as it finishes; give the last write a moment.
        time.sleep(2)
        stored = driver.js_async(STORED_RESULTS_JS)
        files = [json.loads(t) for t in stored.get("results", [])]
        if len(files) != 1:
            raise RuntimeError(f"{preset}: expected one stored experiment, found {len(files)}")
        results = files[0]
        expected = driver.js("return document.querySelectorAll('#models-table tbody tr.model').length")
        if len(results["models"]) != expected or results["failures"]:
            raise RuntimeError(f"{preset}: {len(results['models'])} stored models, {expected} in the page, failures {results['failures']}")
        results["provenance"]["engine"] += f" in {chromium_version()}"
        results["provenance"]["note"] = (
            f"the '{preset}' preset trained by the page, {workers} workers, {minutes:.1f} minutes "
            "(scripts/ship-results.py)")
        path = os.path.join(out_dir, f"{preset}.json")
        tmp = path + f".{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump(results, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        # The paper's settings on fewer models share the paper's checkpoint
        # files (the page's rule: lab::inside::shipped_from).
        n = 0 if preset in SHARE_PAPERS_MODELS else ship_checkpoints(driver, preset, results, out_dir)
        print(f"ship: {preset}: {len(results['models'])} models in {minutes:.1f} min with {workers} workers -> {path} (and {n} checkpoints)", flush=True)
        return minutes
    finally:
        driver.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", action="append", choices=PRESETS)
    ap.add_argument("--dist", default=os.path.join(ROOT, "target", "ship-dist"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--time-only", action="store_true", help="time the runs and say where the time went; write nothing")
    args = ap.parse_args()
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(ROOT, "node_modules", ".bin"), os.path.expanduser("~/.cargo/bin"), env["PATH"]])
    if not args.no_build:
        subprocess.run(["trunk", "build", "--release", "--cargo-profile", "web-release", "--dist", args.dist],
                       cwd=ROOT, env=env, check=True)
    served = Served(args.dist)
    times = {}
    try:
        for preset in args.preset or PRESETS:
            times[preset] = ship(served, preset, os.path.join(ROOT, "results"), write=not args.time_only)
    finally:
        served.stop()
    for p, m in times.items():
        print(f"ship: time to Done in the tab: {p} {m:.1f} min")


if __name__ == "__main__":
    main()

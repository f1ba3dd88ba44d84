#!/usr/bin/env python3
"""End-to-end test of the lab as users get it.

Builds the page with Trunk, serves dist/ on loopback, drives headless
Chromium through chromedriver and checks that:
  1. ?preset=quick draws every figure from the results the site ships, at
     once, saying where they came from;
  2. "Reproduce here" trains the preset in the tab and every model equals
     the shipped one bit for bit (so the shipped files are not stale), with
     the page answering clicks while it trains;
  3. the page's own link, in a fresh browser profile, opens the same
     experiment; results and checkpoints survive a reload;
  4. a kept checkpoint, cleared and imported again, is measured to the same
     numbers; a junk file is refused;
  5. the Benchmark button gives a figure per size;
  6. a link full of bad parameters still gives a working page that names
     each one; a teacher's link hides what it names and guides;
  7. a model retrained after Clear keeps its checkpoint, and a second
     experiment's models and checkpoints come back after a reload;
  8. the page opens on the idea: at 1400 px and 360 px, ?preset=paper has
     a plotted figure in its first screen and at most four form controls
     there, and no chart's legend lists more than 12 entries;
  9. the look inside a model draws for a shipped model;
 10. a plain visit never fetches the GPU engine (its gzipped size is
     printed; BENCHMARKS.md has the release build's); engine=gpu where the browser has no WebGPU adapter falls back
     to the CPU with a notice; where it has one (SwiftShader's, with
     --enable-unsafe-webgpu) the engine is offered, and with
     OPIMP_E2E_GPU=1 the quick preset is reproduced on it and marked near
     the shipped numbers, never equal;
 11. axe-core finds no serious or critical accessibility violation, and
     at 360 px and at desktop width nothing scrolls the page sideways
     (screenshots of ?preset=paper, ?preset=quick&guide=1 and the inside
     section at both widths under target/).

Usage: tests/e2e.py [--dist DIR] [--no-build]
"""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from webdriver import Served, STORED_MODELS_JS, STORED_RESULTS_JS, wait_for  # noqa: E402

CHARTS = [
    "chart-headline", "chart-pretrain-loss", "chart-pretrain-acc", "chart-rl", "chart-rl-prediction", "chart-op-theory", "chart-op-predicted",
    "chart-monte-carlo", "chart-cross-n2", "chart-cross-n4", "chart-cross-n6", "chart-imp", "chart-sprime",
    "chart-imp-ratio", "chart-imp-excess", "chart-cmp-op", "chart-cmp-imp", "chart-self-op", "chart-self-imp",
    "chart-success-size", "chart-op-size", "chart-loss-size", "chart-taxonomy", "chart-diff-scalar",
]
MODEL_ROWS = "return Array.from(document.querySelectorAll('#models-table tbody tr.model')).map(r => r.textContent)"


def no_errors(driver, label):
    errors = driver.js("return window.__opimpErrors || []")
    assert errors == [], f"{label}: errors in the page: {errors}"
    severe = [l for l in driver.logs() if l.get("level") == "SEVERE" and "favicon" not in l.get("message", "")]
    assert not severe, f"{label}: console errors: {severe}"


def charts_drawn(driver):
    return driver.js("return arguments[0].every(id => {var e=document.getElementById(id); return e && e.data && e.data.length > 0})", CHARTS)


def shipped_at_once(driver, url):
    started = time.time()
    driver.get(url)
    wait_for(driver, "return document.getElementById('run') !== null", 60, "the page to start")
    interactive = time.time()
    wait_for(driver, "return (document.getElementById('provenance')||{textContent:''}).textContent.startsWith('Shipped results')", 60, "the shipped results")
    wait_for(driver, "return arguments.length >= 0 && " + "(" + json.dumps(CHARTS) + ").every(id => {var e=document.getElementById(id); return e && e.data && e.data.length > 0})", 60, "every chart")
    drawn = time.time()
    shipped = driver.js(MODEL_ROWS)
    assert len(shipped) == 1, f"shipped models: {shipped}"
    text = driver.js("return document.getElementById('provenance').textContent")
    assert "wasm32" in text and "build" in text, text
    assert driver.js("return document.getElementById('run').textContent") == "Reproduce here"
    print(f"e2e: quick preset shows the shipped results: page interactive {interactive - started:.1f} s after opening, "
          f"every figure drawn {drawn - interactive:.1f} s later", flush=True)
    return shipped


def reproduce(driver, label):
    started = time.time()
    # Long tasks on the page's thread while it trains (the redraws' share).
    driver.js("window.__longTasks = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longTasks += e.duration; })"
              ".observe({type: 'longtask', buffered: false})")
    driver.click("#run")
    clicks = []
    while True:
        state = driver.js("return document.getElementById('status').dataset.state")
        if state in ("done", "cancelled"):
            break
        # How long the page takes to handle a click while it trains.
        clicks.append(driver.js("var b=document.getElementById('settings-toggle');var t=performance.now();b.click();b.click();return (performance.now()-t)/2"))
        if time.time() - started > 900:
            raise AssertionError(f"{label}: the run did not finish")
        time.sleep(1)
    status = driver.js("return document.getElementById('status').textContent")
    assert state == "done" and "1 of 1 equal the shipped numbers bit for bit" in status, f"{label}: {status}"
    # The run's time ledger: every worker's time as training, measuring or idle.
    shares = re.search(r"Time: training (\d+)%, measuring (\d+)%, idle (\d+)% of the workers' time", status)
    assert shares, f"{label}: no time breakdown in {status!r}"
    training, measuring, idle = (int(g) for g in shares.groups())
    assert training > 0 and 98 <= training + measuring + idle <= 102, f"{label}: {shares.group(0)}"
    long_tasks = driver.js("return window.__longTasks") / 1000
    print(f"e2e: {label}: workers' time training {training}%, measuring {measuring}%, idle {idle}%; "
          f"long tasks on the page's thread {long_tasks:.1f} s", flush=True)
    marks = driver.js("return Array.from(document.querySelectorAll('#models-table td.repro')).map(c => c.textContent)")
    assert marks == ["= shipped"], f"{label}: {marks}"
    no_errors(driver, label)
    clicks.sort()
    print(f"e2e: {label}: trained in {time.time() - started:.0f} s, every model equal to the shipped one bit for bit; "
          f"a click took {clicks[len(clicks) // 2]:.1f} ms (median), {clicks[-1]:.1f} ms at most over {len(clicks)} clicks", flush=True)
    return driver.js(MODEL_ROWS)


def stored(driver):
    return driver.js_async(STORED_RESULTS_JS).get("results", [])


def kept_model_round_trip(driver, models):
    kept = driver.js_async(STORED_MODELS_JS)
    assert len(kept) == 1, f"kept models: {[k for k, _ in kept]}"
    folder = tempfile.mkdtemp(prefix="opimp-e2e-files-")
    checkpoint = os.path.join(folder, "quick.safetensors")
    with open(checkpoint, "wb") as f:
        f.write(base64.b64decode(kept[0][1]))
    junk = os.path.join(folder, "junk.safetensors")
    with open(junk, "wb") as f:
        f.write(b"this is not a model")
    open_settings(driver)
    driver.click("#clear")
    wait_for(driver, "return document.querySelectorAll('#models-table tbody tr.model').length === 0 || "
             "document.getElementById('run').textContent === 'Reproduce here'", 30, "the results to clear")
    driver.upload("#import-model", junk)
    wait_for(driver, "return (document.getElementById('messages') || {textContent: ''}).textContent.includes('refused')", 60, "the junk file to be refused")
    driver.upload("#import-model", checkpoint)
    wait_for(driver, "return (document.getElementById('messages') || {textContent: ''}).textContent.includes('Imported quick.safetensors')", 120, "the model to be measured")
    again = driver.js(MODEL_ROWS)
    strip = lambda rs: [r.replace("save", "").replace("= shipped", "") for r in rs]
    assert strip(again) == strip(models), f"the imported model measured differently:\n{models}\n{again}"
    shutil.rmtree(folder, ignore_errors=True)
    print("e2e: a junk model file was refused; the kept checkpoint, imported again, measured to the same numbers")


def open_settings(driver):
    if driver.js("return document.getElementById('settings-toggle').getAttribute('aria-expanded')") != "true":
        driver.click("#settings-toggle")


def run_to_done(driver, label, timeout=900):
    started = time.time()
    wait_for(driver, "return document.getElementById('status').dataset.state === 'done'", timeout, f"{label} to finish")
    return time.time() - started


def kept_checkpoints(driver):
    return sorted(k for k, _ in driver.js_async(STORED_MODELS_JS))


def storage_keeps_work(driver, base):
    """Clear, then retrain: the new checkpoint is stored; a second
    experiment's models and checkpoints come back after a reload."""
    driver.get(base + "?preset=quick")
    wait_for(driver, "return document.querySelectorAll('#models-table tbody tr.model').length === 1", 60, "the stored model")
    open_settings(driver)
    driver.click("#clear")
    wait_for(driver, "return (document.getElementById('messages')||{textContent:''}).textContent.includes('cleared')", 30, "the clear")
    assert kept_checkpoints(driver) == [], "Clear left checkpoints in storage"
    driver.click("#run")
    run_to_done(driver, "the retrain after Clear")
    wait_for(driver, "return document.querySelectorAll('#models-table button[aria-label^=\"Save\"]').length === 1", 30, "the retrained model's checkpoint")
    time.sleep(1)
    assert len(kept_checkpoints(driver)) == 1, "a model retrained after Clear did not keep its checkpoint"
    # A second experiment (a short custom one, which its link runs at once).
    custom = base + "?preset=quick&steps=60&rl_steps=20&eval_histories=100"
    driver.get(custom)
    run_to_done(driver, "the custom experiment")
    time.sleep(1)
    assert len(kept_checkpoints(driver)) == 2, kept_checkpoints(driver)
    custom_rows = driver.js(MODEL_ROWS)
    # Away and back, after a reload: its models and its checkpoints are there.
    driver.get(base + "?preset=quick")
    wait_for(driver, "return document.querySelectorAll('#models-table tbody tr.model').length === 1", 60, "the first experiment")
    driver.get(custom)
    wait_for(driver, "return document.querySelectorAll('#models-table button[aria-label^=\"Save\"]').length === 1", 60, "the second experiment's kept model")
    assert driver.js(MODEL_ROWS) == custom_rows
    assert driver.js("return document.getElementById('status').dataset.state") != "running", "the stored experiment ran again"
    print("e2e: a model retrained after Clear kept its checkpoint; a second experiment's models and checkpoint came back after a reload")


def first_screen(served, shots):
    """?preset=paper opens on the idea at 1400 px and 360 px."""
    for width, height in ((1400, 1000), (360, 740)):
        driver = served.driver(width, height)
        try:
            driver.get(served.base + "?preset=paper")
            wait_for(driver, "var e=document.getElementById('chart-headline'); return e && e.data && e.data.length > 1", 90, "the headline figure")
            time.sleep(1)
            top = driver.js("var r=document.getElementById('chart-headline').getBoundingClientRect(); return [r.top, r.bottom, innerHeight]")
            assert top[0] < top[2], f"at {width} px the headline figure starts below the first screen: {top}"
            # Form controls of the page (a chart's own mode bar, plotly's
            # zoom and download buttons, is part of the figure).
            controls = driver.js(
                "return Array.from(document.querySelectorAll('input, select, textarea, button')).filter(e => {"
                "var r=e.getBoundingClientRect(); return !e.closest('.modebar') && r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0})"
                ".map(e => e.id || e.textContent.trim().slice(0, 20))")
            assert len(controls) <= 4, f"at {width} px the first screen has {len(controls)} form controls: {controls}"
            legends = driver.js(
                "return Array.from(document.querySelectorAll('.chart')).filter(c => c.data).map(c => "
                "[c.id, c.querySelectorAll('.legend .traces').length])")
            long = [l for l in legends if l[1] > 12]
            assert not long, f"legends with more than 12 entries: {long}"
            driver.screenshot(os.path.join(shots, f"e2e-paper-{width}px.png"))
            print(f"e2e: at {width} px ?preset=paper opens on the headline figure (top {top[0]:.0f} of {top[2]} px) with "
                  f"{len(controls)} form controls in view ({', '.join(controls)}); the longest of {len(legends)} legends has "
                  f"{max(l[1] for l in legends)} entries", flush=True)
            inside(driver, shots, width)
        finally:
            driver.stop()
        driver = served.driver(width, height)
        try:
            driver.get(served.base + "?preset=quick&guide=1")
            wait_for(driver, "return document.querySelector('section#sequence #guide') !== null", 60, "the guided tour")
            driver.screenshot(os.path.join(shots, f"e2e-guide-{width}px.png"))
        finally:
            driver.stop()


def inside(driver, shots, width):
    """The look inside a shipped model draws."""
    key = "opimp-xl-seed0-n4.safetensors"
    find = "Array.from(document.querySelectorAll('#inside-model option')).find(o => o.dataset.model === arguments[0])".replace("arguments[0]", json.dumps(key))
    wait_for(driver, f"return {find} !== undefined", 30, "the shipped models to pick from")
    driver.js("document.getElementById('inside').scrollIntoView()")
    driver.select("#inside-model", driver.js(f"return {find}.value"))
    wait_for(driver, "return document.getElementById('inside-status').dataset.state === 'ready'", 120, "the look inside the model")
    wait_for(driver, "return ['chart-inside-actions','chart-inside-attention','chart-inside-prediction'].every(id => {var e=document.getElementById(id); return e && e.data && e.data.length > 0})", 30, "the inside charts")
    rows = driver.js("return document.querySelectorAll('#chart-inside-actions-data tbody tr').length")
    assert rows == 8, rows
    driver.js("document.getElementById('inside').scrollIntoView()")
    time.sleep(1)
    driver.screenshot(os.path.join(shots, f"e2e-inside-{width}px.png"))
    said = driver.js("return document.getElementById('inside-status').textContent")
    print(f"e2e: at {width} px the look inside {key} (shipped) drew: {said}")


def benchmark(driver):
    open_settings(driver)
    driver.click("#bench")
    script = ("return Array.from(document.querySelectorAll('#messages li')).map(e => e.textContent)"
              ".filter(t => t.startsWith('Benchmark: size'))")
    wait_for(driver, script.replace("return ", "return (") + ").length >= 4", 600, "the benchmark")
    for line in sorted(set(driver.js(script))):
        assert "ms per step" in line, line
        print(f"e2e: {line}")



def engine_chosen_by_measuring(driver, served):
    """A long run where the browser has a WebGPU adapter (SwiftShader's, a
    CPU emulation): the page times each engine first and keeps the CPU."""
    driver.get(served.base + "?preset=paper")
    wait_for(driver, "return (document.getElementById('provenance')||{textContent:''}).textContent.startsWith('Shipped results')", 60, "the shipped results")
    wait_for(driver, "return document.getElementById('set-engine') !== null", 60, "the adapter")
    started = time.time()
    driver.click("#run")
    said = ("return Array.from(document.querySelectorAll('#messages li')).map(e => e.textContent)"
            ".filter(t => t.startsWith('Engine chosen by measuring'))")
    wait_for(driver, said.replace("return ", "return (") + ").length >= 1", 600, "the engines to be timed")
    line = driver.js(said)[0]
    assert "trains on the CPU" in line, line
    wait_for(driver, "return document.getElementById('status').dataset.state === 'running'", 60, "the run to start on the CPU")
    driver.click("#cancel")
    no_errors(driver, "choosing the engine")
    print(f"e2e: before the paper preset's run the page timed both engines in {time.time() - started:.0f} s and kept the CPU: {line}", flush=True)


def first_load_and_engines(served, dist):
    """What a first visit fetches, and the engine choice with and without WebGPU."""
    import gzip
    driver = served.driver()
    try:
        # A plain visit: what it fetches (a worker's own script and wasm
        # are fetched by the worker, so they are counted from its loader).
        driver.get(served.base + "?preset=quick")
        wait_for(driver, "return (document.getElementById('provenance')||{textContent:''}).textContent.startsWith('Shipped results')", 60, "the shipped results")
        wait_for(driver, "return performance.getEntriesByType('resource').some(e => e.name.includes('worker_loader.js'))", 60, "the workers")
        names = driver.js("return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name))")
        paths = []
        for name in names:
            path = name.split("?")[0].split("#")[0].replace(served.base, "").strip("/") or "index.html"
            if path.endswith("_loader.js"):
                stem = path[: -len("_loader.js")]
                paths += [f"{stem}.js", f"{stem}_bg.wasm"]
            paths.append(path)
        total, files = 0, []
        for path in sorted(set(paths)):
            full = os.path.join(dist, path)
            if os.path.isfile(full):
                with open(full, "rb") as f:
                    size = len(gzip.compress(f.read(), 9))
                total += size
                files.append((path, size))
        assert any(p == "worker_bg.wasm" for p, _ in files), f"the CPU worker's wasm was not counted: {files}"
        assert not any("worker_gpu" in p for p, _ in files), f"a plain visit fetched the GPU engine: {files}"
        print(f"e2e: a plain visit fetches {len(files)} files, {total / 1e6:.2f} MB gzipped in this (debug) build, "
              f"the GPU engine not among them", flush=True)
        # The GPU engine asked for where the browser has no WebGPU adapter.
        driver.get(served.base + "?preset=quick&engine=gpu")
        said = ("return Array.from(document.querySelectorAll('#messages li')).map(e => e.textContent)"
                ".filter(t => t.startsWith('engine=gpu:'))")
        wait_for(driver, said.replace("return ", "return (") + ").length >= 1", 60, "the notice that the GPU engine cannot run")
        notice = driver.js(said)[0]
        assert "CPU instead" in notice, notice
        time.sleep(2)
        assert "engine" not in driver.js("return location.search"), "the link still asks for the GPU"
        assert driver.js("return document.getElementById('set-engine') === null"), "the engine is offered without an adapter"
        no_errors(driver, "engine=gpu without an adapter")
        print(f"e2e: without WebGPU, engine=gpu fell back to the CPU: {notice}", flush=True)
    finally:
        driver.stop()
    driver = served.driver(extra_args=["--enable-unsafe-webgpu"])
    try:
        driver.get(served.base + "?preset=quick")
        wait_for(driver, "return document.getElementById('set-engine') !== null", 60, "the engine offered with SwiftShader's WebGPU")
        hint = driver.js("return document.getElementById('hint-engine').textContent")
        print(f"e2e: with a WebGPU adapter the engine is offered: {hint[:80]}…", flush=True)
        engine_chosen_by_measuring(driver, served)
        if os.environ.get("OPIMP_E2E_GPU") != "1":
            return
        wait_for(driver, "return (document.getElementById('provenance')||{textContent:''}).textContent.startsWith('Shipped results')", 60, "the shipped results")
        driver.select("#set-engine", "gpu")
        wait_for(driver, "return location.search.includes('engine=gpu')", 10, "the link to say engine=gpu")
        started = time.time()
        driver.click("#run")
        wait_for(driver, "return ['done', 'cancelled'].includes(document.getElementById('status').dataset.state)", 3600, "the run on the GPU engine")
        status = driver.js("return document.getElementById('status').textContent")
        marks = driver.js("return Array.from(document.querySelectorAll('#models-table td.repro')).map(c => c.textContent)")
        assert len(marks) == 1 and marks[0].startswith("≈ shipped"), f"{status}: {marks}"
        no_errors(driver, "the GPU engine")
        print(f"e2e: the quick preset trained on the GPU engine (SwiftShader) in {time.time() - started:.0f} s: {marks[0]}; {status}", flush=True)
    finally:
        driver.stop()


CHARTS_FIT_JS = """
return Array.from(document.querySelectorAll('.chart')).flatMap(c => {
  const box = c.getBoundingClientRect(), bad = [];
  const o = getComputedStyle(c).overflowX;
  if ((o === 'auto' || o === 'scroll') && c.scrollWidth > c.clientWidth) bad.push(c.id + ': scrolls sideways');
  const svg = c.querySelector('.main-svg');
  if (svg && svg.getBoundingClientRect().width > box.width + 2) bad.push(c.id + ': drawn ' + svg.getBoundingClientRect().width + ' px wide in a ' + box.width + ' px box');
  const title = c.querySelector('.gtitle');
  if (title) {
    const t = title.getBoundingClientRect();
    if (t.width > 0 && (t.left < box.left - 1 || t.right > box.right + 1)) bad.push(c.id + ': title "' + title.textContent + '" runs past its box');
  }
  // The legend under the plot never covers an x axis title.
  const lg = c.querySelector('.legend');
  if (lg) {
    const b = lg.getBoundingClientRect();
    c.querySelectorAll('.xtitle, .x2title, .x3title').forEach(x => {
      const a = x.getBoundingClientRect();
      if (a.width > 0 && b.width > 0 && a.bottom > b.top + 1 && a.top < b.bottom - 1 && a.right > b.left && a.left < b.right)
        bad.push(c.id + ': the legend covers the x axis title "' + x.textContent + '"');
    });
  }
  return bad;
});
"""


def charts_fit(driver, width):
    """Every chart card fits its box: no sideways scroll, the drawing no
    wider than the box, the title inside it (a long title wraps), the
    legend clear of the x axis title."""
    bad = driver.js(CHARTS_FIT_JS)
    assert not bad, f"at {width} px: {bad}"
    n = driver.js("return document.querySelectorAll('.chart .main-svg').length")
    print(f"e2e: at {width} px all {n} charts fit their boxes, titles included", flush=True)


def accessibility_and_widths(served, url, shots):
    axe = open(os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")).read()
    for width in (360, 1400):
        driver = served.driver(width, 900)
        try:
            driver.get(url)
            wait_for(driver, "return document.getElementById('run') !== null", 60, "the page")
            wait_for(driver, "return (document.getElementById('provenance')||{textContent:''}).textContent.startsWith('Shipped results')", 60, "the shipped results")
            wait_for(driver, "return document.querySelectorAll('.chart .main-svg').length >= 10", 60, "the charts")
            time.sleep(2)
            wide = driver.js("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert wide[0] <= wide[1], f"at {width} px the page scrolls sideways: {wide}"
            charts_fit(driver, width)
            driver.screenshot(os.path.join(shots, f"e2e-{width}px.png"))
            driver.js(axe)
            report = driver.js_async("const done = arguments[arguments.length - 1];"
                                     "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => "
                                     "[v.id, v.impact, v.nodes.length, v.nodes.slice(0, 2).map(n => n.target.join(' '))])))")
            bad = [v for v in report if v[1] in ("serious", "critical")]
            assert not bad, f"accessibility at {width} px: {bad}"
            print(f"e2e: at {width} px no sideways scroll; axe-core: {len(report)} minor or moderate issue(s), none serious or critical")
        finally:
            driver.stop()


def teaching_link(driver, base):
    driver.get(base + "?preset=quick&hide=differential,files&guide=1")
    wait_for(driver, "return document.getElementById('guide') !== null", 60, "the guided tour")
    shown = driver.js("return Array.from(document.querySelectorAll('main > section')).map(s => s.id)")
    assert shown == ["sequence"], shown
    assert driver.js("return document.querySelector('section#sequence #guide') !== null"), "the guide's bar is not in the section it walks"
    assert driver.js("return document.getElementById('import') === null && document.getElementById('run') !== null")
    driver.click("#guide-next")
    wait_for(driver, "return document.getElementById('pretraining') !== null && document.getElementById('sequence') === null", 10, "the next section")
    assert driver.js("return document.getElementById('differential') === null")
    print("e2e: a teacher's link hid the sections and controls it named and walked through the sections one at a time")


def cli_computes_the_shipped_quick_preset(dist):
    """`opimp sweep --engine wasm` runs this page's own CPU worker in Node.js:
    the quick preset it computes equals results/quick.json bit for bit."""
    opimp = os.path.join(ROOT, "target", "debug", "opimp")
    if not os.path.exists(opimp):
        subprocess.run(["cargo", "build", "--locked", "--bin", "opimp"], cwd=ROOT, check=True)
    out = os.path.join(ROOT, "target", "e2e-quick-wasm.json")
    if os.path.exists(out):
        os.remove(out)
    started = time.time()
    subprocess.run([opimp, "sweep", "--preset", "quick", "--engine", "wasm", "--worker", dist, "--out", out],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    mine, shipped = (json.load(open(p)) for p in (out, os.path.join(ROOT, "results", "quick.json")))
    for part in ["config", "baseline", "models", "scripted", "curves", "failures"]:
        assert mine[part] == shipped[part], f"the wasm CLI's quick preset differs from results/quick.json in its {part}"
    for field in ["engine", "build"]:
        assert mine["provenance"][field] == shipped["provenance"][field], f"{field}: {mine['provenance'][field]} vs {shipped['provenance'][field]}"
    print(f"e2e: opimp sweep --engine wasm computed the quick preset in Node.js in {time.time() - started:.0f} s, "
          f"equal to results/quick.json bit for bit ({len(mine['models'])} model(s), every curve)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", default=os.path.join(ROOT, "target", "e2e-dist"))
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    env = dict(os.environ)
    env["PATH"] = os.path.join(ROOT, "node_modules", ".bin") + os.pathsep + env["PATH"]
    if not args.no_build:
        print("e2e: building the page with trunk", flush=True)
        subprocess.run(["trunk", "build", "--dist", args.dist], cwd=ROOT, env=env, check=True)
    cli_computes_the_shipped_quick_preset(args.dist)
    served = Served(args.dist)
    shots = os.path.join(ROOT, "target")
    os.makedirs(shots, exist_ok=True)
    url = served.base + "?preset=quick"
    try:
        driver = served.driver()
        shipped = shipped_at_once(driver, url)
        models = reproduce(driver, "reproduce here")
        assert [r.replace("= shipped", "").replace("save", "") for r in models] == \
               [r.replace("shipped", "") for r in shipped], f"{models} vs {shipped}"
        link = driver.js("return location.href")
        driver.screenshot(os.path.join(shots, "e2e-quick.png"))
        # Results and checkpoints survive a reload.
        driver.get(link)
        wait_for(driver, "return document.querySelectorAll('#models-table td.repro.equal').length === 1", 60, "the stored results after a reload")
        assert len(stored(driver)) == 1
        kept_model_round_trip(driver, models)
        benchmark(driver)
        # A link full of bad parameters.
        driver.get(served.base + "?steps=abc&sizes=huge&colour=blue&tax_s=2")
        wait_for(driver, "return document.getElementById('notices') !== null", 60, "the notice")
        text = driver.js("return document.getElementById('notices').textContent")
        for p in ["steps", "sizes", "colour", "tax_s"]:
            assert p in text, f"notice does not name {p}: {text}"
        assert driver.js("return document.getElementById('differential') !== null")
        no_errors(driver, "bad link")
        print("e2e: bad parameters were named and the page works")
        teaching_link(driver, served.base)
        storage_keeps_work(driver, served.base)
        driver.stop()
        # The copied link in a fresh profile: the same experiment, shipped.
        driver = served.driver()
        again = shipped_at_once(driver, link)
        assert again == shipped
        driver.stop()
        first_screen(served, shots)
        first_load_and_engines(served, args.dist)
        accessibility_and_widths(served, served.base + "?preset=paper", shots)
    finally:
        driver.stop()
        served.stop()
    print("e2e: passed")


if __name__ == "__main__":
    main()

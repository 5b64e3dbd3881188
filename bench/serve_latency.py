#!/usr/bin/env python3
"""Edit-to-served latency of `petitio serve` (issue 5), on a copy of a synthetic site.

serve_latency.py --petitio BIN --site DIR --port P [--reps 5] [--kinds content,template,config]
                 [--out serve.tsv]

Starts `petitio --root DIR serve --port P` (127.0.0.1 only), waits for the first page,
then for each kind of edit, REPS times:
  content   appends a unique line to one petition's index.kk.md
  template  inserts a unique hidden paragraph into themes/default/templates/petition.html
  config    puts a unique word into [title] en of petitio.toml
and measures the time from just before the file is written to the moment the changed
page, fetched over HTTP every 5 ms, contains the new text. Waits 1 s between edits.
Writes rows "kind rep seconds" and prints medians. A response cut short (a page served
while it was being rewritten) is counted and reported as a torn read: there should be none.
Stops the server it started.
"""
import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

POLL = 0.005
TIMEOUT = 120.0
torn_reads = 0


def fetch(url):
    global torn_reads
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except http.client.IncompleteRead:
        torn_reads += 1
        return 0, ""
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0, ""


def wait_for(url, marker, t0, proc):
    while True:
        status, body = fetch(url)
        if status == 200 and (marker is None or marker in body):
            return time.perf_counter() - t0
        if proc.poll() is not None:
            sys.exit("petitio serve exited (code %s); see its log" % proc.returncode)
        if time.perf_counter() - t0 > TIMEOUT:
            sys.exit("timed out after %.0f s waiting for %r at %s" % (TIMEOUT, marker, url))
        time.sleep(POLL)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--petitio", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--port", type=int, default=18181)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--kinds", default="content,template,config")
    ap.add_argument("--out", default="serve.tsv")
    a = ap.parse_args()
    site = os.path.abspath(a.site)
    base = "http://127.0.0.1:%d" % a.port

    slugs = sorted(os.listdir(os.path.join(site, "content", "petitions")))
    slug = slugs[len(slugs) // 2]
    petition_md = os.path.join(site, "content", "petitions", slug, "index.kk.md")
    template = os.path.join(site, "themes", "default", "templates", "petition.html")
    config = os.path.join(site, "petitio.toml")
    for path in (petition_md, template, config):
        if not os.path.realpath(path).startswith(os.path.realpath(site) + os.sep):
            sys.exit("%s leads outside %s (a link?): copy it into the site, the edits would "
                     "change the original" % (path, site))
    kk_url = "%s/kk/petitions/%s/" % (base, slug)
    en_url = "%s/en/petitions/%s/" % (base, slug)

    log = open(os.path.join(os.path.dirname(site), "serve-server.log"), "w")
    t0 = time.perf_counter()
    proc = subprocess.Popen([a.petitio, "--root", site, "serve", "--port", str(a.port)],
                            cwd=site, stdout=log, stderr=subprocess.STDOUT)
    rows = []
    try:
        first = wait_for(kk_url, None, t0, proc)
        print("serve: first page of %d petitions served %.2f s after start" % (len(slugs), first),
              file=sys.stderr)
        rows.append(("startup", 0, first))
        time.sleep(2)

        md = open(petition_md, encoding="utf-8").read()
        tpl = open(template, encoding="utf-8").read()
        cfg = open(config, encoding="utf-8").read()
        if "{% block content %}" not in tpl:
            sys.exit("no {% block content %} in %s" % template)
        m = re.search(r'^(\[title\][^\[]*?^en = ")', cfg, re.M | re.S)
        if not m:
            sys.exit("no [title] en in %s" % config)

        def edit_content(k, mark):
            write(petition_md, md + "\n" + mark + "\n")

        def edit_template(k, mark):
            write(template, tpl.replace("{% block content %}",
                                        '{% block content %}<p hidden>' + mark + '</p>', 1))

        def edit_config(k, mark):
            write(config, cfg[:m.end()] + mark + " " + cfg[m.end():])

        kinds = a.kinds.split(",")
        for kind, edit, url in (("content", edit_content, kk_url),
                                ("template", edit_template, kk_url),
                                ("config", edit_config, en_url)):
            if kind not in kinds:
                continue
            for k in range(1, a.reps + 1):
                mark = "BENCHEDIT%s%d%d" % (kind, k, int(time.time() * 1000) % 100000)
                t0 = time.perf_counter()
                edit(k, mark)
                dt = wait_for(url, mark, t0, proc)
                rows.append((kind, k, dt))
                print("serve: %s edit %d: %.3f s" % (kind, k, dt), file=sys.stderr)
                time.sleep(1.0)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()

    with open(a.out, "w") as f:
        f.write("kind\trep\tseconds\n")
        for kind, k, dt in rows:
            f.write("%s\t%d\t%.4f\n" % (kind, k, dt))
    print("serve: torn reads (a page cut short while being rewritten): %d" % torn_reads,
          file=sys.stderr)
    for kind in a.kinds.split(","):
        xs = [dt for kd, _, dt in rows if kd == kind]
        print("serve: %s edits: median %.3f s (min %.3f, max %.3f, n=%d)"
              % (kind, statistics.median(xs), min(xs), max(xs), len(xs)), file=sys.stderr)


if __name__ == "__main__":
    main()

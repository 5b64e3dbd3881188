#!/usr/bin/env python3
"""Summarises one bench/run results folder as Markdown: summarize.py RESULTS_DIR."""
import csv
import os
import statistics
import sys

res = sys.argv[1]


def rows(name):
    path = os.path.join(res, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def med(xs):
    return statistics.median(xs) if xs else float("nan")


out = []
p = out.append

machine = os.path.join(res, "machine.tsv")
if os.path.exists(machine):
    p("## Machine and versions\n")
    p("| | |\n|---|---|")
    for line in open(machine, encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("\t")
        p("| %s | %s |" % (k, v))
    p("")

builds = rows("builds.tsv")
if builds:
    p("## Builds: Hugo and petitio on the same Markdown, fresh output folders\n")
    p("Medians over the timed runs (warm-up runs excluded). CPU = user + sys. "
      "Petition pages = 3 N (one per petition and language).\n")
    p("| N | tool | runs | wall s (min–max) | CPU s | peak RSS MiB | HTML files | output MB "
      "| petition pages/s | HTML files/s |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    stats = {}
    for n in sorted({int(r["n"]) for r in builds}):
        for tool in ("hugo", "petitio", "baseline"):
            rs = [r for r in builds if int(r["n"]) == n and r["tool"] == tool]
            if not rs:
                continue
            wall = [float(r["wall_s"]) for r in rs]
            cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
            rss = [int(r["maxrss_kb"]) / 1024 for r in rs]
            html = int(med([int(r["html_files"]) for r in rs]))
            mb = med([int(r["out_bytes"]) for r in rs]) / 1e6
            s = dict(wall=med(wall), cpu=med(cpu), rss=med(rss), html=html, mb=mb,
                     pps=3 * n / med(wall), hps=html / med(wall), runs=len(rs))
            stats[(n, tool)] = s
            p("| %d | %s | %d | %.2f (%.2f–%.2f) | %.2f | %.0f | %d | %.0f | %.0f | %.0f |" % (
                n, tool, len(rs), s["wall"], min(wall), max(wall), s["cpu"], s["rss"], html,
                mb, s["pps"], s["hps"]))
    p("")
    ns = sorted({n for n, _ in stats})
    if any((n, "petitio") in stats and (n, "hugo") in stats for n in ns):
        p("### Ratios petitio / Hugo (medians of the same run)\n")
        p("| N | wall | CPU | peak RSS | petition pages/s |")
        p("|---|---|---|---|---|")
        for n in ns:
            if (n, "petitio") in stats and (n, "hugo") in stats:
                a, b = stats[(n, "petitio")], stats[(n, "hugo")]
                p("| %d | %.2f | %.2f | %.2f | %.2f |" % (
                    n, a["wall"] / b["wall"], a["cpu"] / b["cpu"], a["rss"] / b["rss"],
                    a["pps"] / b["pps"]))
        p("")
        if (10000, "petitio") in stats and (10000, "hugo") in stats:
            a, b = stats[(10000, "petitio")], stats[(10000, "hugo")]
            p("Targets at 10,000 petitions x 3 languages: pages/s at least 2x Hugo's: "
              "**%.2fx (%s)**; peak memory at most 1/5 of Hugo's: **%.2f (%s)**.\n" % (
                  a["pps"] / b["pps"], "met" if a["pps"] >= 2 * b["pps"] else "not met",
                  a["rss"] / b["rss"], "met" if a["rss"] <= b["rss"] / 5 else "not met"))
    if any((n, "baseline") in stats for n in ns):
        p("### This change against the baseline binary (medians of the same run)\n")
        p("| N | wall petitio / baseline | CPU | peak RSS |")
        p("|---|---|---|---|")
        for n in ns:
            if (n, "petitio") in stats and (n, "baseline") in stats:
                a, b = stats[(n, "petitio")], stats[(n, "baseline")]
                p("| %d | %.3f | %.3f | %.3f |" % (
                    n, a["wall"] / b["wall"], a["cpu"] / b["cpu"], a["rss"] / b["rss"]))
        p("")
    p("### Linearity: median wall time per 1,000 petitions\n")
    p("| tool | " + " | ".join("N=%d" % n for n in ns) + " | t(10k)/t(1k) (10 = linear) "
      "| t(30k)/t(10k) (3 = linear) |")
    p("|---|" + "---|" * (len(ns) + 2))
    for tool in ("hugo", "petitio"):
        if not any((n, tool) in stats for n in ns):
            continue
        cells = ["%.3f s" % (stats[(n, tool)]["wall"] / n * 1000) if (n, tool) in stats else "–"
                 for n in ns]

        def ratio(x, y):
            if (x, tool) in stats and (y, tool) in stats:
                return "%.2f" % (stats[(x, tool)]["wall"] / stats[(y, tool)]["wall"])
            return "–"
        p("| %s | %s | %s | %s |" % (tool, " | ".join(cells), ratio(10000, 1000),
                                      ratio(30000, 10000)))
    p("")

err = os.path.join(res, "petitio-errors.txt")
if os.path.exists(err):
    p("## petitio build failures\n\n```\n" + open(err, encoding="utf-8").read() + "```\n")

serve = rows("serve.tsv")
if serve:
    p("## petitio serve: edit saved -> changed page served\n")
    p("| edit | n | median s | min s | max s |")
    p("|---|---|---|---|---|")
    for kind in ("startup", "content", "template", "config"):
        xs = [float(r["seconds"]) for r in serve if r["kind"] == kind]
        if xs:
            p("| %s | %d | %.3f | %.3f | %.3f |" % (kind, len(xs), med(xs), min(xs), max(xs)))
    p("")

sizes = rows("sizes.tsv")
if sizes:
    p("## Worker bundle sizes\n")
    p("| worker | file | raw bytes | gzip -9 bytes |")
    p("|---|---|---|---|")
    for r in sizes:
        p("| %s | %s | %s | %s |" % (r["worker"], r["file"], r["raw_bytes"], r["gzip9_bytes"]))
    p("")

worker = rows("worker.tsv")
if worker:
    p("## Worker in workerd (wrangler dev, 127.0.0.1, wrk), alternating rounds\n")
    p("Every round runs each load once. Medians over the rounds; CPU per request of the "
      "measured worker's wrangler tree (all) and of its workerd only.\n")
    p("| load | rounds | requests (sum) | req/s (min–max) | p50 ms | p99 ms | non-2xx "
      "| socket errors | CPU ms/req (all) | CPU ms/req (workerd) |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    labels = []
    for r in worker:
        if r["label"] not in labels:
            labels.append(r["label"])
    rps = {}
    for label in labels:
        rs = [r for r in worker if r["label"] == label]
        f = lambda k: [float(r[k]) for r in rs]
        rps[label] = med(f("req_per_s"))
        p("| %s | %d | %d | %.0f (%.0f–%.0f) | %.1f | %.1f | %d | %d | %.2f | %.2f |" % (
            label, len(rs), sum(int(r["requests"]) for r in rs), rps[label],
            min(f("req_per_s")), max(f("req_per_s")), med(f("p50_ms")), med(f("p99_ms")),
            sum(int(r["non2xx"]) for r in rs), sum(int(r["errors"]) for r in rs),
            med(f("cpu_ms_per_req")), med(f("workerd_cpu_ms_per_req"))))
    p("")
    counted = os.path.join(res, "worker-counted.tsv")
    if os.path.exists(counted):
        c = dict(line.rstrip("\n").split("\t") for line in open(counted, encoding="utf-8"))
        p("Signatures answered 201 during the signing rounds: %s; published by the counting job "
          "afterwards: %s (may exceed the answered ones by the requests in flight when wrk "
          "stopped, at most %s).\n" % (c["answered_201"], c["published"], c["in_flight_max"]))
    pairs = [("sign", "noop"), ("sign", "noop-as-kv-post"), ("sign-no-storage", "noop"),
             ("sign-no-storage", "noop-as"), ("counts", "noop"),
             ("counts", "noop-as"), ("count-one", "noop"), ("count-one", "noop-as")]
    pairs = [(a, b) for a, b in pairs if a in rps and b in rps]
    if pairs:
        p("| ratio of median req/s | value |\n|---|---|")
        for a, b in pairs:
            p("| %s / %s | %.2f |" % (a, b, rps[a] / rps[b]))
        p("")

for name, title in (("perf-dso.txt", "Profile: by binary"),
                    ("perf-symbols.txt", "Profile: top symbols (self time)"),
                    ("perf-children.txt", "Profile: inclusive time")):
    path = os.path.join(res, name)
    if os.path.exists(path):
        p("## %s\n\n```\n%s```\n" % (title, open(path, encoding="utf-8").read()))

print("\n".join(out))

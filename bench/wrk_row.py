#!/usr/bin/env python3
"""One TSV row from a wrk --latency report plus the server's CPU ticks during the run.

wrk_row.py LABEL WRK_OUTPUT CPU_TICKS WORKERD_TICKS CLK_TCK
-> label requests seconds req_per_s p50_ms p99_ms non2xx errors (non2xx: responses with a
   status other than expected: non-2xx, or for sign.lua anything but 201) cpu_s cpu_ms_per_req
   workerd_cpu_s workerd_cpu_ms_per_req   (cpu: wrangler's whole process tree; workerd: only
   the workerd processes in it)
"""
import re
import sys

label, path = sys.argv[1], sys.argv[2]
ticks, wticks, hz = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
text = open(path, encoding="utf-8", errors="replace").read()


def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s)
    if not m:
        return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]


def pct(p):
    m = re.search(r"^\s+%s%%\s+(\S+)" % p, text, re.M)
    return ms(m.group(1)) if m else float("nan")


m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", text)
req = int(m.group(1)) if m else 0
secs = float(m.group(2)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[m.group(3)] if m else float("nan")
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
# sign.lua also counts 2xx answers other than the 201 every new signature must get.
unexpected = re.search(r"Unexpected statuses: (\d+)", text)
errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
cpu = ticks / hz
wcpu = wticks / hz
print("\t".join([
    label, str(req), "%.2f" % secs, rps.group(1) if rps else "nan",
    "%.2f" % pct(50), "%.2f" % pct(99),
    unexpected.group(1) if unexpected else (non2xx.group(1) if non2xx else "0"),
    str(sum(int(x) for x in errs.groups())) if errs else "0",
    "%.2f" % cpu, "%.3f" % (1000 * cpu / req) if req else "nan",
    "%.2f" % wcpu, "%.3f" % (1000 * wcpu / req) if req else "nan",
]))

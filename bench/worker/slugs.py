#!/usr/bin/env python3
"""Prints the slugs of petitions that accept signatures today, from a built site's
_petitio/manifest.json (status "open" and a deadline not yet passed, site time UTC+5)."""
import datetime as dt
import json
import os
import sys

dist = sys.argv[1]
with open(os.path.join(dist, "_petitio", "manifest.json"), encoding="utf-8") as f:
    manifest = json.load(f)
today = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=5)).date().isoformat()
slugs = [p["slug"] for p in manifest["petitions"]
         if p["status"] == "open" and (p.get("deadline") is None or p["deadline"] >= today)]
if not slugs:
    sys.exit("no open petition in the manifest")
print("\n".join(slugs))
print("%d open petitions" % len(slugs), file=sys.stderr)

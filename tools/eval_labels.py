#!/usr/bin/env python3
"""Score otsentry's baseline alerts against a labelled attack capture.

Learns on the capture up to shortly before the first labelled attack
(--learn-for), detects on the rest, and matches every baseline alert
(gid 2) against the labelled attack windows:

  detected      labelled attacks with at least one alert inside their
                window (widened by --slack seconds on both sides)
  false alarms  alerts outside every widened window

Usage: eval_labels.py OTSENTRY CAPTURE LABELS.csv [--slack S] [--json]

The labels file has columns start_utc,end_utc,event (UTC times,
"YYYY-MM-DD HH:MM:SS.ffffff").
"""
import argparse
import csv
import datetime as dt
import json
import subprocess
import sys


def utc(s):
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f").replace(
        tzinfo=dt.timezone.utc).timestamp()


def first_packet_time(otsentry, capture):
    out = subprocess.run([otsentry, "-r", capture, "-q", "--no-log", "all",
                          "--no-anomaly-log"], capture_output=True, text=True,
                         check=False).stdout
    first = None
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event_type") == "flow":
            t = dt.datetime.strptime(ev["flow"]["start"][:26],
                                     "%Y-%m-%dT%H:%M:%S.%f").replace(
                tzinfo=dt.timezone.utc).timestamp()
            first = t if first is None else min(first, t)
    return first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("otsentry")
    ap.add_argument("capture")
    ap.add_argument("labels")
    ap.add_argument("--slack", type=float, default=30.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    with open(a.labels, newline="") as fp:
        labels = [(utc(r["start_utc"]), utc(r["end_utc"]), r["event"])
                  for r in csv.DictReader(fp)]
    labels.sort()
    t0 = first_packet_time(a.otsentry, a.capture)
    learn = max(1.0, labels[0][0] - t0 - a.slack)
    out = subprocess.run([a.otsentry, "-r", a.capture, "-q", "--no-log", "all",
                          "--no-anomaly-log", "--no-flow-log", "--learn-for",
                          str(int(learn))], capture_output=True, text=True,
                         check=False).stdout
    alerts = []
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event_type") != "alert" or ev["alert"].get("gid") != 2:
            continue
        t = dt.datetime.strptime(ev["timestamp"][:26], "%Y-%m-%dT%H:%M:%S.%f")
        t = t.replace(tzinfo=dt.timezone.utc).timestamp()
        alerts.append((t, ev["alert"]["metadata"].get("kind", ["?"])))
    hit = []
    for s, e, name in labels:
        kinds = sorted({str(k) for t, k in alerts
                        if s - a.slack <= t <= e + a.slack})
        hit.append((name, bool(kinds), kinds))
    false_alarms = [(t, k) for t, k in alerts
                    if not any(s - a.slack <= t <= e + a.slack
                               for s, e, _ in labels)]
    res = {"capture": a.capture, "learn_seconds": int(learn),
           "attacks": len(labels), "detected": sum(1 for h in hit if h[1]),
           "alerts": len(alerts), "false_alarms": len(false_alarms),
           "per_attack": hit,
           "false_alarm_kinds": sorted({str(k) for _, k in false_alarms})}
    if a.json:
        print(json.dumps(res))
    else:
        print("%s: learned %d s; %d/%d attacks detected; %d alerts, %d false alarms"
              % (a.capture, res["learn_seconds"], res["detected"],
                 res["attacks"], res["alerts"], res["false_alarms"]))
        for name, ok, kinds in hit:
            print("  %-8s %s %s" % ("DETECTED" if ok else "missed", name,
                                   ",".join(kinds)))
        if false_alarms:
            print("  false alarm kinds: %s" % ", ".join(res["false_alarm_kinds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

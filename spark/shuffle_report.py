"""Sums a Spark event log per stage: shuffle bytes written and read, records,
task time, and the peak JVM heap and process RSS the executors reported.

    python spark/shuffle_report.py EVENT_LOG (a file, or Spark 4's eventlog_v2_* directory)

Run the job with --conf spark.eventLog.enabled=true --conf
spark.eventLog.dir=DIR --conf spark.eventLog.logStageExecutorMetrics=true.
"""

import glob
import json
import os
import subprocess
import sys
from collections import defaultdict


def lines_of(path):
    """An event log file's lines (zstd through the `zstd` tool; or run the
    job with --conf spark.eventLog.compress=false)."""
    if path.endswith(".zstd"):
        out = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
        return out.decode().splitlines()
    return open(path, encoding="utf-8")


def main(path):
    names, jobs = {}, {}
    stage_job = {}
    w = defaultdict(int)
    r = defaultdict(int)
    recs = defaultdict(int)
    run_ms = defaultdict(int)
    peak = defaultdict(int)
    paths = [path]
    if os.path.isdir(path):  # Spark 4 writes a directory of rolled files
        paths = sorted(glob.glob(os.path.join(path, "events_*")),
                       key=lambda p: int(os.path.basename(p).split("_")[1]))
    for line in (ln for p in paths for ln in lines_of(p)):
        if True:
            e = json.loads(line)
            kind = e["Event"]
            if kind == "SparkListenerJobStart":
                group = (e.get("Properties") or {}).get("spark.jobGroup.id", "")
                for s in e.get("Stage IDs", []):
                    stage_job[s] = group
            elif kind == "SparkListenerStageSubmitted":
                info = e["Stage Info"]
                names[info["Stage ID"]] = info["Stage Name"]
            elif kind == "SparkListenerTaskEnd":
                s = e["Stage ID"]
                m = e.get("Task Metrics") or {}
                sw = m.get("Shuffle Write Metrics") or {}
                sr = m.get("Shuffle Read Metrics") or {}
                w[s] += sw.get("Shuffle Bytes Written", 0)
                recs[s] += sw.get("Shuffle Records Written", 0)
                r[s] += sr.get("Remote Bytes Read", 0) + sr.get("Local Bytes Read", 0)
                run_ms[s] += m.get("Executor Run Time", 0)
            elif kind == "SparkListenerStageExecutorMetrics":
                s = e["Stage ID"]
                metrics = e.get("Executor Metrics") or {}
                peak[s] = max(peak[s], metrics.get("JVMHeapMemory", 0))
    total_w = 0
    print(f"{'stage':>5} {'group':<11} {'shuffle write MB':>16} {'records M':>9} "
          f"{'shuffle read MB':>15} {'task s':>7} {'peak heap MB':>12}  name")
    for s in sorted(set(names) | set(w)):
        total_w += w[s]
        print(f"{s:>5} {stage_job.get(s, ''):<11} {w[s] / 1e6:>16.1f} {recs[s] / 1e6:>9.2f} "
              f"{r[s] / 1e6:>15.1f} {run_ms[s] / 1e3:>7.1f} {peak[s] / 1e6:>12.0f}  "
              f"{names.get(s, '')[:60]}")
    by_group = defaultdict(int)
    for s, b in w.items():
        by_group[stage_job.get(s, "")] += b
    print("shuffle write by job group (MB): " + ", ".join(
        f"{g or '-'} {b / 1e6:.1f}" for g, b in sorted(by_group.items(), key=lambda x: -x[1])))
    print(f"total shuffle write: {total_w / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1])

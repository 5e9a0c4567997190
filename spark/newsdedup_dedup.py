"""newsdedup's dedup job on Apache Spark: the same cleaned corpus and removal
report as `newsdedup dedup --shardable` with the same flags, byte for byte.

    spark-submit spark/newsdedup_dedup.py INPUT... OUTPUT [flags]

INPUT: plain JSON Lines files (named as `dedup` is given them: the names go
into the report). OUTPUT: a directory; the job writes OUTPUT/cleaned.jsonl and
OUTPUT/removed.jsonl (removed copies and rejected records, in input order).

The Rust binary does the work of each stage (`newsdedup stage ...`); Spark
runs it on shards and partitions and does the shuffles:

  sketch      per shard: line-frequency sketch + line count   (files)
  merge       one task sums the sketches                      (files)
  sign        per shard: rows, keys, rejections, signatures   (files in the work dir)
  candidates  Spark: group by (band, key) and by (slot, value) -> pairs, distinct
  verify      per partition of pairs: the verified ones       (pipe)
  components  one task: union-find over the edges             (pipe)
  place       per partition of components: report lines       (pipe)
  report      Spark: union of report lines, sorted by row id  (driver writes)
  apply       per shard: kept records as read                 (files, concatenated)

The work directory (default OUTPUT/_work) must be readable and writable by
every executor at the same path: local disk in local mode, a shared
filesystem (NFS, EFS, Filestore, a FUSE mount) on a cluster.
"""

import argparse
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

from pyspark.sql import SparkSession, functions as F, types as T

# Flags passed to every stage as they are (the detection settings of dedup).
VALUE_FLAGS = [
    "threshold", "containment", "containment-order", "unshared-middle", "candidate-threshold",
    "rare-bucket", "bands", "rows", "num-perm", "ngram", "seed", "scheme",
    "keep", "max-bytes",
]
BOOL_FLAGS = ["skip-stopwords", "no-boilerplate"]

ROWS = T.StructType([
    T.StructField("gid", T.LongType()), T.StructField("id", T.StringType()),
    T.StructField("file", T.StringType()), T.StructField("line", T.LongType()),
    T.StructField("clean_len", T.LongType()),
    T.StructField("published", T.StringType()),
    T.StructField("source", T.StringType()), T.StructField("hash", T.LongType()),
])
KEYS = T.StructType([
    T.StructField("gid", T.LongType()),
    T.StructField("bands", T.ArrayType(T.LongType())),
    T.StructField("slots", T.ArrayType(T.LongType())),
])
REPORT = T.StructType([
    T.StructField("gid", T.LongType()), T.StructField("report", T.StringType()),
])
# A bucket larger than this pairs its first LEADERS members with the rest
# (dedup --shardable: BUCKET_LEADERS in src/dedup/candidates.rs).
LEADERS = 64


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+", help="INPUT... OUTPUT")
    for f in VALUE_FLAGS:
        p.add_argument("--" + f)
    for f in BOOL_FLAGS:
        p.add_argument("--" + f, action="store_true")
    p.add_argument("--binary", default=None,
                   help="newsdedup binary (default: target/release/newsdedup, "
                        "else `newsdedup` shipped with --files or on PATH)")
    p.add_argument("--work", default=None, help="shared work directory")
    p.add_argument("--shard-bytes", type=int, default=64 << 20,
                   help="bytes of input per shard (default 64 MiB)")
    p.add_argument("--partitions", type=int, default=None,
                   help="partitions of the pair and component shuffles "
                        "(default: 2 x default parallelism)")
    p.add_argument("--task-threads", type=int, default=1,
                   help="threads of each Rust task (match spark.task.cpus)")
    p.add_argument("--measure", action="store_true",
                   help="record each Rust task's peak RSS and time (/usr/bin/time) "
                        "in WORK/mem.tsv (copied to OUTPUT/mem.tsv)")
    p.add_argument("--keep-work", action="store_true")
    a = p.parse_args(argv)
    if len(a.paths) < 2:
        p.error("give INPUT... OUTPUT")
    return a


def settings(a):
    out = []
    for f in VALUE_FLAGS:
        v = getattr(a, f.replace("-", "_"))
        if v is not None:
            out += ["--" + f, str(v)]
    for f in BOOL_FLAGS:
        if getattr(a, f.replace("-", "_")):
            out.append("--" + f)
    return out


def shards_of(inputs, shard_bytes):
    """Line-aligned byte ranges of each input, in input order."""
    shards = []
    for name in inputs:
        path = os.path.abspath(name)
        if name.endswith(".gz") or not os.path.isfile(path):
            sys.exit(f"newsdedup_dedup: {name}: only plain JSON Lines files are sharded")
        size = os.path.getsize(path)
        start = 0
        with open(path, "rb") as f:
            while True:
                end = size
                if start + shard_bytes < size:
                    f.seek(start + shard_bytes - 1)
                    f.readline()
                    end = f.tell()
                shards.append({"shard": len(shards), "path": path, "name": name,
                               "start": start, "end": end})
                start = end
                if start >= size:
                    break
    return shards


class Runner:
    """How a task runs `newsdedup stage ...` (picklable: shipped to executors)."""

    def __init__(self, binary, threads, work, measure):
        self.binary, self.threads, self.work, self.measure = binary, threads, work, measure

    def command(self, stage, *args):
        binary = self.binary
        if not os.path.exists(binary):
            from pyspark import SparkFiles
            shipped = SparkFiles.get(os.path.basename(binary))
            if os.path.exists(shipped):
                if not os.access(shipped, os.X_OK):  # --files may drop the mode
                    os.chmod(shipped, 0o755)
                binary = shipped
            else:
                binary = shutil.which(binary) or binary
        cmd = [binary, "--threads", str(self.threads), "stage", stage, *args]
        if self.measure:
            mem = os.path.join(self.work, "mem.tsv")
            cmd = ["/usr/bin/time", "-a", "-o", mem, "-f", f"{stage}\t%M\t%e"] + cmd
        return cmd

    def run_files(self, stage, args, inputs, output):
        """Runs a stage with the concatenated `inputs` files on stdin and
        stdout into `output`."""
        cmd = self.command(stage, *args)
        with open(output, "wb") as out:
            p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out,
                                 stderr=subprocess.PIPE)
            for name in inputs:
                with open(name, "rb") as f:
                    shutil.copyfileobj(f, p.stdin, 1 << 20)
            p.stdin.close()
            err = p.stderr.read()
            if p.wait() != 0:
                raise RuntimeError(f"{shlex.join(cmd)} failed: {err.decode(errors='replace')}")
        return output

    def run(self, stage, *args, stdin=None):
        cmd = self.command(stage, *args)
        r = subprocess.run(cmd, input=stdin, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)} failed: {r.stderr.decode(errors='replace')}")
        return r.stdout.decode()


def uri(path):
    """A work-directory path as Spark must see it: on the shared POSIX
    filesystem, whatever the cluster's default filesystem (HDFS, S3)."""
    return "file://" + path


def shard_args(s):
    return ["--path", s["path"], "--name", s["name"], "--shard", str(s["shard"]),
            "--start", str(s["start"]), "--end", str(s["end"]),
            "--first-line", str(s.get("first_line", 0))]


def all_pairs(col, limit=None):
    """SQL: the pairs (m[i], m[j]), i < j, of a sorted array column; with
    `limit`, only i < limit."""
    top = f"least(size({col}), {limit})" if limit else f"size({col})"
    return F.explode(F.expr(
        f"flatten(transform(sequence(0, {top} - 1), i -> "
        f"transform(slice({col}, i + 2, size({col}) - i - 1), "
        f"x -> named_struct('a', {col}[i], 'b', x))))")).alias("p")


def main(argv):
    a = parse_args(argv)
    inputs, output = a.paths[:-1], a.paths[-1]
    os.makedirs(output, exist_ok=True)
    work = os.path.abspath(a.work or os.path.join(output, "_work"))
    marker = os.path.join(work, ".newsdedup-work")
    if os.path.isdir(work) and os.listdir(work) and not os.path.exists(marker):
        sys.exit(f"newsdedup_dedup: --work {work} is not empty and not a work directory "
                 "of this job: name an empty or new directory")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    open(marker, "w").close()
    binary = a.binary
    if binary is None:
        here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                            "target", "release", "newsdedup")
        binary = os.path.abspath(here) if os.path.exists(here) else "newsdedup"
    run = Runner(binary, a.task_threads, work, a.measure)
    flags = settings(a)
    rare = int(a.rare_bucket) if a.rare_bucket is not None else 16
    boilerplate = not a.no_boilerplate

    spark = SparkSession.builder.appName("newsdedup dedup").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel(os.environ.get("NEWSDEDUP_SPARK_LOG", "WARN"))
    parts = a.partitions or 2 * sc.defaultParallelism
    times = {}
    t0 = last = time.time()

    def mark(name):
        nonlocal last
        now = time.time()
        times[name] = now - last
        last = now
        print(f"newsdedup_dedup: {name} {times[name]:.1f} s", file=sys.stderr)

    shards = shards_of(inputs, a.shard_bytes)
    corpus_bytes = sum(os.path.getsize(os.path.abspath(n)) for n in inputs)

    # 1. Sketch per shard (and line counts, for the next shards' line numbers).
    def sketch(s):
        out = os.path.join(work, f"sketch-{s['shard']:05}.bin")
        text = run.run("sketch", *shard_args(s), "--corpus-bytes", str(corpus_bytes),
                       "-o", out, *flags)
        return s["shard"], json.loads(text)["lines"]
    sc.setJobGroup("sketch", "sketch per shard")
    lines = dict(sc.parallelize(shards, len(shards)).map(sketch).collect())
    before = {}
    for s in shards:
        s["first_line"] = before.get(s["path"], 0)
        before[s["path"]] = s["first_line"] + lines[s["shard"]]
    merged = None
    if boilerplate:
        merged = os.path.join(work, "sketch.bin")
        parts_in = [os.path.join(work, f"sketch-{s['shard']:05}.bin") for s in shards]
        sc.setJobGroup("merge", "sum the sketches")
        sc.parallelize([0], 1).foreach(
            lambda _: run.run("merge-sketches", "-o", merged, *parts_in))
    mark("sketch")

    # 2. Sign per shard.
    def sign(s):
        extra = ["--sketch", merged] if merged else []
        return json.loads(run.run("sign", *shard_args(s), "--work", work, *extra, *flags))
    sc.setJobGroup("sign", "sign per shard")
    sc.parallelize(shards, len(shards)).map(sign).collect()
    mark("sign")

    def shard_files(what):
        return [uri(os.path.join(work, f"{what}-{s['shard']:05}.jsonl")) for s in shards]
    rows = spark.read.schema(ROWS).json(shard_files("rows")).cache()
    keys = spark.read.schema(KEYS).json(shard_files("keys"))
    rejected = spark.read.schema(REPORT).json(shard_files("rejected"))

    # 3. Duplicate ids: the first signed record with an id keeps it.
    sc.setJobGroup("ids", "duplicate ids")
    firsts = rows.groupBy("id").agg(F.min("gid").alias("first_gid"), F.count("*").alias("n")) \
        .filter("n > 1")
    dups = rows.join(firsts, "id").filter("gid != first_gid") \
        .join(rows.select(F.col("gid").alias("first_gid"), F.col("file").alias("first_file"),
                          F.col("line").alias("first_line")), "first_gid") \
        .select("gid", "id", "file", "line", "first_file", "first_line").collect()
    reports = [rejected]
    if dups:
        text = run.run("reject-ids", stdin="\n".join(
            json.dumps(r.asDict()) for r in dups).encode())
        reports.append(spark.read.schema(REPORT).json(sc.parallelize(text.splitlines())))
        bad = spark.createDataFrame([(r.gid,) for r in dups], "gid long")
        rows = rows.join(bad, "gid", "left_anti").cache()
        keys = keys.join(bad, "gid", "left_anti")
    mark("ids")

    # 4. Candidates: identical cleaned texts are edges at once; LSH band
    # buckets and rare slot buckets give pairs to verify (each pair once).
    sc.setJobGroup("candidates", "band and rare-slot buckets -> pairs")
    exact = rows.groupBy("hash").agg(F.min("gid").alias("a")) \
        .join(rows.select("hash", F.col("gid").alias("b")), "hash") \
        .filter("a != b").select("a", "b")
    bands = keys.select("gid", F.posexplode("bands").alias("band", "key")) \
        .groupBy("band", "key").agg(F.sort_array(F.collect_list("gid")).alias("m")) \
        .filter(F.size("m") >= 2).select(all_pairs("m", LEADERS)).select("p.a", "p.b")
    candidates = bands
    if rare >= 2:
        slots = keys.select("gid", F.posexplode("slots").alias("slot", "value")) \
            .groupBy("slot", "value").agg(F.sort_array(F.collect_list("gid")).alias("m")) \
            .filter((F.size("m") >= 2) & (F.size("m") <= rare)) \
            .select(all_pairs("m")).select("p.a", "p.b")
        candidates = candidates.union(slots)
    candidates = candidates.distinct() \
        .repartition(parts, F.shiftright("a", 32), F.shiftright("b", 32))
    as_text = "concat(a, ' ', b) AS value"
    candidates.selectExpr(as_text).write.text(uri(os.path.join(work, "pairs")))
    exact.selectExpr(as_text).write.text(uri(os.path.join(work, "exact")))
    mark("candidates")

    def parts_of(d):
        return sorted(glob.glob(os.path.join(work, d, "part-*")))

    def per_file(stage, args, inputs, out_dir):
        os.makedirs(os.path.join(work, out_dir), exist_ok=True)
        jobs = [(p, os.path.join(work, out_dir, f"part-{i:05}")) for i, p in enumerate(inputs)]
        if not jobs:
            return []
        return sc.parallelize(jobs, len(jobs)) \
            .map(lambda j: run.run_files(stage, args, [j[0]], j[1])).collect()

    # 5. Verify, per partition of pairs (rows read from the work directory).
    sc.setJobGroup("verify", "verify candidate pairs")
    verified = per_file("verify", ["--work", work, *flags], parts_of("pairs"), "verified")
    mark("verify")

    # 6. Components in one task (edges are 16 bytes each; see README).
    sc.setJobGroup("components", "union-find over the edges")
    comp_file = os.path.join(work, "components.txt")
    edges = verified + parts_of("exact")
    sc.parallelize([0], 1).foreach(lambda _: run.run_files("components", [], edges, comp_file))
    components = spark.read.schema("gid long, comp long").csv(uri(comp_file), sep=" ")
    mark("components")

    # 7. Place each component (stars, keep rule), per partition of components.
    sc.setJobGroup("place", "place components")
    components.join(rows, "gid") \
        .select("comp", "gid", "id", "file", "line", "clean_len", "published", "source") \
        .repartition(parts, "comp").sortWithinPartitions("comp", "gid") \
        .write.json(uri(os.path.join(work, "members")))
    placed = per_file("place", ["--work", work, *flags], parts_of("members"), "placed")
    if placed:
        reports.append(spark.read.schema(REPORT).json([uri(p) for p in placed]))
    mark("place")

    # 8. The report, in input order; each shard's records minus those reported.
    report = reports[0]
    for r in reports[1:]:
        report = report.unionByName(r)
    report = report.cache()
    sc.setJobGroup("report", "write the report")
    with open(os.path.join(output, "removed.jsonl"), "w", encoding="utf-8") as out:
        for r in report.orderBy("gid").toLocalIterator():
            out.write(r.report + "\n")
    mark("report")

    sc.setJobGroup("apply", "kept records per shard")
    mask = (1 << 32) - 1
    dropped = report.select(F.shiftright("gid", 32).alias("s"),
                            F.col("gid").bitwiseAND(F.lit(mask)).alias("q")) \
        .rdd.map(lambda r: (r.s, r.q))
    by_shard = sc.parallelize([(s["shard"], s) for s in shards], len(shards))
    max_bytes = ["--max-bytes", a.max_bytes] if a.max_bytes else []

    def apply(item):
        shard, (descs, seqs) = item
        s = list(descs)[0]
        out = os.path.join(work, f"cleaned-{shard:05}.jsonl")
        stdin = "\n".join(str(q) for q in sorted(seqs)).encode()
        run.run("apply", *shard_args(s), "-o", out, *max_bytes, stdin=stdin)
        return shard
    by_shard.cogroup(dropped, len(shards)).map(apply).collect()
    with open(os.path.join(output, "cleaned.jsonl"), "wb") as out:
        for s in shards:
            with open(os.path.join(work, f"cleaned-{s['shard']:05}.jsonl"), "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    mark("apply")
    print(f"newsdedup_dedup: {len(shards)} shards, total {time.time() - t0:.1f} s",
          file=sys.stderr)
    spark.stop()
    if not a.keep_work:
        if a.measure:
            shutil.copy(os.path.join(work, "mem.tsv"), os.path.join(output, "mem.tsv"))
        shutil.rmtree(work)


if __name__ == "__main__":
    main(sys.argv[1:])

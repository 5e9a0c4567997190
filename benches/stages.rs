//! Criterion benchmarks, one group per pipeline stage, on seeded inputs built
//! from the bundled ECB+ articles: normalize, shingle, minhash (both schemes), lsh
//! buckets, exact verification, and the whole dedup pipeline; HTML extraction
//! and WARC reading on the testdata pages. Throughput is set so results read
//! as articles, pages (or bytes) per second.
//!
//!     cargo bench --bench stages

use std::io::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use newsdedup::bench::synth::{generate, SynthConfig, Tier};
use newsdedup::dedup::store::{intersection_size, shared_in_order, Compact};
use newsdedup::events::places::venue_set;
use newsdedup::events::{link, neighbour_graph, ClusterConfig, EventClusterer, NeighbourSearch};
use newsdedup::progress::Silent;
use newsdedup::sketch::lsh::LshParams;
use newsdedup::sketch::minhash::agreeing_slots;
use newsdedup::sketch::shingle::{Language, ShingleConfig};
use newsdedup::text::normalize::normalize_lines;
use newsdedup::{Corpus, DedupConfig, Deduplicator, InputSpec, MinHashParams, MinHasher, Scheme};

fn articles() -> Vec<newsdedup::Article> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/ecbplus/docs.jsonl");
    let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
    corpus
        .records()
        .map(|r| r.unwrap().parse().unwrap())
        .collect()
}

fn texts() -> Vec<Vec<String>> {
    articles()
        .iter()
        .map(|a| normalize_lines(&a.text))
        .collect()
}

fn normalize(c: &mut Criterion) {
    let texts: Vec<String> = articles().into_iter().map(|a| a.text).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("ecbplus_982", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| normalize_lines(t).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn shingle(c: &mut Criterion) {
    let texts = texts();
    let bytes: usize = texts.iter().flatten().map(String::len).sum();
    let config = ShingleConfig::default();
    let mut g = c.benchmark_group("shingle");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("ecbplus_982", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| {
                    config
                        .shingles(t.iter().map(String::as_str), Language::ENGLISH)
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

fn minhash(c: &mut Criterion) {
    let config = ShingleConfig::default();
    let sets: Vec<Vec<u64>> = texts()
        .iter()
        .map(|t| config.shingles(t.iter().map(String::as_str), Language::ENGLISH))
        .collect();
    let mut g = c.benchmark_group("minhash");
    g.throughput(Throughput::Elements(sets.len() as u64));
    for scheme in [Scheme::OnePermutation, Scheme::Permutations] {
        let hasher = MinHasher::new(MinHashParams {
            scheme,
            ..MinHashParams::default()
        })
        .unwrap();
        g.bench_with_input(
            BenchmarkId::new("128_slots", format!("{scheme:?}")),
            &sets,
            |b, sets| {
                b.iter(|| {
                    sets.iter()
                        .map(|s| hasher.signature(s).slots()[0])
                        .fold(0u32, |a, x| a ^ x)
                })
            },
        );
    }
    g.finish();
}

fn lsh(c: &mut Criterion) {
    let hasher = MinHasher::new(MinHashParams::default()).unwrap();
    let mut state = 7u64;
    let sigs: Vec<Vec<u32>> = (0..100_000)
        .map(|_| {
            let set: Vec<u64> = (0..200)
                .map(|_| newsdedup::sketch::minhash::splitmix64(&mut state))
                .collect();
            hasher.signature(&set).slots().to_vec()
        })
        .collect();
    let params = LshParams { bands: 37, rows: 3 };
    let mut g = c.benchmark_group("lsh");
    g.throughput(Throughput::Elements(sigs.len() as u64));
    g.bench_function("one_band_100k", |b| {
        b.iter(|| params.buckets(0, sigs.len(), |i| &sigs[i], |_| false).len())
    });
    // The signature check every candidate pair gets before its sets are read.
    g.bench_function("slot_agreement_100k_pairs", |b| {
        b.iter(|| {
            (0..sigs.len())
                .map(|i| agreeing_slots(&sigs[i], &sigs[(i * 7 + 1) % sigs.len()]))
                .sum::<usize>()
        })
    });
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let config = SynthConfig {
        tier: Tier::Mixed,
        scale: Some(20_000),
        ..SynthConfig::default()
    };
    generate::<std::io::Error>(&articles(), &config, |v| writeln!(file, "{v}")).unwrap();
    file.flush().unwrap();
    drop(file);
    let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
    let dedup = Deduplicator::new(DedupConfig::default()).unwrap();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Elements(20_000));
    g.bench_function("dedup_20k_mixed", |b| {
        b.iter(|| dedup.run(&corpus, &Silent).unwrap().stats.removed)
    });
    g.finish();
}

/// Exact verification of candidate pairs on ECB+ shingle sets (each
/// article against the next, mostly one topic): the shared count alone, and
/// with the order check a containment match also gets.
fn verify(c: &mut Criterion) {
    let config = ShingleConfig::default();
    let sets: Vec<Compact> = texts()
        .iter()
        .map(|t| {
            Compact::of(&config.shingle_hashes(t.iter().map(String::as_str), Language::ENGLISH))
        })
        .collect();
    let pairs: Vec<(&Compact, &Compact)> = sets.iter().zip(&sets[1..]).collect();
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(pairs.len() as u64));
    g.bench_function("shared_ecbplus_pairs", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(x, y)| intersection_size(&x.set, &y.set))
                .sum::<usize>()
        })
    });
    g.bench_function("shared_in_order_ecbplus_pairs", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(x, y)| shared_in_order(&x.set, &x.order, &y.set, &y.order).in_order)
                .sum::<usize>()
        })
    });
    g.finish();
}

/// Event clustering stages on ECB+ (982 real articles): vectors + HNSW
/// graph + linkage, after duplicate removal.
fn events(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/ecbplus/docs.jsonl");
    let corpus = Corpus::open(&[InputSpec::Path(path)]).unwrap();
    let dedup = Deduplicator::new(DedupConfig::default()).unwrap();
    let outcome = dedup.run(&corpus, &Silent).unwrap();
    let config = ClusterConfig::default();
    let clusterer = EventClusterer::new(config, dedup.config().boilerplate.clone()).unwrap();
    let events = clusterer.run(&corpus, &outcome, &Silent).unwrap();
    let n = events.vectors.len() as u64;
    let mut g = c.benchmark_group("events");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function("vectors_graph_linkage_ecbplus", |b| {
        b.iter(|| {
            clusterer
                .run(&corpus, &outcome, &Silent)
                .unwrap()
                .stats
                .events
        })
    });
    g.bench_function("neighbour_graph_ecbplus", |b| {
        b.iter(|| neighbour_graph(&events.vectors, &config, &Silent).len())
    });
    let hnsw = ClusterConfig {
        search: NeighbourSearch::Hnsw,
        ..config
    };
    g.bench_function("neighbour_graph_hnsw_ecbplus", |b| {
        b.iter(|| neighbour_graph(&events.vectors, &hnsw, &Silent).len())
    });
    let graph = neighbour_graph(&events.vectors, &config, &Silent);
    let days = events.days.clone();
    let venues: Vec<Vec<u32>> = events.venues.iter().map(|v| venue_set(v)).collect();
    g.bench_function("linkage_ecbplus", |b| {
        b.iter(|| {
            link(
                &events.vectors,
                &graph,
                &days,
                &venues,
                &events.hubs,
                &config,
                &Silent,
            )
            .len()
        })
    });
    g.finish();
}

/// The testdata pages (real news pages of the article extraction
/// benchmark), decompressed.
fn html_pages() -> Vec<Vec<u8>> {
    use std::io::Read;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/html/pages");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap())
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
        .collect()
}

/// A gzip-per-record WARC of `copies` responses of each page.
fn warc_of(pages: &[Vec<u8>], copies: usize) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".warc.gz")
        .tempfile()
        .unwrap();
    for i in 0..copies {
        for (j, page) in pages.iter().enumerate() {
            let mut http = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                page.len()
            )
            .into_bytes();
            http.extend_from_slice(page);
            let mut record = format!(
                "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://x.example/{i}/{j}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
                http.len()
            )
            .into_bytes();
            record.extend_from_slice(&http);
            record.extend_from_slice(b"\r\n\r\n");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&record).unwrap();
            file.write_all(&gz.finish().unwrap()).unwrap();
        }
    }
    file.flush().unwrap();
    file
}

fn extract(c: &mut Criterion) {
    use newsdedup::ingest::html::{read_page, PageHints};
    let pages = html_pages();
    let hints = PageHints {
        id: Some("page".into()),
        ..PageHints::default()
    };
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Elements(pages.len() as u64));
    g.bench_function("html_pages_4", |b| {
        b.iter(|| {
            pages
                .iter()
                .filter(|p| read_page(p, &hints).is_ok())
                .count()
        })
    });
    let warc = warc_of(&pages, 50);
    let size = std::fs::metadata(warc.path()).unwrap().len();
    g.throughput(Throughput::Bytes(size));
    g.bench_function("warc_records_200", |b| {
        b.iter(|| {
            let corpus = Corpus::open(&[InputSpec::Path(warc.path().to_path_buf())]).unwrap();
            corpus.records().count()
        })
    });
    g.finish();
}

criterion_group!(benches, normalize, shingle, minhash, lsh, verify, pipeline, events, extract);
criterion_main!(benches);

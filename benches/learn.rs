//! Learning boilerplate and cutting it, on synthetic pages of one site: varied text with the
//! site's title glued onto headings, a spam phrase between sentences and a footer line.
//!
//! ```text
//! cargo bench --bench learn
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scour::learn::BoilerplateLearner;

/// `n` pages of about 2 KB each; the text is pseudo-random Han characters, so nothing but the
/// inserted spans recurs.
fn pages(n: usize) -> Vec<String> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut han = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        char::from_u32(0x4E00 + (state % 6000) as u32).unwrap()
    };
    (0..n)
        .map(|i| {
            let mut page = String::new();
            for chapter in 0..3 {
                page.push_str(&format!("第{}章 ", i * 3 + chapter));
                (0..6).for_each(|_| page.push(han()));
                page.push_str("侯卫东官场笔记\n");
                for sentence in 0..12 {
                    (0..40).for_each(|_| page.push(han()));
                    page.push('。');
                    if sentence == 5 && i % 3 == 0 {
                        page.push_str("（天才一秒记住本站地址：www.biquge.la）");
                    }
                }
                page.push('\n');
            }
            page.push_str("本站所有小说均来源于网络，版权归原作者所有\n");
            page
        })
        .collect()
}

fn learn(c: &mut Criterion) {
    let docs = pages(1000);
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut group = c.benchmark_group("learn");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    let learner = BoilerplateLearner::new();
    group.bench_function("learn_1000_pages", |b| {
        b.iter(|| black_box(learner.learn(|| docs.iter())))
    });
    let model = learner.learn(|| docs.iter());
    assert_eq!(model.entries.len(), 3, "{:?}", model.entries);
    let cutter = model.cutter().unwrap();
    group.bench_function("cut_1000_pages", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| cutter.cut(black_box(d)).edits.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, learn);
criterion_main!(benches);

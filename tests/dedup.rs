//! Deduplication end to end: the seed's copies, a labelled set built by realistic edits, and the
//! `scour dedup` command.

#[path = "../examples/common/labelled.rs"]
mod labelled;
#[path = "support/shared_data.rs"]
mod shared_data;

use std::path::{Path, PathBuf};
use std::process::Command;

use scour::dedup::{Deduper, Outcome};

fn seed_copies() -> Vec<String> {
    let seed = std::fs::read_to_string("tests/data/seed.txt").unwrap();
    let lines: Vec<&str> = seed.split_inclusive('\n').collect();
    // The page holds eight copies of the report, each starting with its title line.
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_end() == "2017年柳州市政府工作报告")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 8);
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| lines[s..starts.get(k + 1).copied().unwrap_or(lines.len())].concat())
        .collect()
}

/// A different government work report: the seed's opening lines (title year, greeting and
/// formula), then a body written for this test about other matters. It shares the boilerplate
/// of the genre but not the content.
fn other_report() -> String {
    let opening: String = std::fs::read_to_string("tests/data/seed.txt")
        .unwrap()
        .lines()
        .skip(1)
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    format!(
        "2018年临川县政府工作报告\n{opening}\
         一、过去一年的主要工作\n\
         过去一年，全县上下围绕乡村振兴这条主线，抓住山区茶叶和竹木加工两项特色产业，新修通村公路三百一十公里，\
         改造危旧校舍四十二所，县人民医院新住院楼投入使用，城乡居民医保参保率保持在百分之九十七以上。\
         茶叶种植面积扩大到十二万亩，带动一万八千户农户增收；竹木加工园区引进企业十六家，新增就业岗位两千余个。\
         我们坚持节用裕民，压减一般性支出百分之十，把省下来的钱用于农村饮水安全和敬老院改造。\n\
         二、今年的工作安排\n\
         今年是全面落实县第十四次党代会部署的开局之年。我们将重点做好五件事：一是完成县城污水处理厂二期工程，\
         二是新建三所公办幼儿园，三是推进茶园标准化和品牌化，四是治理青溪河流域水土流失，五是办好群众关心的民生实事，\
         让山区群众住得安心、看病方便、孩子上学不再跑远路。\n\
         各位代表，新的一年任务艰巨，我们将以更加务实的作风，不辜负全县人民的期待。\n"
    )
}

#[test]
fn seed_copies_form_one_cluster_and_another_report_does_not_join() {
    let copies = seed_copies();
    let mut deduper = Deduper::new();
    let decisions = deduper.push_batch(&copies);
    assert_eq!(decisions[0].outcome, Outcome::Keep);
    for d in &decisions[1..] {
        assert_eq!(d.cluster, decisions[0].cluster, "{d:?}");
        assert!(
            matches!(d.outcome, Outcome::Duplicate { of: 0, .. }),
            "{d:?}"
        );
    }
    assert_eq!(deduper.cluster_size(0), Some(8));
    // Cleaned-up copies (the glued novel title cut, one paragraph dropped) are near duplicates.
    let cleaned = copies[4].replace("侯卫东官场笔记", "");
    let paragraphs: Vec<&str> = cleaned.split_inclusive('\n').collect();
    let edited = [&paragraphs[..10], &paragraphs[11..]].concat().concat();
    let near = deduper.push(&edited);
    assert!(
        matches!(
            near.outcome,
            Outcome::Duplicate {
                of: 0,
                method: scour::dedup::Match::MinHash,
                ..
            }
        ),
        "{near:?}"
    );
    let other = deduper.push(&other_report());
    assert_eq!(other.outcome, Outcome::Keep);
    assert_ne!(other.cluster, decisions[0].cluster);

    // A real, different government document: a State Council regulation from the laws corpus.
    match laws_jsonl() {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .find(|l| l.contains("\"行政法规/政府信息公开条例(2019-04-03)\""))
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .expect("the regulation is in the corpus");
            let d = deduper.push(&text);
            assert_eq!(d.outcome, Outcome::Keep);
            assert_eq!(deduper.cluster_size(0), Some(9));
        }
        None => shared_data::absent("../shared/data/corpus/laws-zh.jsonl.xz is absent"),
    }
}

/// `target/scour-data/corpus/laws-zh.jsonl`, unpacked from ../shared/data with `xz` when
/// missing; `None` when the shared data is absent.
fn laws_jsonl() -> Option<PathBuf> {
    static ONCE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    ONCE.get_or_init(unpack_laws).clone()
}

fn unpack_laws() -> Option<PathBuf> {
    let packed = Path::new("../shared/data/corpus/laws-zh.jsonl.xz");
    if !packed.exists() {
        return None;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = dir.join("laws-zh.jsonl");
    if !out.exists() {
        let tmp = dir.join(format!("laws-zh.jsonl.{}", std::process::id()));
        let file = std::fs::File::create(&tmp).unwrap();
        let status = Command::new("xz")
            .args(["-dkc"])
            .arg(packed)
            .stdout(file)
            .status()
            .expect("xz is installed (CI installs it)");
        assert!(status.success());
        std::fs::rename(&tmp, &out).unwrap();
    }
    Some(out)
}

#[test]
fn built_labelled_set_meets_the_targets() {
    let Some(path) = laws_jsonl() else {
        shared_data::absent("../shared/data/corpus/laws-zh.jsonl.xz is absent");
        return;
    };
    let texts: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // Every 7th law, to keep the test small and spread over the corpus.
    let texts: Vec<String> = texts.into_iter().step_by(7).collect();
    let sources: Vec<String> = labelled::pick_sources(texts, 1000)
        .into_iter()
        .take(150)
        .collect();
    assert_eq!(sources.len(), 150);
    let set = labelled::build(&sources, 75, 7);
    let docs: Vec<&str> = set.iter().map(|d| d.text.as_str()).collect();
    let groups: Vec<u32> = set.iter().map(|d| d.group).collect();
    let clusters: Vec<u32> = Deduper::new()
        .push_batch(&docs)
        .iter()
        .map(|d| d.cluster)
        .collect();
    let s = labelled::score(&groups, &clusters);
    eprintln!(
        "{} documents; pairs: {} true, {} predicted, {} both; precision {:.4}, recall {:.4}",
        set.len(),
        s.truth,
        s.predicted,
        s.both,
        s.precision(),
        s.recall()
    );
    assert!(s.truth > 200, "{s:?}");
    assert!(s.precision() >= 0.98, "{s:?}");
    assert!(s.recall() >= 0.95, "{s:?}");
}

fn scour() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scour"))
}

#[test]
fn cli_dedups_jsonl_reports_bad_lines_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let copies = seed_copies();
    let mut body = String::new();
    for (i, c) in copies.iter().take(3).enumerate() {
        body.push_str(&serde_json::json!({"id": format!("copy{i}"), "text": c}).to_string());
        body.push('\n');
    }
    body.push_str("{\"id\": \"broken\", \"text\": \n");
    body.push_str(&serde_json::json!({"id": "other", "text": other_report()}).to_string());
    body.push('\n');
    let a = dir.path().join("a.jsonl");
    std::fs::write(&a, &body).unwrap();
    // A second shard, gzip-compressed, with another copy and an exact duplicate of "other".
    let b = dir.path().join("b.jsonl.gz");
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(enc, "{}", serde_json::json!({"id": 9, "text": copies[5]})).unwrap();
        writeln!(
            enc,
            "{}",
            serde_json::json!({"text": other_report().replace('，', ",")})
        )
        .unwrap();
        std::fs::write(&b, enc.finish().unwrap()).unwrap();
    }
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let kept = dir.path().join(format!("kept{threads}.jsonl"));
        let clusters = dir.path().join(format!("clusters{threads}.jsonl"));
        let out = scour()
            .arg("dedup")
            .args([&a, &b])
            .arg("-o")
            .arg(&kept)
            .arg("--clusters")
            .arg(&clusters)
            .args(["-j", threads])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("a.jsonl:4: not JSON"), "{stderr}");
        assert!(stderr.contains("6 docs"), "{stderr}");
        assert!(
            stderr.contains("4 duplicates (4 exact, 0 near)"),
            "{stderr}"
        );
        // Kept records, and the line that is not a document, are written unchanged in order.
        let kept = std::fs::read_to_string(&kept).unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(kept, format!("{}\n{}\n{}\n", lines[0], lines[3], lines[4]));
        let clusters = std::fs::read_to_string(&clusters).unwrap();
        let lines: Vec<serde_json::Value> = clusters
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{clusters}");
        assert_eq!(lines[0]["kept"], "copy0");
        let members: Vec<&str> = lines[0]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(members, ["copy0", "copy1", "copy2", "9"]);
        assert_eq!(lines[1]["kept"], "other");
        assert_eq!(lines[1]["members"][1]["id"], "2");
        assert_eq!(lines[1]["members"][1]["similarity"], 1.0);
        outputs.push((kept, clusters));
    }
    assert_eq!(outputs[0], outputs[1], "output depends on the thread count");
}

#[test]
fn cli_index_carries_over_to_the_next_shard() {
    let dir = tempfile::tempdir().unwrap();
    let copies = seed_copies();
    let shard = |name: &str, texts: &[&str]| {
        let p = dir.path().join(name);
        let body: String = texts
            .iter()
            .map(|t| format!("{}\n", serde_json::json!({ "text": t })))
            .collect();
        std::fs::write(&p, body).unwrap();
        p
    };
    let report = other_report();
    let one = shard("one.jsonl", &[&copies[0]]);
    let two = shard("two.jsonl", &[&copies[1], &report]);
    let index = dir.path().join("index.bin");
    let kept = dir.path().join("kept.jsonl");
    let run = |input: &Path, extra: &[&std::ffi::OsStr]| {
        let out = scour()
            .arg("dedup")
            .arg(input)
            .arg("-o")
            .arg(&kept)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(&kept).unwrap().lines().count()
    };
    assert_eq!(run(&one, &["--index-out".as_ref(), index.as_os_str()]), 1);
    assert_eq!(run(&two, &[]), 2);
    assert_eq!(run(&two, &["--index-in".as_ref(), index.as_os_str()]), 1);
}

#[test]
fn cli_keep_longest_reads_twice_and_keeps_the_longest() {
    let dir = tempfile::tempdir().unwrap();
    let copies = seed_copies();
    let longer = format!("{}\n附：名词解释。", copies[2]);
    let body: String = [copies[0].as_str(), longer.as_str(), copies[3].as_str()]
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}\n", serde_json::json!({ "id": i, "text": t })))
        .collect();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, body).unwrap();
    let kept = dir.path().join("kept.jsonl");
    let out = scour()
        .args(["dedup", "--keep", "longest"])
        .arg(&input)
        .arg("-o")
        .arg(&kept)
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept = std::fs::read_to_string(&kept).unwrap();
    assert_eq!(kept.lines().count(), 1);
    assert!(kept.starts_with("{\"id\":1,"), "{}", &kept[..40]);
}

#[test]
fn cli_reports_repeated_paragraphs_as_spans() {
    let dir = tempfile::tempdir().unwrap();
    let a = "第一篇文章的正文，讲的是城市交通。\n免责声明：本站部分内容来源于网络。\n";
    let b = "第二篇文章的正文，讲的是乡村教育。\n免责声明：本站部分内容来源于网络！\n";
    let body = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "a", "text": a}),
        serde_json::json!({"id": "b", "text": b})
    );
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, body).unwrap();
    let paragraphs = dir.path().join("paragraphs.jsonl");
    let out = scour()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("kept.jsonl"))
        .arg("--paragraphs")
        .arg(&paragraphs)
        .output()
        .unwrap();
    assert!(out.status.success());
    let start = b.find("免责").unwrap();
    let end = b.len() - 1;
    assert_eq!(
        std::fs::read_to_string(&paragraphs).unwrap(),
        format!(
            "{{\"id\":\"b\",\"doc\":1,\"spans\":[{{\"start\":{start},\"end\":{end},\"first_doc\":0}}]}}\n"
        )
    );
}

#[test]
fn clean_dedup_writes_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for (i, c) in seed_copies().iter().enumerate() {
        std::fs::write(input.join(format!("copy{i}.txt")), c).unwrap();
    }
    std::fs::write(input.join("other.txt"), other_report()).unwrap();
    let out_dir = dir.path().join("out");
    let report = dir.path().join("report.jsonl");
    let out = scour()
        .args(["clean", "--dedup"])
        .arg(&input)
        .arg("-o")
        .arg(&out_dir)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("dedup: 7 duplicate files dropped"),
        "{stderr}"
    );
    let mut written: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["copy0.txt", "other.txt"]);
    let report = std::fs::read_to_string(&report).unwrap();
    let dups: Vec<String> = report
        .lines()
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["duplicate_of"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(dups.len(), 7);
    assert!(dups.iter().all(|d| d.ends_with("copy0.txt")));
}

#[test]
fn cli_goes_on_past_binary_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a.txt"), &seed_copies()[0]).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    std::fs::write(input.join("b.png"), png).unwrap();
    std::fs::write(input.join("c.txt"), "").unwrap();
    std::fs::write(input.join("d.txt"), &seed_copies()[1]).unwrap();
    let kept = dir.path().join("kept.jsonl");
    let out = scour()
        .arg("dedup")
        .arg(&input)
        .arg("-o")
        .arg(&kept)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("b.png: input is not text"), "{stderr}");
    assert!(
        stderr.contains("3 docs") && stderr.contains("1 duplicates (1 exact, 0 near); 2 kept"),
        "{stderr}"
    );
    let ids: Vec<String> = std::fs::read_to_string(&kept)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids[0].ends_with("a.txt") && ids[1].ends_with("c.txt"),
        "{ids:?}"
    );
}

#[test]
fn cli_writes_lines_that_are_not_documents_unchanged_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let copies = seed_copies();
    let line = |v: serde_json::Value| v.to_string().into_bytes();
    let lines: Vec<Vec<u8>> = vec![
        line(serde_json::json!({"id": "a", "text": copies[0]})),
        b"{\"id\": \"b\", \"text\": ".to_vec(),
        line(serde_json::json!({"id": "c", "body": "没有正文字段的记录"})),
        b"{\"id\": \"d\", \"text\": \"\xd6\xd0\xce\xc4 GBK bytes\"}".to_vec(),
        line(serde_json::json!({"id": "e", "text": copies[1]})),
        line(serde_json::json!({"id": "f", "text": other_report()})),
    ];
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, lines.join(&b'\n')).unwrap();
    let p = input.display();
    let errors = format!(
        "scour: {p}:2: not JSON: EOF while parsing a value at line 1 column 20 (written unchanged)\n\
         scour: {p}:3: no field \"text\" (written unchanged)\n\
         scour: {p}:4: not UTF-8 (invalid byte at column 22) (written unchanged)\n\
         scour: warning: cluster 0 (kept document 0) holds 2 of 3 documents, over 1%\n"
    );
    let expect = |kept: &[usize]| -> Vec<u8> {
        let mut out = Vec::new();
        for &i in kept {
            out.extend_from_slice(&lines[i]);
            out.push(b'\n');
        }
        out
    };
    // With --keep longest the inputs are read twice; lines that are not documents keep their
    // place either way.
    let longest = if copies[1].len() > copies[0].len() {
        4
    } else {
        0
    };
    let longest_kept: Vec<usize> = [longest, 1, 2, 3, 5]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for (extra, want) in [
        (&["-j", "1"][..], expect(&[0, 1, 2, 3, 5])),
        (&["-j", "2"][..], expect(&[0, 1, 2, 3, 5])),
        (&["--keep", "longest"][..], expect(&longest_kept)),
    ] {
        let kept = dir.path().join("kept.jsonl");
        let clusters = dir.path().join("clusters.jsonl");
        let out = scour()
            .arg("dedup")
            .arg(&input)
            .arg("-o")
            .arg(&kept)
            .arg("--clusters")
            .arg(&clusters)
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let (reported, summary) = stderr.split_at(stderr.find("scour dedup: ").unwrap());
        assert_eq!(reported, errors, "{extra:?}");
        assert!(summary.starts_with("scour dedup: 3 docs, "), "{summary}");
        assert!(
            summary.contains(
                "; 1 duplicates (1 exact, 0 near); 2 kept; 1 clusters of 2 or more, largest 2; \
                 3 errors (3 lines written unchanged); "
            ),
            "{summary}"
        );
        assert_eq!(std::fs::read(&kept).unwrap(), want, "{extra:?}");
        let kept_id = if extra[0] == "--keep" && longest == 4 {
            "e"
        } else {
            "a"
        };
        assert_eq!(
            std::fs::read_to_string(&clusters).unwrap(),
            format!(
                "{{\"cluster\":0,\"kept\":\"{kept_id}\",\"members\":[{{\"id\":\"a\",\"similarity\":1.0}},{{\"id\":\"e\",\"similarity\":1.0}}]}}\n"
            ),
            "{extra:?}"
        );
    }
}

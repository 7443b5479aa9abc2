//! Scores the grouping on any labelled set: a JSON array of `{label, text}` (the format of
//! `tests/fixtures/grouping/*.json`). Prints pairwise precision and recall; with `--semantic`
//! also how many missed members "possible matches" ranks in the top 5; and with `-v` the
//! groups, the labels split over several, and each miss with the letters ranked above it.
//!
//! Run: `cargo run --release --example eval_grouping -- FILE.json [-v] [--semantic]
//! [--meaning 0.8] [--guard 0.7]` (`--semantic` adds the semantic stage with the model at
//! `models/e5-small-q4.bin` or `$CONSULT_MODEL`). `--nd` and `--para` set the lexical
//! thresholds, so a sweep is a loop in the shell:
//! `for nd in 0.6 0.7 0.8; do for para in 0.5 0.6; do cargo run --release --example
//! eval_grouping -- tests/fixtures/grouping/holdout.json --nd $nd --para $para; done; done`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: it fails loudly

use consult::domain::grouping::{GroupingParams, propose_groups_with};
use consult::semantic::{Embedder, default_model_path};

#[derive(serde::Deserialize)]
struct Labelled {
    label: String,
    text: String,
    /// On a letter that argues against an opinion: that opinion's label.
    #[serde(default)]
    opposes: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .ok_or_else(|| anyhow::anyhow!("usage: eval_grouping FILE.json [-v]"))?;
    let verbose = args.iter().any(|a| a == "-v");
    let items: Vec<Labelled> = serde_json::from_slice(&std::fs::read(path)?)?;
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let mut params = GroupingParams::default();
    if let Some(v) = flag("--meaning") {
        params.meaning = v;
    }
    if let Some(v) = flag("--guard") {
        params.meaning_guard = v;
    }
    if let Some(v) = flag("--nd") {
        params.near_duplicate = v;
    }
    if let Some(v) = flag("--para") {
        params.paraphrase = v;
    }
    if let Some(v) = flag("--lexguard") {
        params.guard = v;
    }
    let model = if args.iter().any(|a| a == "--semantic") {
        Some(Embedder::load(&default_model_path())?)
    } else {
        None
    };
    // Every text is embedded up front (on every core), so the timing below is the grouping's.
    let vectors: Option<Vec<Vec<f32>>> = model.as_ref().map(|m| {
        let t = std::time::Instant::now();
        let chunk = texts.len().div_ceil(2).max(1);
        let v: Vec<Vec<f32>> = std::thread::scope(|s| {
            let hs: Vec<_> = texts
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || part.iter().map(|t| cached_embed(m, t)).collect::<Vec<_>>())
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        eprintln!(
            "embedded {} texts in {:.1} s",
            texts.len(),
            t.elapsed().as_secs_f64()
        );
        v
    });
    let meaning = |reps: &[usize]| -> Vec<Option<Vec<f32>>> {
        let vs = vectors.as_ref().expect("semantic");
        reps.iter().map(|&i| Some(vs[i].clone())).collect()
    };
    let start = std::time::Instant::now();
    let groups = propose_groups_with(
        &texts,
        &params,
        vectors
            .as_ref()
            .map(|_| &meaning as consult::domain::grouping::Meaning),
    );
    let elapsed = start.elapsed().as_secs_f64();
    let mut group_of = vec![0usize; items.len()];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            group_of[m] = g;
        }
    }
    if let (Some(v), Ok(path)) = (&vectors, std::env::var("EVAL_DUMP")) {
        // Every text's vector, label and group, one JSON line each, for analysis elsewhere.
        let lines: Vec<String> = items
            .iter()
            .zip(v)
            .zip(&group_of)
            .map(|((item, v), g)| serde_json::json!({"label": item.label, "opposes": item.opposes, "text": item.text, "v": v, "g": g}).to_string())
            .collect();
        std::fs::write(path, lines.join("\n"))?;
    }
    // Pairs counted per group and per label, so large sets stay fast.
    let choose2 = |n: u64| n * n.saturating_sub(1) / 2;
    let mut by_label: std::collections::HashMap<&str, u64> = Default::default();
    let mut by_both: std::collections::HashMap<(usize, &str), u64> = Default::default();
    for (i, item) in items.iter().enumerate() {
        *by_label.entry(&item.label).or_default() += 1;
        *by_both.entry((group_of[i], &item.label)).or_default() += 1;
    }
    let same_label: u64 = by_label.values().map(|&n| choose2(n)).sum();
    let same_group: u64 = groups.iter().map(|g| choose2(g.members.len() as u64)).sum();
    let both: u64 = by_both.values().map(|&n| choose2(n)).sum();
    if verbose {
        for g in &groups {
            let mut labels: Vec<&str> =
                g.members.iter().map(|&m| items[m].label.as_str()).collect();
            labels.sort_unstable();
            labels.dedup();
            println!("{:>5} {:?} {}", g.members.len(), labels, g.title);
        }
    }
    if verbose {
        // Each label split over several groups: why its parts stayed apart.
        let mut parts: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for (g, group) in groups.iter().enumerate() {
            for &m in &group.members {
                let e = parts.entry(items[m].label.as_str()).or_default();
                if !e.contains(&g) {
                    e.push(g);
                }
            }
        }
        for (label, gs) in parts.iter().filter(|(_, gs)| gs.len() > 1) {
            println!("SPLIT {label}:");
            for &g in gs {
                let c = groups[g].central;
                let first = groups[g]
                    .members
                    .iter()
                    .find(|&&m| items[m].label == *label)
                    .unwrap();
                let why = consult::domain::grouping::conflict_between(
                    texts[c],
                    texts[groups[gs[0]].central],
                );
                let cos = vectors.as_ref().map(|v| {
                    let (a, b) = (&v[c], &v[groups[gs[0]].central]);
                    a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()
                });
                println!(
                    "   [{} members] conflict with first part: {why:?}, raw cos {cos:?}: {}",
                    groups[g].members.len(),
                    texts[*first].chars().take(70).collect::<String>()
                );
            }
        }
    }
    // "Possible matches": how many missed members each group's list ranks in its top 5.
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    let opposes: Vec<Option<&str>> = items.iter().map(|i| i.opposes.as_deref()).collect();
    if let Some(vs) = &vectors {
        let report = consult::domain::grouping::evaluate::possible_matches(
            &texts, &labels, &opposes, &groups, vs,
        );
        let short = |i: usize| texts[i].chars().take(60).collect::<String>();
        for lost in report.lost.iter().filter(|_| verbose) {
            let g = &groups[lost.group];
            let main = labels[g.central];
            if lost.opposing {
                let why =
                    consult::domain::grouping::conflict_between(texts[g.central], texts[lost.text]);
                println!(
                    "MISS in {main}: taken for an opposing view at {:.2} (conflict with the \
                     central letter: {why:?}): {}",
                    lost.score,
                    short(lost.text)
                );
            } else {
                println!(
                    "MISS in {main} ({} members) at {:.2}: {}",
                    g.members.len(),
                    lost.score,
                    short(lost.text)
                );
                for &(w, s) in &lost.above {
                    println!("      above {s:.2}: {}", short(w));
                }
            }
        }
        for &(g, i) in report.opposing_offered.iter().filter(|_| verbose) {
            println!(
                "OPPOSING offered to {}: {}",
                labels[groups[g].central],
                short(i)
            );
        }
        println!(
            "possible matches: {} of {} missed members in the top 5; {} opposing letters \
             offered in a top 5",
            report.found,
            report.missed,
            report.opposing_offered.len()
        );
    }
    // An opposing letter inside a group that holds the opinion it opposes.
    let inside = consult::domain::grouping::evaluate::opposing_inside(&labels, &opposes, &groups);
    for &m in inside.iter().filter(|_| verbose) {
        println!("OPPOSING inside: {}", items[m].text);
    }
    let against = inside.len();
    println!(
        "{} comments, {} groups in {elapsed:.2} s: pairwise precision {:.3}, recall {:.3}, opposing letters inside {against}",
        items.len(),
        groups.len(),
        both as f64 / same_group.max(1) as f64,
        both as f64 / same_label.max(1) as f64
    );
    Ok(())
}

/// Embeds a text, keeping the vector under `target/embed-cache` so that reruns (threshold
/// sweeps) skip the model.
fn cached_embed(model: &Embedder, text: &str) -> Vec<f32> {
    let key = consult::service::meaning::vector_key(model.model_id(), text);
    let path = std::path::Path::new("target/embed-cache").join(&key);
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
    }
    let v = model.embed(&consult::service::meaning::embedded_text(text));
    let _ = std::fs::create_dir_all("target/embed-cache");
    let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    let _ = std::fs::write(&path, bytes);
    v
}

//! Scores the grouping on any labelled set: a JSON array of `{label, text}` (the format of
//! `tests/fixtures/grouping/*.json`). Prints pairwise precision and recall, and with `-v` the
//! groups.
//!
//! Run: `cargo run --release --example eval_grouping -- FILE.json [-v]`

use consult::domain::grouping::propose_groups;

#[derive(serde::Deserialize)]
struct Labelled {
    label: String,
    text: String,
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
    let start = std::time::Instant::now();
    let groups = propose_groups(&texts);
    let elapsed = start.elapsed().as_secs_f64();
    let mut group_of = vec![0usize; items.len()];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            group_of[m] = g;
        }
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
    println!(
        "{} comments, {} groups in {elapsed:.2} s: pairwise precision {:.3}, recall {:.3}",
        items.len(),
        groups.len(),
        both as f64 / same_group.max(1) as f64,
        both as f64 / same_label.max(1) as f64
    );
    Ok(())
}

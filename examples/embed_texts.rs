//! Embeds texts from a file and prints, per text, one JSON line `{"ids": [...], "vec": [...]}`:
//! the token ids the model read and the 384-float embedding. For comparing this module with
//! another implementation of the same model (docs/semantic.md, "Agreement").
//!
//! Run: `cargo run --release --example embed_texts -- FILE` where FILE holds the texts
//! separated by NUL bytes (a file without NUL bytes is read as one text per line). The model
//! is read from `$CONSULT_MODEL`, else `models/e5-small-q4.bin`.

use consult::semantic::{Embedder, default_model_path};

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: embed_texts FILE"))?;
    let content = std::fs::read_to_string(&path)?;
    let texts: Vec<&str> = if content.contains('\0') {
        content
            .strip_suffix('\0')
            .unwrap_or(&content)
            .split('\0')
            .collect()
    } else {
        content.lines().collect()
    };
    let embedder = Embedder::load(&default_model_path())?;
    for text in texts {
        let line = serde_json::json!({
            "ids": embedder.token_ids(text),
            "vec": embedder.embed(text),
        });
        println!("{line}");
    }
    Ok(())
}

//! Sentence embeddings for grouping comments by meaning: multilingual-e5-small (4-bit), run
//! by this module on the CPU, offline. `docs/semantic.md` describes the model, its file and
//! how this code reads and runs it.
//!
//! ```no_run
//! use consult_semantic::{Embedder, default_model_path};
//! let embedder = Embedder::load(&default_model_path())?;
//! let a = embedder.embed("十五天的征求意见时间太短了，请延长到三十天");
//! let b = embedder.embed("提议将征求意见期限由十五日延长至三十日");
//! let cosine: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
//! # Ok::<(), consult_semantic::EmbedError>(())
//! ```

mod bert;
mod format;
mod kernel;
#[cfg(test)]
mod tests;
mod tokenizer;

use std::fmt;
use std::path::{Path, PathBuf};

use bert::Encoder;
use format::{Header, ModelFile, Problem};
use tokenizer::Tokenizer;

/// The model this module runs, as [`Embedder::model_id`] names it.
pub const MODEL_ID: &str = "multilingual-e5-small-q4";

/// Where the model file is looked for when nothing else is said.
pub const DEFAULT_MODEL_PATH: &str = "models/e5-small-q4.bin";

/// The prefix the model expects before a text to be compared with others of its kind.
const QUERY_PREFIX: &str = "query: ";

/// The shape of multilingual-e5-small; a file of another shape is refused.
const E5_SMALL: Header = Header {
    hidden: 384,
    layers: 12,
    heads: 12,
    ffn: 1536,
    vocab_rows: 250_037,
    max_positions: 512,
    type_vocab: 2,
    layer_norm_eps: 1e-12,
};

/// The XLM-RoBERTa vocabulary's size (the embedding table has 35 more, unused, rows).
const E5_SMALL_PIECES: usize = 250_002;

/// `$CONSULT_MODEL` when set (and not empty), else `models/e5-small-q4.bin` relative to the
/// current directory (`scripts/fetch-model` puts it there).
pub fn default_model_path() -> PathBuf {
    match std::env::var_os("CONSULT_MODEL") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(DEFAULT_MODEL_PATH),
    }
}

/// Why a model file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("cannot read the model file {}: {source} (scripts/fetch-model fetches it)", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not an E5S1 model file: it starts with {}", path.display(), found.escape_ascii())]
    NotAModel { path: PathBuf, found: [u8; 4] },
    #[error("{} is E5S1 version {version}, but only version 1 can be read", path.display())]
    UnsupportedVersion { path: PathBuf, version: u32 },
    #[error("the model file {} is truncated: it ends inside {what}", path.display())]
    Truncated { path: PathBuf, what: String },
    #[error("the model file {} is not multilingual-e5-small as expected: {what}", path.display())]
    Invalid { path: PathBuf, what: String },
}

impl EmbedError {
    fn new(path: &Path, problem: Problem) -> EmbedError {
        let path = path.to_path_buf();
        match problem {
            Problem::BadMagic(found) => EmbedError::NotAModel { path, found },
            Problem::Version(version) => EmbedError::UnsupportedVersion { path, version },
            Problem::Truncated(what) => EmbedError::Truncated { path, what },
            Problem::Invalid(what) => EmbedError::Invalid { path, what },
        }
    }
}

/// The loaded model: tokeniser and encoder, about 100 MiB in memory. Load it once and share
/// it (it is `Send + Sync`); each [`Embedder::embed`] call works on its own memory.
pub struct Embedder {
    tokenizer: Tokenizer,
    encoder: Encoder,
}

impl fmt::Debug for Embedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Embedder")
            .field("model", &MODEL_ID)
            .field("dim", &self.dim())
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// Reads and checks an E5S1 file (magic, version, every length, and that its shapes
    /// are those of multilingual-e5-small) and prepares the weights: 0.2 s in a release
    /// build.
    pub fn load(path: &Path) -> Result<Embedder, EmbedError> {
        let data = std::fs::read(path).map_err(|source| EmbedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Embedder::from_bytes(&data).map_err(|problem| EmbedError::new(path, problem))
    }

    fn from_bytes(data: &[u8]) -> Result<Embedder, Problem> {
        let file = ModelFile::parse(data)?;
        if file.header != E5_SMALL {
            return Err(Problem::Invalid(format!(
                "its header says {:?}, expected {E5_SMALL:?}",
                file.header
            )));
        }
        if file.vocab.pieces.len() != E5_SMALL_PIECES {
            return Err(Problem::Invalid(format!(
                "{} vocabulary pieces, expected {E5_SMALL_PIECES}",
                file.vocab.pieces.len()
            )));
        }
        let encoder = Encoder::load(&file)?;
        let tokenizer = Tokenizer::new(file.vocab, file.char_map, E5_SMALL.max_positions);
        Ok(Embedder { tokenizer, encoder })
    }

    /// The embedding of `text` as a query ("query: " + text): the mean of the encoder's
    /// last layer over all tokens, L2-normalised; [`Embedder::dim`] floats. Text beyond the
    /// model's 512 tokens is cut off. The same text always gives the same bits (on a given
    /// machine), whatever else is embedded, and by whichever thread.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.encoder.embed(&self.token_ids(text))
    }

    /// The token ids the model reads for `text`: `<s>`, the pieces of "query: " + text (at
    /// most 510), `</s>`.
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        let mut prefixed = String::with_capacity(QUERY_PREFIX.len() + text.len());
        prefixed.push_str(QUERY_PREFIX);
        prefixed.push_str(text);
        self.tokenizer.encode(&prefixed)
    }

    /// The length of an embedding (384).
    pub fn dim(&self) -> usize {
        self.encoder.hidden()
    }

    /// Which model made the vectors: store it beside them, so that vectors of different
    /// models are never compared.
    pub fn model_id(&self) -> &'static str {
        MODEL_ID
    }
}

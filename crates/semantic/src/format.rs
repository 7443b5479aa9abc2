//! The E5S1 model file: a header, the SentencePiece vocabulary with its scores, the
//! normaliser's per-character table, and a directory of named tensors (fp32, or Q4_0 blocks).
//!
//! Everything is little-endian. The reader checks every length against the file before it
//! slices, so a truncated or corrupt file is an error, never a panic.

use std::collections::HashMap;

/// The four bytes every model file starts with.
pub(crate) const MAGIC: &[u8; 4] = b"E5S1";
/// The only layout version this reader knows.
pub(crate) const VERSION: u32 = 1;
/// Weights per Q4_0 block.
pub(crate) const BLOCK: usize = 32;
/// Bytes per Q4_0 block: an fp16 scale, then 16 bytes holding 32 four-bit weights.
pub(crate) const BLOCK_BYTES: usize = 2 + BLOCK / 2;

/// What is wrong with the bytes (the caller adds the file's path).
#[derive(Debug)]
pub(crate) enum Problem {
    BadMagic([u8; 4]),
    Version(u32),
    Truncated(String),
    Invalid(String),
}

fn truncated(what: &str) -> Problem {
    Problem::Truncated(what.to_string())
}

/// The model's dimensions as the header gives them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    /// Rows of the token-embedding table (can exceed the number of pieces: padding rows).
    pub vocab_rows: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub layer_norm_eps: f32,
}

/// The unigram vocabulary: piece bytes, their log-probabilities and the special ids.
pub(crate) struct Vocab {
    pub pieces: Vec<Box<[u8]>>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
}

/// The normaliser, flattened to "this code point becomes these code points" (possibly none).
pub(crate) type CharMap = HashMap<u32, Box<[char]>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DType {
    F32,
    Q4_0,
}

#[derive(Debug, Clone)]
pub(crate) struct Tensor {
    pub dtype: DType,
    /// Number of values (not bytes).
    pub len: usize,
    pub offset: usize,
    pub bytes: usize,
}

/// A parsed file: the parts above, and the tensors still as byte ranges of `data`.
pub(crate) struct ModelFile<'a> {
    data: &'a [u8],
    pub header: Header,
    pub vocab: Vocab,
    pub char_map: CharMap,
    tensors: HashMap<String, Tensor>,
}

/// A little-endian reader over the file that fails, naming what it was reading, at the end.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Problem> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(truncated(what));
        };
        let bytes = &self.data[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], Problem> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, Problem> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, Problem> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32, Problem> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64, Problem> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &str) -> Result<f32, Problem> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// A count stored as a signed 32-bit integer, which must be positive.
    fn count(&mut self, what: &str) -> Result<usize, Problem> {
        let raw = i32::from_le_bytes(self.array(what)?);
        usize::try_from(raw)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| Problem::Invalid(format!("{what} is {raw}")))
    }

    /// An id stored as a signed 32-bit integer, which must be below `limit`.
    fn id(&mut self, what: &str, limit: usize) -> Result<u32, Problem> {
        let raw = i32::from_le_bytes(self.array(what)?);
        u32::try_from(raw)
            .ok()
            .filter(|&id| (id as usize) < limit)
            .ok_or_else(|| Problem::Invalid(format!("{what} is {raw}, not below {limit}")))
    }

    fn f32s(&mut self, n: usize, what: &str) -> Result<Vec<f32>, Problem> {
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| truncated(what))?, what)?;
        Ok(f32s_le(bytes))
    }

    fn u32s(&mut self, n: usize, what: &str) -> Result<Vec<u32>, Problem> {
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| truncated(what))?, what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// Little-endian f32 values from bytes (a multiple of four long).
pub(crate) fn f32s_le(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

impl<'a> ModelFile<'a> {
    pub fn parse(data: &'a [u8]) -> Result<ModelFile<'a>, Problem> {
        let mut r = Reader { data, at: 0 };
        let magic: [u8; 4] = match r.array("the magic") {
            Ok(m) => m,
            Err(_) => {
                let mut found = [0u8; 4];
                found[..data.len()].copy_from_slice(data);
                return Err(Problem::BadMagic(found));
            }
        };
        if &magic != MAGIC {
            return Err(Problem::BadMagic(magic));
        }
        let version = r.u32("the version")?;
        if version != VERSION {
            return Err(Problem::Version(version));
        }
        let header = Header {
            hidden: r.count("the hidden size")?,
            layers: r.count("the layer count")?,
            heads: r.count("the head count")?,
            ffn: r.count("the feed-forward size")?,
            vocab_rows: r.count("the embedding-table rows")?,
            max_positions: r.count("the position count")?,
            type_vocab: r.count("the token-type count")?,
            layer_norm_eps: r.f32("the layer-norm epsilon")?,
        };
        let block = r.count("the quantisation block size")?;
        if block != BLOCK {
            return Err(Problem::Invalid(format!(
                "quantisation blocks of {block} weights (this reader knows {BLOCK})"
            )));
        }
        if !header.hidden.is_multiple_of(header.heads)
            || !header.hidden.is_multiple_of(BLOCK)
            || !header.ffn.is_multiple_of(BLOCK)
        {
            return Err(Problem::Invalid(format!(
                "hidden size {} with {} heads and feed-forward size {} (each must split evenly into heads and into blocks of {BLOCK})",
                header.hidden, header.heads, header.ffn
            )));
        }
        if !(header.layer_norm_eps > 0.0 && header.layer_norm_eps < 1.0) {
            return Err(Problem::Invalid(format!(
                "layer-norm epsilon {}",
                header.layer_norm_eps
            )));
        }

        let vocab = read_vocab(&mut r, header.vocab_rows)?;
        let char_map = read_char_map(&mut r)?;
        let tensors = read_directory(&mut r, data.len())?;
        Ok(ModelFile {
            data,
            header,
            vocab,
            char_map,
            tensors,
        })
    }

    fn tensor(&self, name: &str, dtype: DType, len: usize) -> Result<&'a [u8], Problem> {
        let t = self
            .tensors
            .get(name)
            .ok_or_else(|| Problem::Invalid(format!("tensor {name} is missing")))?;
        if t.dtype != dtype || t.len != len {
            return Err(Problem::Invalid(format!(
                "tensor {name} holds {} {:?} values, expected {len} {dtype:?}",
                t.len, t.dtype
            )));
        }
        Ok(&self.data[t.offset..t.offset + t.bytes])
    }

    /// An fp32 tensor of exactly `len` values.
    pub fn f32_tensor(&self, name: &str, len: usize) -> Result<Vec<f32>, Problem> {
        Ok(f32s_le(self.tensor(name, DType::F32, len)?))
    }

    /// The raw Q4_0 blocks of a `rows` × `cols` tensor (row-major, blocks along a row).
    pub fn q4_tensor(&self, name: &str, rows: usize, cols: usize) -> Result<&'a [u8], Problem> {
        self.tensor(name, DType::Q4_0, rows * cols)
    }
}

fn read_vocab(r: &mut Reader<'_>, vocab_rows: usize) -> Result<Vocab, Problem> {
    let n = r.count("the piece count")?;
    if n > vocab_rows {
        return Err(Problem::Invalid(format!(
            "{n} pieces but only {vocab_rows} embedding rows"
        )));
    }
    let bos = r.id("the <s> id", n)?;
    let eos = r.id("the </s> id", n)?;
    let _pad = r.id("the <pad> id", n)?;
    let unk = r.id("the <unk> id", n)?;
    let blob_len = usize::try_from(r.u64("the piece-text length")?)
        .map_err(|_| truncated("the piece texts"))?;
    let offsets = r.u32s(n + 1, "the piece offsets")?;
    let scores = r.f32s(n, "the piece scores")?;
    let blob = r.take(blob_len, "the piece texts")?;
    let mut pieces = Vec::with_capacity(n);
    for (i, w) in offsets.windows(2).enumerate() {
        let (start, end) = (w[0] as usize, w[1] as usize);
        if start > end || end > blob.len() {
            return Err(Problem::Invalid(format!(
                "piece {i} spans bytes {start}..{end} of {}",
                blob.len()
            )));
        }
        pieces.push(Box::from(&blob[start..end]));
    }
    if let Some(bad) = scores.iter().position(|s| !s.is_finite()) {
        return Err(Problem::Invalid(format!(
            "piece {bad} has score {}",
            scores[bad]
        )));
    }
    Ok(Vocab {
        pieces,
        scores,
        bos,
        eos,
        unk,
    })
}

fn read_char_map(r: &mut Reader<'_>) -> Result<CharMap, Problem> {
    let n = r.count("the normaliser's entry count")?;
    let len = r.u32("the normaliser's length")? as usize;
    let mut t = Reader {
        data: r.take(len, "the normaliser")?,
        at: 0,
    };
    let mut map = CharMap::with_capacity(n);
    for _ in 0..n {
        let from = t.u32("a normaliser entry")?;
        let count = t.u8("a normaliser entry")? as usize;
        let mut to = Vec::with_capacity(count);
        for _ in 0..count {
            let cp = t.u32("a normaliser entry")?;
            to.push(char::from_u32(cp).ok_or_else(|| {
                Problem::Invalid(format!("the normaliser maps U+{from:04X} to {cp:#x}"))
            })?);
        }
        map.insert(from, to.into_boxed_slice());
    }
    if t.at != len {
        return Err(Problem::Invalid(format!(
            "the normaliser has {} stray bytes",
            len - t.at
        )));
    }
    Ok(map)
}

fn read_directory(r: &mut Reader<'_>, file_len: usize) -> Result<HashMap<String, Tensor>, Problem> {
    let n = r.count("the tensor count")?;
    let mut tensors = HashMap::with_capacity(n);
    for _ in 0..n {
        let name_len = r.u16("a tensor name")? as usize;
        let name = String::from_utf8(r.take(name_len, "a tensor name")?.to_vec())
            .map_err(|_| Problem::Invalid("a tensor name is not UTF-8".to_string()))?;
        let dtype = match r.u8("a tensor type")? {
            0 => DType::F32,
            1 => DType::Q4_0,
            other => {
                return Err(Problem::Invalid(format!(
                    "tensor {name} has unknown type {other}"
                )));
            }
        };
        let len = r.u32("a tensor size")? as usize;
        let offset = usize::try_from(r.u64("a tensor offset")?).unwrap_or(usize::MAX);
        let bytes = usize::try_from(r.u64("a tensor length")?).unwrap_or(usize::MAX);
        let expected = match dtype {
            DType::F32 => len * 4,
            DType::Q4_0 if len.is_multiple_of(BLOCK) => len / BLOCK * BLOCK_BYTES,
            DType::Q4_0 => {
                return Err(Problem::Invalid(format!(
                    "tensor {name} has {len} values, not whole blocks of {BLOCK}"
                )));
            }
        };
        if bytes != expected {
            return Err(Problem::Invalid(format!(
                "tensor {name} takes {bytes} bytes, expected {expected}"
            )));
        }
        if offset.checked_add(bytes).is_none_or(|end| end > file_len) {
            return Err(Problem::Truncated(format!(
                "tensor {name} (bytes {offset}..+{bytes} of a {file_len}-byte file)"
            )));
        }
        let tensor = Tensor {
            dtype,
            len,
            offset,
            bytes,
        };
        if tensors.insert(name.clone(), tensor).is_some() {
            return Err(Problem::Invalid(format!("tensor {name} appears twice")));
        }
    }
    Ok(tensors)
}

/// IEEE 754 half precision to single precision (exact: every half is a float).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exponent = u32::from((h >> 10) & 0x1f);
    let mantissa = u32::from(h & 0x3ff);
    let bits = match exponent {
        // Zero, or a subnormal half: its value is mantissa × 2^-24, which f32 holds exactly.
        0 => {
            let magnitude = mantissa as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -magnitude } else { magnitude };
        }
        // Infinity or NaN (the payload kept).
        0x1f => sign | 0x7f80_0000 | (mantissa << 13),
        // Normal: rebias the exponent from 15 to 127.
        _ => sign | ((exponent + 127 - 15) << 23) | (mantissa << 13),
    };
    f32::from_bits(bits)
}

/// Dequantises whole Q4_0 blocks into `out` (32 values per 18-byte block). In a block, byte
/// `j` holds weight `j` in its low nibble and weight `j + 16` in its high nibble; a weight
/// is `(nibble − 8) × scale`.
pub(crate) fn dequantize_q4_0(blocks: &[u8], out: &mut [f32]) {
    debug_assert_eq!(blocks.len() / BLOCK_BYTES * BLOCK, out.len());
    for (block, out) in blocks
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(BLOCK))
    {
        let scale = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        let (low, high) = out.split_at_mut(BLOCK / 2);
        for ((&byte, lo), hi) in block[2..].iter().zip(low).zip(high) {
            *lo = (i32::from(byte & 0x0f) - 8) as f32 * scale;
            *hi = (i32::from(byte >> 4) - 8) as f32 * scale;
        }
    }
}

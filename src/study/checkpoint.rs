//! Checkpoints: a trained model as a file, with the pretrained model it
//! started from, that the page and the CLI can measure again, and that
//! Python reads without this project.
//!
//! The file is [safetensors](https://github.com/huggingface/safetensors):
//! eight bytes (the header's length, u64 little-endian), a JSON header
//! naming each tensor's dtype (F32), shape and byte range, then the data.
//! Record r's parameters are tensors `{model,pretrained}.{name}` with the
//! names of [`Layout::names`]; the header's `__metadata__` holds this
//! lab's [`Header`] as JSON under `opimp`, and the architecture in plain
//! keys (`d_model`, `n_layers`, `n_heads`, `d_ff`, `norm_first`, `size`)
//! for whoever reads the file elsewhere. Every part is checked before
//! anything is allocated: the shape must be the size's, so the file's
//! length is known from its header. Files of version 3 (the lab's own
//! format: the magic `OPIMPCK3`, a JSON header, the weights) are still read.

use super::key::ModelKey;
use super::layout::{Layout, ModelShape};
use super::size::Size;
use crate::sequence::SuccessSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MAGIC: &[u8; 8] = b"OPIMPCK3";
const FORMAT: &str = "opimp-checkpoint";
/// The checkpoint version this lab writes (safetensors).
pub const VERSION: u32 = 4;
/// Largest header (bytes).
const MAX_HEADER: usize = 64 << 10;
/// Largest number of records (a model and the model it started from).
const MAX_RECORDS: usize = 2;
/// Largest checkpoint file (bytes): two xl models take 3.2 MB.
pub const MAX_CHECKPOINT_BYTES: usize = 8 << 20;
/// The records' names, in order.
const RECORDS: [&str; MAX_RECORDS] = ["model", "pretrained"];

/// What a checkpoint says about its model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `opimp-checkpoint`.
    pub format: String,
    /// Format version ([`VERSION`]; 3 for the lab's own earlier format).
    pub version: u32,
    /// The model's size.
    pub size: Size,
    /// Its shape (must be the size's).
    pub shape: ModelShape,
    /// Free-form description.
    pub note: String,
    /// How the model was trained, when it came out of an experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trained: Option<TrainedAs>,
    /// How many weight records follow (the model first, then the
    /// pretrained model it was fine-tuned from).
    pub records: usize,
}

/// The experiment a checkpointed model came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainedAs {
    /// The model's seed in the experiment.
    pub seed: u64,
    /// The seed its untrained weights were drawn from.
    pub init_seed: u64,
    /// The task it was fine-tuned on.
    pub task: SuccessSet,
}

/// One tensor's entry in a safetensors header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TensorEntry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// Whether bytes look like a checkpoint of this lab (either version),
/// from their start alone.
pub fn looks_like_one(bytes: &[u8]) -> bool {
    bytes.starts_with(b"OPIMPCK") || (bytes.len() > 8 && bytes[8] == b'{' && String::from_utf8_lossy(&bytes[8..bytes.len().min(4096)]).contains(FORMAT))
}

/// Writes records (each a model's weights in the fixed order) of a model
/// of `size` with pre-norm (`norm_first`) or post-norm blocks as a
/// checkpoint (safetensors).
pub fn write(size: Size, norm_first: bool, note: &str, trained: Option<TrainedAs>, records: &[&[f32]]) -> Result<Vec<u8>, String> {
    let shape = size.shape_with(norm_first);
    if records.is_empty() || records.len() > MAX_RECORDS {
        return Err(format!("a checkpoint holds 1 to {MAX_RECORDS} models, not {}", records.len()));
    }
    if let Some(r) = records.iter().find(|r| r.len() != shape.param_count()) {
        return Err(format!("a record has {} weights; size {size} has {}", r.len(), shape.param_count()));
    }
    let header = Header { format: FORMAT.into(), version: VERSION, size, shape: shape.clone(), note: note.into(), trained, records: records.len() };
    let layout = Layout::of(&shape);
    let mut json = serde_json::Map::new();
    let mut meta = BTreeMap::new();
    meta.insert("format".to_string(), FORMAT.to_string());
    meta.insert("opimp".to_string(), serde_json::to_string(&header).map_err(|e| e.to_string())?);
    meta.insert("size".to_string(), size.name().to_string());
    for (k, v) in [("d_model", shape.d_model), ("n_layers", shape.n_layers), ("n_heads", shape.n_heads), ("d_ff", shape.d_ff)] {
        meta.insert(k.to_string(), v.to_string());
    }
    meta.insert("norm_first".to_string(), shape.norm_first.to_string());
    meta.insert("layout".to_string(), "linear weights are [in, out] (y = x W + b); tokens [16, d]; positions [20, d]".to_string());
    json.insert("__metadata__".into(), serde_json::to_value(&meta).map_err(|e| e.to_string())?);
    let mut at = 0;
    for (r, name) in records.iter().zip(RECORDS) {
        for (spec, param) in layout.specs.iter().zip(layout.names()) {
            let bytes = spec.len() * 4;
            let entry = TensorEntry { dtype: "F32".into(), shape: spec.dims.clone(), data_offsets: [at, at + bytes] };
            json.insert(format!("{name}.{param}"), serde_json::to_value(entry).map_err(|e| e.to_string())?);
            at += bytes;
        }
        debug_assert_eq!(at % (shape.param_count() * 4), 0, "{} values per record", r.len());
    }
    let mut head = serde_json::to_vec(&json).map_err(|e| e.to_string())?;
    // The data starts on an 8-byte boundary (the format pads with spaces).
    while (8 + head.len()) % 8 != 0 {
        head.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + head.len() + at);
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    for r in records {
        for v in *r {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    Ok(out)
}

impl Header {
    /// The model of the experiment it came from, when it says.
    pub fn model(&self) -> Option<ModelKey> {
        self.trained.as_ref().map(|t| ModelKey { size: self.size, seed: t.seed, task: t.task })
    }
}

/// Reads a checkpoint's header and checks that the file holds exactly the
/// weights it promises (their count, not their values): what the page needs
/// to tell which model a file is without decoding it. Returns the header
/// and where the weights start.
pub fn read_header(bytes: &[u8]) -> Result<(Header, usize), String> {
    if bytes.len() > MAX_CHECKPOINT_BYTES {
        return Err(format!("the file is {} MB; a checkpoint is at most {} MB", bytes.len() >> 20, MAX_CHECKPOINT_BYTES >> 20));
    }
    let (header, start) = if bytes.len() >= 8 && &bytes[..8] == MAGIC { read_v3_header(bytes)? } else { read_safetensors_header(bytes)? };
    if header.shape != header.size.shape_with(header.shape.norm_first) {
        return Err(format!(
            "the header says size {} but gives another shape ({:?}); the file was edited or is not this lab's",
            header.size, header.shape
        ));
    }
    if !(1..=MAX_RECORDS).contains(&header.records) {
        return Err(format!("the header promises {} models; a checkpoint holds 1 to {MAX_RECORDS}", header.records));
    }
    let per = header.shape.param_count();
    let body = &bytes[start..];
    if body.len() != header.records * per * 4 {
        return Err(format!(
            "truncated or padded checkpoint: {} models of size {} take {} bytes, the file has {}",
            header.records,
            header.size,
            header.records * per * 4,
            body.len()
        ));
    }
    Ok((header, start))
}

/// The header of a version 3 file (the lab's own earlier format).
fn read_v3_header(bytes: &[u8]) -> Result<(Header, usize), String> {
    if bytes.len() < 12 {
        return Err("truncated checkpoint (header cut short)".into());
    }
    let n = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    if n > MAX_HEADER {
        return Err(format!("bad checkpoint header (says it is {n} bytes long)"));
    }
    let head = bytes.get(12..12 + n).ok_or("truncated checkpoint (header cut short)")?;
    let header: Header = serde_json::from_slice(head).map_err(|e| format!("bad checkpoint header: {e}"))?;
    if header.format != FORMAT || header.version != 3 {
        return Err(format!("not an opimp checkpoint version 3 (format '{}' version {})", header.format, header.version));
    }
    Ok((header, 12 + n))
}

/// The header of a safetensors file of this lab: this lab's header from
/// the metadata, and every tensor where the layout puts it.
fn read_safetensors_header(bytes: &[u8]) -> Result<(Header, usize), String> {
    if bytes.len() >= 8 && &bytes[..6] == b"OPIMPC" {
        return Err("a checkpoint from an earlier version of the lab (train it again with this version)".into());
    }
    if bytes.len() < 9 {
        return Err("not an opimp checkpoint (too short for a safetensors file)".into());
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if n as usize > MAX_HEADER || bytes[8] != b'{' {
        return Err("not an opimp checkpoint (neither this lab's safetensors file nor its earlier format)".into());
    }
    let n = n as usize;
    let head = bytes.get(8..8 + n).ok_or("truncated checkpoint (header cut short)")?;
    let mut json: BTreeMap<String, serde_json::Value> = serde_json::from_slice(head).map_err(|e| format!("bad checkpoint header: {e}"))?;
    let meta: BTreeMap<String, String> = json
        .remove("__metadata__")
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| format!("bad checkpoint metadata: {e}"))?
        .unwrap_or_default();
    if meta.get("format").map(String::as_str) != Some(FORMAT) {
        return Err("a safetensors file, but not an opimp checkpoint (no opimp metadata)".into());
    }
    let header: Header = serde_json::from_str(meta.get("opimp").map(String::as_str).unwrap_or(""))
        .map_err(|e| format!("bad checkpoint header: {e}"))?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(format!("not an opimp checkpoint version {VERSION} (format '{}' version {})", header.format, header.version));
    }
    header.shape.check()?;
    if !(1..=MAX_RECORDS).contains(&header.records) {
        return Err(format!("the header promises {} models; a checkpoint holds 1 to {MAX_RECORDS}", header.records));
    }
    // Every tensor of every record, in order, exactly where the layout
    // puts it, and no other.
    let layout = Layout::of(&header.shape);
    let mut at = 0;
    let mut expected = 0;
    for name in &RECORDS[..header.records] {
        for (spec, param) in layout.specs.iter().zip(layout.names()) {
            let key = format!("{name}.{param}");
            let entry: TensorEntry = json
                .get(&key)
                .cloned()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| format!("bad tensor {key}: {e}"))?
                .ok_or_else(|| format!("the checkpoint has no tensor {key}"))?;
            let want = TensorEntry { dtype: "F32".into(), shape: spec.dims.clone(), data_offsets: [at, at + spec.len() * 4] };
            if entry != want {
                return Err(format!("tensor {key} is not where this lab puts it ({:?} {:?} at {:?})", entry.dtype, entry.shape, entry.data_offsets));
            }
            at += spec.len() * 4;
            expected += 1;
        }
    }
    if json.len() != expected {
        return Err(format!("the checkpoint holds {} tensors; a model of size {} with {} record(s) has {expected}", json.len(), header.size, header.records));
    }
    Ok((header, 8 + n))
}

/// Reads a checkpoint, refusing anything that is not exactly one: its
/// header and its records (every weight finite).
pub fn read(bytes: &[u8]) -> Result<(Header, Vec<Vec<f32>>), String> {
    let (header, start) = read_header(bytes)?;
    let per = header.shape.param_count();
    let body = &bytes[start..];
    let mut records = Vec::with_capacity(header.records);
    for chunk in body.chunks(per * 4) {
        let w: Vec<f32> = chunk.chunks(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        if let Some(i) = w.iter().position(|v| !v.is_finite()) {
            return Err(format!("weight {i} is not a finite number"));
        }
        records.push(w);
    }
    Ok((header, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's header JSON, edited, and the file put back together.
    fn edit_header(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let head = edit(String::from_utf8(bytes[8..8 + n].to_vec()).unwrap());
        let mut out = (head.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&bytes[8 + n..]);
        out
    }

    /// A version 3 file (the lab's own earlier format) of `records`.
    fn v3(size: Size, trained: Option<TrainedAs>, records: &[&[f32]]) -> Vec<u8> {
        let mut shape = serde_json::to_value(size.shape_with(true)).unwrap();
        shape.as_object_mut().unwrap().remove("norm_first");
        let header = serde_json::json!({"format": FORMAT, "version": 3, "size": size, "shape": shape, "note": "v3",
                                        "trained": trained, "records": records.len()});
        let head = serde_json::to_vec(&header).unwrap();
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(head.len() as u32).to_le_bytes());
        out.extend_from_slice(&head);
        for r in records {
            for v in *r {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    #[test]
    fn checkpoints_round_trip_and_refuse_what_is_not_one() {
        let shape = Size::S.shape();
        let a: Vec<f32> = (0..shape.param_count()).map(|i| (i % 7) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..shape.param_count()).map(|i| (i % 5) as f32 * -0.2).collect();
        let trained = TrainedAs { seed: 3, init_seed: 4, task: SuccessSet::N4 };
        let bytes = write(Size::S, true, "test", Some(trained.clone()), &[&a, &b]).unwrap();
        assert!(looks_like_one(&bytes));
        let (h, recs) = read(&bytes).unwrap();
        assert_eq!((h.size, h.records, h.trained.clone(), h.version), (Size::S, 2, Some(trained.clone()), VERSION));
        assert_eq!(h.model(), Some(ModelKey { size: Size::S, seed: 3, task: SuccessSet::N4 }));
        assert_eq!(read_header(&bytes).unwrap().0, h);
        assert_eq!(recs, vec![a.clone(), b.clone()]);
        // Data on an 8-byte boundary, as the format asks.
        assert_eq!(read_header(&bytes).unwrap().1 % 8, 0);
        assert!(read(b"garbage").is_err());
        assert!(!looks_like_one(b"garbage"));
        assert!(read(&bytes[..bytes.len() / 2]).unwrap_err().contains("truncated"));
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(read(&padded).is_err());
        // A wrong size label: the tensors do not fit.
        let relabel = |from: &str, to: &str| edit_header(&bytes, |h| h.replacen(from, to, 1));
        assert!(read(&relabel("\\\"size\\\":\\\"s\\\"", "\\\"size\\\":\\\"m\\\"")).unwrap_err().contains("shape"));
        assert!(read(&relabel("\\\"n_heads\\\":4", "\\\"n_heads\\\":8")).unwrap_err().contains("edited"));
        assert!(read(&relabel("\\\"records\\\":2", "\\\"records\\\":1")).is_err());
        assert!(read(&relabel("\"F32\"", "\"F16\"")).unwrap_err().contains("not where"));
        assert!(read(&relabel("opimp-checkpoint", "someone-else")).unwrap_err().contains("not an opimp checkpoint"));
        let mut nan = bytes.clone();
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(read(&nan).unwrap_err().contains("finite"));
        // The header alone does not look at the weights.
        assert!(read_header(&nan).is_ok());
        assert!(write(Size::M, true, "x", None, &[&a]).is_err());
        assert!(read(&vec![0u8; MAX_CHECKPOINT_BYTES + 1]).unwrap_err().contains("at most"));
        // The block order is kept.
        let post = write(Size::S, false, "post", None, &[&a]).unwrap();
        assert!(!read(&post).unwrap().0.shape.norm_first);
        // Version 3 files still read (pre-norm, as they all were).
        let old = v3(Size::S, Some(trained.clone()), &[&a, &b]);
        let (h3, recs3) = read(&old).unwrap();
        assert_eq!((h3.version, h3.shape.norm_first, h3.trained, recs3), (3, true, Some(trained), vec![a.clone(), b]));
        assert!(looks_like_one(&old));
    }

    #[test]
    fn the_file_is_safetensors_with_the_layout_as_named_tensors() {
        let shape = Size::S.shape_with(false);
        let w: Vec<f32> = (0..shape.param_count()).map(|i| i as f32).collect();
        let bytes = write(Size::S, false, "named", None, &[&w]).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let json: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
        // The first tensor, the token embeddings [16, 32], holds the first
        // 512 values; the head's bias the last 16.
        assert_eq!(json["model.tokens"]["shape"], serde_json::json!([16, 32]));
        assert_eq!(json["model.tokens"]["data_offsets"], serde_json::json!([0, 16 * 32 * 4]));
        let end = shape.param_count() * 4;
        assert_eq!(json["model.head.bias"]["data_offsets"], serde_json::json!([end - 64, end]));
        assert_eq!(json["__metadata__"]["norm_first"], "false");
        assert_eq!(json["__metadata__"]["d_model"], "32");
        let first = f32::from_le_bytes(bytes[8 + n + 4..8 + n + 8].try_into().unwrap());
        assert_eq!(first, 1.0);
    }
}

//! Checkpoints: a trained model as a file, with the pretrained model it
//! started from, that the page and the CLI can measure again.
//!
//! The format is the lab's own, so every part can be checked before
//! anything is allocated: the magic `OPIMPCK3`, the header's length (u32,
//! little-endian), the header as JSON, then each record's weights as f32
//! little-endian in the model's fixed parameter order. The header names a
//! size; the shape must be that size's, so the file's length is known
//! exactly from the header.

use super::key::ModelKey;
use super::layout::ModelShape;
use super::size::Size;
use crate::sequence::SuccessSet;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"OPIMPCK3";
const FORMAT: &str = "opimp-checkpoint";
/// The checkpoint version this lab writes.
pub const VERSION: u32 = 3;
/// Largest header (bytes).
const MAX_HEADER: usize = 64 << 10;
/// Largest number of records (a model and the model it started from).
const MAX_RECORDS: usize = 2;
/// Largest checkpoint file (bytes): two xl models take 3.2 MB.
pub const MAX_CHECKPOINT_BYTES: usize = 8 << 20;

/// What a checkpoint says about its model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `opimp-checkpoint`.
    pub format: String,
    /// Format version ([`VERSION`]).
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

/// Writes records (each a model's weights in the fixed order) of a model
/// of `size` with pre-norm (`norm_first`) or post-norm blocks as a
/// checkpoint.
pub fn write(size: Size, norm_first: bool, note: &str, trained: Option<TrainedAs>, records: &[&[f32]]) -> Result<Vec<u8>, String> {
    let shape = size.shape_with(norm_first);
    if records.is_empty() || records.len() > MAX_RECORDS {
        return Err(format!("a checkpoint holds 1 to {MAX_RECORDS} models, not {}", records.len()));
    }
    if let Some(r) = records.iter().find(|r| r.len() != shape.param_count()) {
        return Err(format!("a record has {} weights; size {size} has {}", r.len(), shape.param_count()));
    }
    let header = Header { format: FORMAT.into(), version: VERSION, size, shape, note: note.into(), trained, records: records.len() };
    let head = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(12 + head.len() + records.len() * size.params() * 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(head.len() as u32).to_le_bytes());
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
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        if bytes.len() >= 8 && &bytes[..6] == b"OPIMPC" {
            return Err("a checkpoint from an earlier version of the lab (train it again with this version)".into());
        }
        return Err("not an opimp checkpoint (bad magic bytes)".into());
    }
    let n = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    if n > MAX_HEADER {
        return Err(format!("bad checkpoint header (says it is {n} bytes long)"));
    }
    let head = bytes.get(12..12 + n).ok_or("truncated checkpoint (header cut short)")?;
    let header: Header = serde_json::from_slice(head).map_err(|e| format!("bad checkpoint header: {e}"))?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(format!("not an opimp checkpoint version {VERSION} (format '{}' version {})", header.format, header.version));
    }
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
    let body = &bytes[12 + n..];
    if body.len() != header.records * per * 4 {
        return Err(format!(
            "truncated or padded checkpoint: {} models of size {} take {} bytes, the file has {}",
            header.records,
            header.size,
            header.records * per * 4,
            body.len()
        ));
    }
    Ok((header, 12 + n))
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

    #[test]
    fn checkpoints_round_trip_and_refuse_what_is_not_one() {
        let shape = Size::S.shape();
        let a: Vec<f32> = (0..shape.param_count()).map(|i| (i % 7) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..shape.param_count()).map(|i| (i % 5) as f32 * -0.2).collect();
        let trained = TrainedAs { seed: 3, init_seed: 4, task: SuccessSet::N4 };
        let bytes = write(Size::S, true, "test", Some(trained.clone()), &[&a, &b]).unwrap();
        let (h, recs) = read(&bytes).unwrap();
        assert_eq!((h.size, h.records, h.trained.clone()), (Size::S, 2, Some(trained)));
        assert_eq!(h.model(), Some(ModelKey { size: Size::S, seed: 3, task: SuccessSet::N4 }));
        assert_eq!(read_header(&bytes).unwrap().0, h);
        assert_eq!(recs, vec![a.clone(), b]);
        assert!(read(b"garbage").unwrap_err().contains("magic"));
        assert!(read(&bytes[..bytes.len() / 2]).unwrap_err().contains("truncated"));
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(read(&padded).is_err());
        // A wrong size label: the weights do not fit.
        let text = String::from_utf8_lossy(&bytes[12..12 + 300]).to_string();
        assert!(text.contains("\"size\":\"s\""));
        let relabel = |from: &str, to: &str| {
            let n = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
            let head = String::from_utf8(bytes[12..12 + n].to_vec()).unwrap().replacen(from, to, 1);
            let mut out = bytes[..8].to_vec();
            out.extend_from_slice(&(head.len() as u32).to_le_bytes());
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(&bytes[12 + n..]);
            out
        };
        assert!(read(&relabel("\"size\":\"s\"", "\"size\":\"m\"")).unwrap_err().contains("shape"));
        assert!(read(&relabel("\"n_heads\":4", "\"n_heads\":8")).unwrap_err().contains("edited"));
        assert!(read(&relabel("\"records\":2", "\"records\":1")).unwrap_err().contains("padded"));
        let mut nan = bytes.clone();
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(read(&nan).unwrap_err().contains("finite"));
        // The header alone does not look at the weights.
        assert!(read_header(&nan).is_ok());
        assert!(write(Size::M, true, "x", None, &[&a]).is_err());
        // The block order is kept; a header without it is pre-norm.
        let post = write(Size::S, false, "post", None, &[&a]).unwrap();
        assert!(!read(&post).unwrap().0.shape.norm_first);
        assert!(String::from_utf8_lossy(&bytes).contains("\"norm_first\":true"));
        let n = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let head = String::from_utf8(bytes[12..12 + n].to_vec()).unwrap().replacen(",\"norm_first\":true", "", 1);
        let mut old = bytes[..8].to_vec();
        old.extend_from_slice(&(head.len() as u32).to_le_bytes());
        old.extend_from_slice(head.as_bytes());
        old.extend_from_slice(&bytes[12 + n..]);
        assert!(read(&old).unwrap().0.shape.norm_first);
        assert!(read(&vec![0u8; MAX_CHECKPOINT_BYTES + 1]).unwrap_err().contains("at most"));
    }
}

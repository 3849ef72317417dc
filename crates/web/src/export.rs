//! A case's evidence as one ZIP file with a manifest of hashes (chain of
//! custody).
//!
//! The archive holds every evidence file under a path made from its id and
//! hash (never the name it came with), each item behind a signal and each
//! report as JSON (reporter identities are never exported), the case's
//! audit entries as JSON lines, and `manifest.json`: for each file its
//! path, SHA-256, size and provenance, plus the audit log's head at export
//! time. `manifest.sha256` holds the manifest's own hash; the export is
//! recorded in the audit log with that hash, so a copy can be checked
//! against the log later.

use harrier_core::audit::{Entry, Head};
use harrier_core::cases::{CaseDetail, EvidenceRecord};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use zip::write::SimpleFileOptions;

/// The export and the hash of its manifest.
pub struct Export {
    pub zip: Vec<u8>,
    pub manifest_sha256: String,
    pub files: usize,
}

fn extension(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    crate::api::dto::rfc3339(t)
}

struct Builder {
    writer: zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
    manifest: Vec<Value>,
}

impl Builder {
    fn add(&mut self, path: &str, bytes: &[u8], mut provenance: Value) -> Result<(), String> {
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        self.writer
            .start_file(path, options)
            .map_err(|e| format!("zip: {e}"))?;
        self.writer
            .write_all(bytes)
            .map_err(|e| format!("zip: {e}"))?;
        if let Some(map) = provenance.as_object_mut() {
            map.insert("path".into(), json!(path));
            map.insert("sha256".into(), json!(hex::encode(Sha256::digest(bytes))));
            map.insert("size".into(), json!(bytes.len()));
        }
        self.manifest.push(provenance);
        Ok(())
    }
}

/// Builds the archive. `files` are the evidence records with their bytes
/// (read from the blob store, whose address is their SHA-256: a mismatch
/// is refused).
pub fn build(
    detail: &CaseDetail,
    files: &[(EvidenceRecord, Vec<u8>)],
    audit: &[Entry],
    head: Option<&Head>,
    exported_by: &str,
    at: time::OffsetDateTime,
) -> Result<Export, String> {
    let mut b = Builder {
        writer: zip::ZipWriter::new(std::io::Cursor::new(Vec::new())),
        manifest: Vec::new(),
    };
    for (record, bytes) in files {
        let actual = hex::encode(Sha256::digest(bytes));
        if actual != record.sha256 {
            return Err(format!(
                "evidence {} should hash to {} but the stored bytes hash to {actual}: the blob store is damaged",
                record.id, record.sha256
            ));
        }
        let path = format!(
            "evidence/{}-{}.{}",
            record.id,
            &record.sha256[..16],
            extension(&record.media_type)
        );
        b.add(
            &path,
            bytes,
            json!({
                "kind": "evidence",
                "evidence_id": record.id,
                "media_type": record.media_type,
                "name_as_given": record.name,
                "source": record.source.as_str(),
                "source_ref": record.source_ref,
                "note": record.note,
                "captured_by": record.captured_by,
                "captured_at": rfc3339(record.captured_at),
            }),
        )?;
    }
    let mut items_seen = std::collections::BTreeSet::new();
    for signal in &detail.signals {
        let item = &signal.item;
        if !items_seen.insert(item.id) {
            continue;
        }
        let body = json!({
            "provider": item.provider,
            "external_id": item.external_id,
            "kind": item.kind,
            "ts": item.ts,
            "account": item.account,
            "room": item.room,
            "url": item.url,
            "text": item.text,
            "received_at": rfc3339(item.received_at),
            "signals": detail.signals.iter().filter(|s| s.item.id == item.id).map(|s| json!({
                "rule": s.rule, "category": s.category, "score": s.score,
                "ruleset_version": s.ruleset_version, "explanation": s.explanation,
                "created_at": rfc3339(s.created_at),
            })).collect::<Vec<_>>(),
        });
        let bytes = serde_json::to_vec_pretty(&body).map_err(|e| e.to_string())?;
        b.add(
            &format!("items/{}.json", item.id),
            &bytes,
            json!({
                "kind": "item",
                "provider": item.provider,
                "external_id": item.external_id,
                "received_at": rfc3339(item.received_at),
            }),
        )?;
    }
    for report in &detail.reports {
        let body = json!({
            "id": report.id,
            "channel": report.channel.as_str(),
            "category": report.category,
            "platform": report.platform,
            "occurred_on": report.occurred_on.map(|d| d.to_string()),
            "description": report.description,
            "received_at": rfc3339(report.received_at),
            "locations": report.locations.iter().map(|l| json!({"kind": l.kind.as_str(), "value": l.value})).collect::<Vec<_>>(),
            "files": report.files.iter().map(|f| json!({"sha256": f.sha256, "media_type": f.media_type, "size": f.size})).collect::<Vec<_>>(),
        });
        let bytes = serde_json::to_vec_pretty(&body).map_err(|e| e.to_string())?;
        b.add(
            &format!("reports/{}.json", report.id),
            &bytes,
            json!({"kind": "report", "report_id": report.id, "received_at": rfc3339(report.received_at)}),
        )?;
    }
    let mut lines = Vec::new();
    for entry in audit {
        serde_json::to_writer(&mut lines, entry).map_err(|e| e.to_string())?;
        lines.push(b'\n');
    }
    b.add(
        "audit.jsonl",
        &lines,
        json!({"kind": "audit", "entries": audit.len()}),
    )?;
    let case = &detail.case;
    let files_count = b.manifest.len();
    let manifest = json!({
        "format": "harrier-evidence-export/1",
        "case": {
            "id": case.id,
            "state": case.state.as_str(),
            "category": case.category,
            "subject": {"kind": case.subject.kind.as_str(), "platform": case.subject.platform, "key": case.subject.key},
            "opened_at": rfc3339(case.opened_at),
        },
        "exported_by": exported_by,
        "exported_at": rfc3339(at),
        "audit_head": head.map(ToString::to_string),
        "reporter_identities": "not exported",
        "files": b.manifest,
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    let manifest_sha256 = hex::encode(Sha256::digest(&manifest));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    b.writer
        .start_file("manifest.json", options)
        .map_err(|e| format!("zip: {e}"))?;
    b.writer
        .write_all(&manifest)
        .map_err(|e| format!("zip: {e}"))?;
    b.writer
        .start_file("manifest.sha256", options)
        .map_err(|e| format!("zip: {e}"))?;
    b.writer
        .write_all(format!("{manifest_sha256}  manifest.json\n").as_bytes())
        .map_err(|e| format!("zip: {e}"))?;
    let zip = b
        .writer
        .finish()
        .map_err(|e| format!("zip: {e}"))?
        .into_inner();
    Ok(Export {
        zip,
        manifest_sha256,
        files: files_count,
    })
}

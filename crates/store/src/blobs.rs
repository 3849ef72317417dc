//! The blob folder: evidence files named by their SHA-256.
//!
//! Layout `blobs/ab/cd/abcd…`. A blob is written to a temporary file, synced,
//! renamed into place and its folder synced, so a crash leaves either no blob
//! or the whole blob, and the report that names it is committed only after.

use async_trait::async_trait;
use harrier_core::evidence::sha256_hex;
use harrier_core::ports::{BlobStore, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Blobs in a folder on the local disk.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp")).map_err(io)?;
        Ok(Self { root })
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| {
            self.root
                .join(&sha256[..2])
                .join(&sha256[2..4])
                .join(sha256)
        })
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("blob folder: {e}"))
}

fn write_durably(root: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if target.exists() {
        return Ok(());
    }
    let suffix: u64 = rand::random();
    let tmp = root.join("tmp").join(format!("{suffix:016x}"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    let dir = target.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)?;
    std::fs::rename(&tmp, target)?;
    std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: Vec<u8>) -> Result<String, StoreError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let sha = sha256_hex(&bytes);
            let target = root.join(&sha[..2]).join(&sha[2..4]).join(&sha);
            write_durably(&root, &target, &bytes).map_err(io)?;
            Ok(sha)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }

    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(None);
        };
        tokio::task::spawn_blocking(move || {
            match harrier_core::bounded::read_file(&path, 64 * 1024 * 1024) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io(e)),
            }
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_named_by_content_and_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let a = store.put(b"evidence".to_vec()).await.unwrap();
        let b = store.put(b"evidence".to_vec()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(store.get(&a).await.unwrap().unwrap(), b"evidence");
        assert_eq!(store.get(&"0".repeat(64)).await.unwrap(), None);
        assert_eq!(store.get("../../etc/passwd").await.unwrap(), None);
    }
}

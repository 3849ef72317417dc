//! `harrier audit verify` and `harrier audit head`: check the hash chain of
//! the audit log and export its newest head for safekeeping elsewhere.

use crate::config::Config;
use crate::wiring;
use anyhow::bail;
use harrier_core::audit::{Head, Verifier};
use harrier_core::cases::CaseStore;

/// Records an action taken with the command line (the actor is
/// `system:cli`: whoever can run it can read the data directory).
pub async fn record(
    store: &harrier_store::SqliteStore,
    action: &'static str,
    object: String,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    use harrier_core::audit::{Actor, NewEntry};
    use harrier_core::clock::{Clock, SystemClock};
    store
        .append_audit(
            NewEntry::new(Actor::System("cli"), action, object, detail),
            SystemClock.now(),
        )
        .await?;
    Ok(())
}

/// Entries read per page while verifying.
const PAGE: u32 = 10_000;

/// Walks the whole log; with `kept`, also checks that the log still holds
/// that head. Fails (exit status 1) naming the first bad entry.
pub async fn verify(config: &Config, kept: Option<&str>) -> anyhow::Result<()> {
    let kept = kept
        .map(Head::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let store = wiring::open_store(config)?;
    let mut verifier = Verifier::new(kept);
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, PAGE, None).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            if let Err(broken) = verifier.push(entry) {
                bail!("the audit log does not hold: {broken}");
            }
        }
    }
    match verifier.finish() {
        Ok(verified) => {
            let head = verified
                .head
                .map_or_else(|| "none (the log is empty)".to_owned(), |h| h.to_string());
            println!(
                "the audit log holds: {} entries, each linked to the one before; head {head}",
                verified.entries
            );
            Ok(())
        }
        Err(broken) => bail!("the audit log does not hold: {broken}"),
    }
}

/// Prints the newest head as `seq:hash`.
pub async fn head(config: &Config) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    match store.audit_head().await? {
        Some(head) => println!("{head}"),
        None => println!("0:{}", harrier_core::audit::GENESIS),
    }
    Ok(())
}

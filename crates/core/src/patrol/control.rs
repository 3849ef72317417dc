//! The running ruleset, as the web layer sees it: its version, and a reload
//! that compiles the folder again and swaps it in whole or not at all.
//!
//! The binary implements this over the detection engine; the web layer
//! (`POST /api/v1/rules/reload`, the status page) only needs the trait.

/// Reload and describe the ruleset the workers use.
pub trait RulesControl: Send + Sync + 'static {
    /// The version (content hash) of the ruleset in use.
    fn version(&self) -> String;
    /// Compile the ruleset folder again; on success the workers use the new
    /// one from their next batch and its version is returned. On failure the
    /// old one stays and the error names file, line and rule.
    fn reload(&self) -> Result<String, String>;
}

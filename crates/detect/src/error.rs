//! Compile errors of a ruleset: every one names the file, the line and,
//! when there is one, the rule (or lexicon, or pattern) id.

use std::fmt;

/// One thing wrong with a ruleset file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The file's path as the caller named it (e.g. `rules/rules/drugs.toml`).
    pub file: String,
    /// 1-based line, 0 when the error is about the file as a whole.
    pub line: usize,
    /// The id of the rule, lexicon or pattern, when known.
    pub id: Option<String>,
    pub message: String,
}

impl CompileError {
    pub(crate) fn new(
        file: &str,
        line: usize,
        id: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line,
            id: id.map(str::to_owned),
            message: message.into(),
        }
    }

    /// An error at a byte offset of the file's content.
    pub(crate) fn at(
        file: &str,
        content: &str,
        offset: usize,
        id: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(file, line_of(content, offset), id, message)
    }

    /// A TOML syntax or shape error, with its line.
    pub(crate) fn toml(file: &str, content: &str, error: &toml::de::Error) -> Self {
        let line = error.span().map_or(0, |span| line_of(content, span.start));
        Self::new(file, line, None, error.message().trim().to_owned())
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(id) = &self.id {
            write!(f, ": {id}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CompileError {}

/// All the errors of one compile, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileErrors(pub Vec<CompileError>);

impl fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileErrors {}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(content: &str, offset: usize) -> usize {
    let end = offset.min(content.len());
    content.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_id() {
        let error = CompileError::new(
            "rules/a.toml",
            3,
            Some("drugs.sale"),
            "unknown lexicon \"x\"",
        );
        assert_eq!(
            error.to_string(),
            "rules/a.toml:3: drugs.sale: unknown lexicon \"x\""
        );
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}

//! `CaseStore` for SQLite: reads on the reader pool, changes as writer jobs.
//!
//! A refused change (not found, a move the table does not allow) is answered
//! without having written anything, so the rest of its commit batch goes on;
//! a database error rolls the batch back (see `writer.rs`).

use super::{SqliteStore, audit, cases, groups, search, staff};
use async_trait::async_trait;
use harrier_core::accounts::Staff;
use harrier_core::audit::{Entry, Head, NewEntry};
use harrier_core::cases::{
    BulkAction, CaseDetail, CaseError, CaseQuery, CaseState, CaseStore, CaseSummary,
    EvidenceRecord, GroupDetail, GroupSummary, GroupsStored, NewEvidence, NewGroup, RingPost,
    SavedView, SearchDoc, SearchHit, SearchQuery, SearchSource, SubjectDetail, Triaged,
};
use harrier_core::ports::StoreError;
use time::OffsetDateTime;

/// Splits a case result for the writer: refusals travel inside `Ok`,
/// storage failures become the error that rolls the batch back.
fn split<T>(result: Result<T, CaseError>) -> Result<Result<T, CaseError>, StoreError> {
    match result {
        Err(CaseError::Unavailable(message)) => Err(StoreError::Unavailable(message)),
        other => Ok(other),
    }
}

fn joined<T>(result: Result<Result<T, CaseError>, StoreError>) -> Result<T, CaseError> {
    result.map_err(CaseError::from)?
}

impl SqliteStore {
    async fn changed(&self, id: i64) -> Result<CaseSummary, CaseError> {
        self.read(move |conn| cases::get_summary(conn, id))
            .await?
            .ok_or(CaseError::NotFound(id))
    }
}

#[async_trait]
impl CaseStore for SqliteStore {
    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        let query = query.clone();
        self.read(move |conn| cases::list(conn, &query)).await
    }

    async fn get_case(&self, id: i64) -> Result<Option<CaseDetail>, StoreError> {
        self.read(move |conn| cases::get(conn, id)).await
    }

    async fn transition_case(
        &self,
        id: i64,
        to: CaseState,
        by: &Staff,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<CaseSummary, CaseError> {
        let (by, reason) = (by.clone(), reason.to_owned());
        joined(
            self.writer
                .write(move |conn| split(cases::transition(conn, id, to, &by, &reason, now)))
                .await,
        )?;
        self.changed(id).await
    }

    async fn assign_case(
        &self,
        id: i64,
        assignee: Option<i64>,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<CaseSummary, CaseError> {
        let by = by.clone();
        joined(
            self.writer
                .write(move |conn| split(cases::assign(conn, id, assignee, &by, now)))
                .await,
        )?;
        self.changed(id).await
    }

    async fn bulk_cases(
        &self,
        ids: Vec<i64>,
        action: BulkAction,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<Vec<(i64, Result<(), CaseError>)>, StoreError> {
        let by = by.clone();
        self.writer
            .write(move |conn| {
                let results = cases::bulk(conn, &ids, &action, &by, now);
                // One storage failure fails the whole batch: nothing of it
                // is kept, and every id is told so.
                if let Some((_, Err(CaseError::Unavailable(message)))) = results
                    .iter()
                    .find(|(_, r)| matches!(r, Err(CaseError::Unavailable(_))))
                {
                    return Err(StoreError::Unavailable(message.clone()));
                }
                Ok(results)
            })
            .await
    }

    async fn triage_report(
        &self,
        report_id: i64,
        by: &Staff,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<Triaged, CaseError> {
        let (by, reason, policy) = (by.clone(), reason.to_owned(), self.policy.clone());
        joined(
            self.writer
                .write(move |conn| {
                    split(cases::triage(conn, report_id, &by, &reason, &policy, now))
                })
                .await,
        )
    }

    async fn add_evidence(
        &self,
        case_id: i64,
        evidence: NewEvidence,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<EvidenceRecord, CaseError> {
        let by = by.clone();
        joined(
            self.writer
                .write(move |conn| split(cases::add_evidence(conn, case_id, &evidence, &by, now)))
                .await,
        )
    }

    async fn append_audit(
        &self,
        entry: NewEntry,
        now: OffsetDateTime,
    ) -> Result<Entry, StoreError> {
        self.writer
            .write(move |conn| audit::append(conn, &entry, now))
            .await
    }

    async fn audit_entries(
        &self,
        after_seq: i64,
        limit: u32,
        object: Option<String>,
    ) -> Result<Vec<Entry>, StoreError> {
        self.read(move |conn| audit::entries(conn, after_seq, limit, object.as_deref()))
            .await
    }

    async fn audit_head(&self) -> Result<Option<Head>, StoreError> {
        self.read(audit::head).await
    }

    async fn get_subject(&self, id: i64) -> Result<Option<SubjectDetail>, StoreError> {
        self.read(move |conn| cases::subject(conn, id)).await
    }

    async fn search_pending(&self, limit: u32) -> Result<Vec<SearchSource>, StoreError> {
        self.read(move |conn| search::pending(conn, limit)).await
    }

    async fn index_search(&self, docs: Vec<SearchDoc>) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| search::index(conn, &docs))
            .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError> {
        let query = query.clone();
        self.read(move |conn| search::search(conn, &query)).await
    }

    async fn saved_views(&self, staff_id: i64) -> Result<Vec<SavedView>, StoreError> {
        self.read(move |conn| search::views(conn, staff_id)).await
    }

    async fn save_view(
        &self,
        staff_id: i64,
        name: &str,
        path: &str,
        now: OffsetDateTime,
    ) -> Result<SavedView, StoreError> {
        let (name, path) = (name.to_owned(), path.to_owned());
        self.writer
            .write(move |conn| search::save_view(conn, staff_id, &name, &path, now))
            .await
    }

    async fn delete_view(&self, staff_id: i64, id: i64) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| search::delete_view(conn, staff_id, id))
            .await
    }

    async fn ring_posts(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<RingPost>, StoreError> {
        self.read(move |conn| groups::posts(conn, since, limit))
            .await
    }

    async fn store_groups(
        &self,
        found: Vec<NewGroup>,
        window: (OffsetDateTime, OffsetDateTime),
        now: OffsetDateTime,
    ) -> Result<GroupsStored, StoreError> {
        let policy = self.policy.clone();
        self.writer
            .write(move |conn| groups::store(conn, &found, window, &policy, now))
            .await
    }

    async fn list_groups(&self, limit: u32) -> Result<Vec<GroupSummary>, StoreError> {
        self.read(move |conn| groups::list(conn, limit)).await
    }

    async fn get_group(&self, id: i64) -> Result<Option<GroupDetail>, StoreError> {
        self.read(move |conn| groups::get(conn, id)).await
    }

    async fn staff_list(&self) -> Result<Vec<Staff>, StoreError> {
        self.read(staff::active).await
    }
}

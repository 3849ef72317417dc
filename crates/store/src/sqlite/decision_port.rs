//! `DecisionStore` for SQLite: reads on the reader pool, changes as writer
//! jobs whose refusals travel inside `Ok` (see `case_port.rs`).

use super::time::stamp;
use super::{SqliteStore, appeals, db_err, decisions};
use async_trait::async_trait;
use harrier_core::accounts::Staff;
use harrier_core::decisions::{
    Appeal, AppealQuery, AppealReview, Decision, DecisionDetail, DecisionError, DecisionStore,
    MessageTemplate, NewAppeal, NewDecision, PendingEmail, PublicDecision, ReportOutcome,
};
use harrier_core::ports::StoreError;
use rusqlite::params;
use time::OffsetDateTime;

fn joined<T>(result: Result<Result<T, DecisionError>, StoreError>) -> Result<T, DecisionError> {
    result.map_err(DecisionError::from)?
}

#[async_trait]
impl DecisionStore for SqliteStore {
    async fn decide(
        &self,
        new: NewDecision,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<DecisionDetail, DecisionError> {
        let by = by.clone();
        let id = joined(
            self.writer
                .write(move |conn| decisions::decide(conn, &new, &by, now))
                .await,
        )?;
        self.decision(id)
            .await?
            .ok_or(DecisionError::DecisionNotFound(id))
    }

    async fn decision(&self, id: i64) -> Result<Option<DecisionDetail>, StoreError> {
        self.read(move |conn| {
            decisions::get_decision(conn, id)?
                .map(|d| decisions::detail(conn, d))
                .transpose()
        })
        .await
    }

    async fn case_decisions(&self, case_id: i64) -> Result<Vec<DecisionDetail>, StoreError> {
        self.read(move |conn| decisions::of_case(conn, case_id))
            .await
    }

    async fn decisions_since(
        &self,
        since: OffsetDateTime,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Decision>, StoreError> {
        self.read(move |conn| decisions::since(conn, since, after, limit))
            .await
    }

    async fn public_decision(&self, code: &str) -> Result<Option<PublicDecision>, StoreError> {
        let code = code.to_owned();
        self.read(move |conn| {
            let Some(decision) = decisions::by_code(conn, &code)? else {
                return Ok(None);
            };
            let notice = decisions::notices(conn, decision.id)?
                .into_iter()
                .find(|n| n.kind == "decision" || n.kind == "appeal_modified");
            let mut appeals = appeals::of_decision(conn, decision.id)?;
            // Whoever holds the code sees the appeal, not the address.
            for a in &mut appeals {
                a.contact_email = None;
            }
            Ok(Some(PublicDecision {
                decision,
                notice,
                appeals,
            }))
        })
        .await
    }

    async fn file_appeal(
        &self,
        appeal: NewAppeal,
        now: OffsetDateTime,
    ) -> Result<Appeal, DecisionError> {
        let id = joined(
            self.writer
                .write(move |conn| appeals::file(conn, &appeal, now))
                .await,
        )?;
        self.appeal(id)
            .await?
            .ok_or(DecisionError::AppealNotFound(id))
    }

    async fn appeals(&self, query: &AppealQuery) -> Result<Vec<Appeal>, StoreError> {
        let query = query.clone();
        self.read(move |conn| appeals::list(conn, &query)).await
    }

    async fn appeal(&self, id: i64) -> Result<Option<Appeal>, StoreError> {
        self.read(move |conn| appeals::get(conn, id)).await
    }

    async fn review_appeal(
        &self,
        id: i64,
        review: AppealReview,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<Appeal, DecisionError> {
        let by = by.clone();
        joined(
            self.writer
                .write(move |conn| appeals::review(conn, id, &review, &by, now))
                .await,
        )?;
        self.appeal(id)
            .await?
            .ok_or(DecisionError::AppealNotFound(id))
    }

    async fn report_outcome(&self, receipt: &str) -> Result<Option<ReportOutcome>, StoreError> {
        let receipt = receipt.to_owned();
        self.read(move |conn| appeals::report_outcome(conn, &receipt))
            .await
    }

    async fn templates(&self) -> Result<Vec<MessageTemplate>, StoreError> {
        self.read(decisions::templates).await
    }

    async fn put_template(
        &self,
        template: MessageTemplate,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let by = by.clone();
        self.writer
            .write(move |conn| decisions::put_template(conn, &template, &by, now))
            .await
    }

    async fn pending_emails(&self, limit: u32) -> Result<Vec<PendingEmail>, StoreError> {
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT id, decision_id, address, language, body FROM notices \
                 WHERE sent_at IS NULL AND channel = 'email' ORDER BY id LIMIT ?1",
            )
            .map_err(db_err)?
            .query_map([i64::from(limit)], |r| {
                Ok(PendingEmail {
                    id: r.get(0)?,
                    decision_id: r.get(1)?,
                    address: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    language: r.get(3)?,
                    body: r.get(4)?,
                })
            })
            .map_err(db_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)
        })
        .await
    }

    async fn mark_email_sent(&self, id: i64, now: OffsetDateTime) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE notices SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL",
                )
                .map_err(db_err)?
                .execute(params![id, stamp(now)])
                .map_err(db_err)?;
                Ok(())
            })
            .await
    }
}

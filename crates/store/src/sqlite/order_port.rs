//! `OrderStore` for SQLite: reads on the reader pool, changes as writer
//! jobs.
//!
//! A refused change (unknown case or provider, another provider's order,
//! an answer to a closed order) is answered without having written
//! anything and travels inside `Ok`, so the rest of its commit batch goes
//! on; a database error rolls the batch back (see `writer.rs`).

use super::{SqliteStore, orders};
use async_trait::async_trait;
use harrier_core::accounts::Staff;
use harrier_core::orders::compliance::ComplianceRow;
use harrier_core::orders::request::OrderRequest;
use harrier_core::orders::{
    OrderDetail, OrderError, OrderQuery, OrderStore, PollQuery, ProviderAnswer,
};
use harrier_core::ports::StoreError;
use time::OffsetDateTime;

/// Refusals inside `Ok`; storage failures become the batch's error.
fn split<T>(result: Result<T, OrderError>) -> Result<Result<T, OrderError>, StoreError> {
    match result {
        Err(OrderError::Unavailable(message)) => Err(StoreError::Unavailable(message)),
        other => Ok(other),
    }
}

fn joined<T>(result: Result<Result<T, OrderError>, StoreError>) -> Result<T, OrderError> {
    result.map_err(OrderError::from)?
}

#[async_trait]
impl OrderStore for SqliteStore {
    async fn create_order(
        &self,
        case_id: i64,
        request: OrderRequest,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<OrderDetail, OrderError> {
        let by = by.clone();
        joined(
            self.writer
                .write(move |conn| split(orders::create(conn, case_id, &request, &by, now)))
                .await,
        )
    }

    async fn list_orders(&self, query: &OrderQuery) -> Result<Vec<OrderDetail>, StoreError> {
        let query = query.clone();
        self.read(move |conn| orders::list(conn, &query)).await
    }

    async fn order(&self, id: i64) -> Result<Option<OrderDetail>, StoreError> {
        self.read(move |conn| orders::get(conn, id)).await
    }

    async fn case_orders(&self, case_id: i64) -> Result<Vec<OrderDetail>, StoreError> {
        let query = OrderQuery {
            case_id: Some(case_id),
            limit: 500,
            ..OrderQuery::default()
        };
        self.read(move |conn| orders::list(conn, &query)).await
    }

    async fn provider_orders(
        &self,
        provider_id: i64,
        query: &PollQuery,
    ) -> Result<Vec<OrderDetail>, StoreError> {
        let query = query.clone();
        self.read(move |conn| orders::for_provider(conn, provider_id, &query))
            .await
    }

    async fn answer_order(
        &self,
        id: i64,
        provider_id: i64,
        answer: ProviderAnswer,
        now: OffsetDateTime,
    ) -> Result<OrderDetail, OrderError> {
        joined(
            self.writer
                .write(move |conn| split(orders::answer(conn, id, provider_id, &answer, now)))
                .await,
        )
    }

    async fn compliance_rows(
        &self,
        since: OffsetDateTime,
    ) -> Result<Vec<ComplianceRow>, StoreError> {
        self.read(move |conn| orders::compliance_rows(conn, since))
            .await
    }
}

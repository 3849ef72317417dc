//! How well each provider answers its orders, computed from order rows:
//! time to acknowledge and to act (median and 90th percentile, from the
//! order's creation), the share actioned by the deadline, the orders
//! overdue now, and the escalation list.
//!
//! Times are when Harrier received the answers, not what providers claim.
//! The period counts orders made in it; overdue orders count whenever
//! they were made, since they are late now.

use super::{OrderAction, OrderState};
use serde::Serialize;
use time::OffsetDateTime;

/// One order as compliance sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceRow {
    pub id: i64,
    pub reference: String,
    pub provider_id: i64,
    pub provider: String,
    pub case_id: i64,
    pub action: OrderAction,
    pub state: OrderState,
    pub created_at: OffsetDateTime,
    pub deadline: OffsetDateTime,
    /// The first answer of any kind.
    pub acknowledged_at: Option<OffsetDateTime>,
    pub actioned_at: Option<OffsetDateTime>,
}

impl ComplianceRow {
    /// Open and past its deadline at `now`.
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.state.is_open() && self.deadline < now
    }
}

/// Median and 90th percentile of durations, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// The middle value; for an even count the mean of the two middle
    /// values (rounded down).
    pub median_secs: i64,
    /// Nearest rank: the smallest value at least 90 % of values do not
    /// exceed.
    pub p90_secs: i64,
    pub count: usize,
}

/// Median and p90 of `values` (any order); None when empty.
pub fn spread(values: &[i64]) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        // Halves first, so two large values cannot overflow.
        let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
        a / 2 + b / 2 + (a % 2 + b % 2) / 2
    };
    // Nearest rank: ceil(0.9 n), 1-based.
    let rank = (9 * n).div_ceil(10).max(1);
    Some(Spread {
        median_secs: median,
        p90_secs: sorted[rank - 1],
        count: n,
    })
}

/// One provider's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderCompliance {
    pub provider_id: i64,
    pub provider: String,
    /// Orders made in the period.
    pub orders: usize,
    pub acknowledged: usize,
    pub actioned: usize,
    pub rejected: usize,
    /// From creation to the first answer.
    pub to_acknowledge: Option<Spread>,
    /// From creation to the `actioned` answer.
    pub to_act: Option<Spread>,
    /// Orders of the period whose outcome is known: answered actioned or
    /// rejected, or past their deadline.
    pub due: usize,
    /// Of those, actioned at or before the deadline.
    pub on_time: usize,
    /// `on_time / due`; None when nothing is due yet.
    pub on_time_share: Option<f64>,
    /// Open and past the deadline now (whenever made).
    pub overdue: usize,
}

/// An overdue order to chase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub order_id: i64,
    pub reference: String,
    pub provider: String,
    pub case_id: i64,
    pub action: OrderAction,
    pub state: OrderState,
    pub deadline: OffsetDateTime,
    /// How long past the deadline, in seconds.
    pub late_secs: i64,
}

/// The report over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compliance {
    pub since: OffsetDateTime,
    pub until: OffsetDateTime,
    /// By provider name.
    pub providers: Vec<ProviderCompliance>,
    /// Most overdue first.
    pub escalations: Vec<Escalation>,
}

/// Computes the report from `rows`: orders made in `[since, until]` give
/// the period's figures; every row open and past its deadline at `until`
/// is overdue.
pub fn compliance(
    rows: &[ComplianceRow],
    since: OffsetDateTime,
    until: OffsetDateTime,
) -> Compliance {
    let mut ids: Vec<(String, i64)> = rows
        .iter()
        .map(|r| (r.provider.clone(), r.provider_id))
        .collect();
    ids.sort();
    ids.dedup();
    let providers = ids
        .into_iter()
        .map(|(name, id)| {
            let all: Vec<&ComplianceRow> = rows.iter().filter(|r| r.provider_id == id).collect();
            let period: Vec<&ComplianceRow> = all
                .iter()
                .copied()
                .filter(|r| r.created_at >= since && r.created_at <= until)
                .collect();
            let secs = |t: OffsetDateTime, r: &ComplianceRow| (t - r.created_at).whole_seconds();
            let ack: Vec<i64> = period
                .iter()
                .filter_map(|r| r.acknowledged_at.map(|t| secs(t, r)))
                .collect();
            let act: Vec<i64> = period
                .iter()
                .filter_map(|r| r.actioned_at.map(|t| secs(t, r)))
                .collect();
            let due: Vec<&&ComplianceRow> = period
                .iter()
                .filter(|r| !r.state.is_open() || r.deadline < until)
                .collect();
            let on_time = due
                .iter()
                .filter(|r| {
                    r.state == OrderState::Actioned
                        && r.actioned_at.is_some_and(|t| t <= r.deadline)
                })
                .count();
            let count = |s: OrderState| period.iter().filter(|r| r.state == s).count();
            ProviderCompliance {
                provider_id: id,
                provider: name,
                orders: period.len(),
                acknowledged: ack.len(),
                actioned: count(OrderState::Actioned),
                rejected: count(OrderState::Rejected),
                to_acknowledge: spread(&ack),
                to_act: spread(&act),
                due: due.len(),
                on_time,
                on_time_share: (!due.is_empty()).then(|| on_time as f64 / due.len() as f64),
                overdue: all.iter().filter(|r| r.overdue(until)).count(),
            }
        })
        .collect();
    let mut escalations: Vec<Escalation> = rows
        .iter()
        .filter(|r| r.overdue(until))
        .map(|r| Escalation {
            order_id: r.id,
            reference: r.reference.clone(),
            provider: r.provider.clone(),
            case_id: r.case_id,
            action: r.action,
            state: r.state,
            deadline: r.deadline,
            late_secs: (until - r.deadline).whole_seconds(),
        })
        .collect();
    escalations.sort_by(|a, b| {
        b.late_secs
            .cmp(&a.late_secs)
            .then(a.order_id.cmp(&b.order_id))
    });
    Compliance {
        since,
        until,
        providers,
        escalations,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

    fn row(id: i64, provider: &str, created_h: i64, deadline_h: i64) -> ComplianceRow {
        ComplianceRow {
            id,
            reference: format!("HO-2026-{id:06}"),
            provider_id: if provider == "a" { 1 } else { 2 },
            provider: provider.into(),
            case_id: 100 + id,
            action: OrderAction::Remove,
            state: OrderState::Sent,
            created_at: T0 + Duration::hours(created_h),
            deadline: T0 + Duration::hours(deadline_h),
            acknowledged_at: None,
            actioned_at: None,
        }
    }

    fn actioned(mut r: ComplianceRow, ack_h: i64, act_h: i64) -> ComplianceRow {
        r.state = OrderState::Actioned;
        r.acknowledged_at = Some(r.created_at + Duration::hours(ack_h));
        r.actioned_at = Some(r.created_at + Duration::hours(act_h));
        r
    }

    #[test]
    fn spread_takes_the_middle_and_the_nearest_rank() {
        assert_eq!(spread(&[]), None);
        let one = spread(&[7]).unwrap();
        assert_eq!((one.median_secs, one.p90_secs), (7, 7));
        let odd = spread(&[5, 1, 3]).unwrap();
        assert_eq!((odd.median_secs, odd.p90_secs), (3, 5));
        let even = spread(&[4, 1, 3, 2]).unwrap();
        // (2 + 3) / 2 rounded down; ceil(3.6) = 4th value.
        assert_eq!((even.median_secs, even.p90_secs), (2, 4));
        let ten: Vec<i64> = (1..=10).collect();
        let s = spread(&ten).unwrap();
        assert_eq!((s.median_secs, s.p90_secs, s.count), (5, 9, 10));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(spread(&eleven).unwrap().p90_secs, 10);
        let big = spread(&[i64::MAX, i64::MAX - 2]).unwrap();
        assert_eq!(big.median_secs, i64::MAX - 1);
    }

    #[test]
    fn figures_per_provider_and_the_escalation_list() {
        let until = T0 + Duration::hours(100);
        let mut rejected = row(4, "a", 30, 60);
        rejected.state = OrderState::Rejected;
        rejected.acknowledged_at = Some(rejected.created_at + Duration::hours(3));
        let mut acked_late = row(5, "b", 10, 20);
        acked_late.state = OrderState::Acknowledged;
        acked_late.acknowledged_at = Some(acked_late.created_at + Duration::hours(1));
        let rows = vec![
            // a: on time (deadline 48 h after creation, acted at 10 h)
            actioned(row(1, "a", 0, 48), 1, 10),
            // a: acted after the deadline
            actioned(row(2, "a", 5, 20), 2, 30),
            // a: open, deadline still ahead: not due
            row(3, "a", 90, 200),
            rejected,
            // b: open and 80 h late; another 30 h late, made before the
            // period (overdue counts it, the period's figures do not)
            acked_late,
            row(6, "b", -50, 70),
        ];
        let report = compliance(&rows, T0, until);
        let a = &report.providers[0];
        assert_eq!(a.provider, "a");
        assert_eq!(
            (a.orders, a.actioned, a.rejected, a.acknowledged),
            (4, 2, 1, 3)
        );
        assert_eq!(a.to_acknowledge.unwrap().median_secs, 2 * 3600);
        assert_eq!(a.to_acknowledge.unwrap().p90_secs, 3 * 3600);
        assert_eq!(a.to_act.unwrap().median_secs, 20 * 3600);
        assert_eq!(a.to_act.unwrap().p90_secs, 30 * 3600);
        assert_eq!((a.due, a.on_time), (3, 1));
        assert!((a.on_time_share.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(a.overdue, 0);
        let b = &report.providers[1];
        assert_eq!((b.orders, b.due, b.on_time, b.overdue), (1, 1, 0, 2));
        assert_eq!(b.on_time_share, Some(0.0));
        assert_eq!(b.to_act, None);
        let late: Vec<(i64, i64)> = report
            .escalations
            .iter()
            .map(|e| (e.order_id, e.late_secs / 3600))
            .collect();
        assert_eq!(late, vec![(5, 80), (6, 30)]);
    }

    #[test]
    fn nothing_due_gives_no_share() {
        let rows = vec![row(1, "a", 0, 500)];
        let report = compliance(&rows, T0, T0 + Duration::hours(1));
        assert_eq!(report.providers[0].on_time_share, None);
        assert!(report.escalations.is_empty());
    }
}

//! Sign-ins and one-time codes: which events count as which, and their chart.

use super::{
    charts::{stacked_bars, Stack},
    view::{bucket_table, log_link, Inputs},
};
use crate::{
    model::{ChartView, Outcome},
    store::HourCount,
};

/// Sign-ins and one-time codes per bucket.
pub(super) fn auth_chart(i: &Inputs) -> ChartView {
    let kinds = AuthKind::ALL;
    let mut values = vec![vec![0i64; i.buckets.len()]; kinds.len()];
    let mut actions: Vec<Vec<String>> = vec![Vec::new(); kinds.len()];
    for h in &i.tallies.auth_series {
        let (Some(kind), Some(b)) = (AuthKind::of(&h.a, &h.b), i.buckets.index_of(h.hour)) else {
            continue;
        };
        let k = kind as usize;
        values[k][b] += h.n;
        if !actions[k].contains(&h.a) {
            actions[k].push(h.a.clone());
        }
    }
    let stacks: Vec<Stack> = kinds
        .iter()
        .zip(values)
        .map(|(kind, values)| Stack {
            name: kind.label().into(),
            colour: kind.colour().into(),
            values,
        })
        .collect();
    let link = |kind: AuthKind, span| {
        log_link(&i.filter, span, |f| {
            f.is.category = Some(crate::store::AUTH_CATEGORY.into());
            let behind = &actions[kind as usize];
            f.is.actions = behind.clone();
            // A failure is either an action named so (`user.login.failed`)
            // or a plain one that did not succeed; with only plain ones
            // behind the bar, that narrows the log to exactly its events.
            if kind.failed() && !behind.iter().any(|a| names_failure(a)) {
                f.not.outcome = Some(Outcome::Success);
            }
        })
    };
    let title = format!("Sign-ins and one-time codes per {}", i.bucket.as_str());
    let svg = stacked_bars("events", i.buckets.labels(), &stacks, |series, b| {
        let kind = kinds.iter().find(|k| k.label() == series)?;
        (b < i.buckets.len()).then(|| link(*kind, i.buckets.span(b)))
    });
    ChartView {
        id: "auth".into(),
        title,
        unit: "events".into(),
        svg,
        table: bucket_table(i, &stacks, false, |f| {
            f.is.category = Some(crate::store::AUTH_CATEGORY.into())
        }),
    }
}

/// What an authentication event counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthKind {
    SignIn,
    FailedSignIn,
    OtpRequest,
    OtpFailure,
}

impl AuthKind {
    const ALL: [AuthKind; 4] = [
        AuthKind::SignIn,
        AuthKind::FailedSignIn,
        AuthKind::OtpRequest,
        AuthKind::OtpFailure,
    ];

    /// By action and outcome: `user.login`, `auth.sign_in.failed`,
    /// `user.otp.requested`, `auth.otp.failed`…; sign-outs and the rest are none.
    fn of(action: &str, outcome: &str) -> Option<AuthKind> {
        let failed = outcome != Outcome::Success.as_str() || names_failure(action);
        let t = action.to_ascii_lowercase();
        if t.contains("otp") || t.contains("one_time") {
            if failed {
                Some(AuthKind::OtpFailure)
            } else if t.contains("request") || t.contains("sent") {
                Some(AuthKind::OtpRequest)
            } else {
                None
            }
        } else if t.contains("login") || t.contains("sign_in") || t.contains("signin") {
            Some(if failed {
                AuthKind::FailedSignIn
            } else {
                AuthKind::SignIn
            })
        } else {
            None
        }
    }

    fn failed(self) -> bool {
        matches!(self, AuthKind::FailedSignIn | AuthKind::OtpFailure)
    }

    fn label(self) -> &'static str {
        match self {
            AuthKind::SignIn => "sign-ins",
            AuthKind::FailedSignIn => "failed sign-ins",
            AuthKind::OtpRequest => "one-time codes requested",
            AuthKind::OtpFailure => "one-time codes failed",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            AuthKind::SignIn => "#1f7a4d",
            AuthKind::FailedSignIn => "#b42318",
            AuthKind::OtpRequest => "#2f5bd3",
            AuthKind::OtpFailure => "#9a6200",
        }
    }
}

/// Whether an action's name says it failed (`user.login.failed`).
fn names_failure(action: &str) -> bool {
    action.to_ascii_lowercase().contains("fail")
}

/// Successful and failed sign-ins over the whole range.
pub(super) fn auth_totals(rows: &[HourCount]) -> (i64, i64) {
    rows.iter()
        .fold((0, 0), |(ok, bad), h| match AuthKind::of(&h.a, &h.b) {
            Some(AuthKind::SignIn) => (ok + h.n, bad),
            Some(AuthKind::FailedSignIn) => (ok, bad + h.n),
            _ => (ok, bad),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_and_codes_are_told_apart_by_action_and_outcome() {
        assert_eq!(
            AuthKind::of("user.login", "success"),
            Some(AuthKind::SignIn)
        );
        assert_eq!(
            AuthKind::of("user.login", "failure"),
            Some(AuthKind::FailedSignIn)
        );
        assert_eq!(
            AuthKind::of("user.login.failed", "success"),
            Some(AuthKind::FailedSignIn)
        );
        assert_eq!(
            AuthKind::of("auth.sign_in.failed", "failure"),
            Some(AuthKind::FailedSignIn)
        );
        assert_eq!(
            AuthKind::of("user.otp.requested", "success"),
            Some(AuthKind::OtpRequest)
        );
        assert_eq!(
            AuthKind::of("user.otp.verified", "failure"),
            Some(AuthKind::OtpFailure)
        );
        assert_eq!(
            AuthKind::of("auth.otp.failed", "failure"),
            Some(AuthKind::OtpFailure)
        );
        assert_eq!(AuthKind::of("user.otp.verified", "success"), None);
        assert_eq!(AuthKind::of("user.logout", "success"), None);
    }
}

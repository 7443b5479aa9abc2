//! R3–R7: the review chain, publication, extension and withdrawal. Each step is recorded in
//! `workflow_steps` and the audit chain in the transaction that makes it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use super::Actor;
use super::drafts::{min_days, period_error, zone};
use crate::config::Config;
use crate::db::{self, DbConn, drafts as q, materials};
use crate::domain::period::{self, CommentPeriod, Phase};
use crate::domain::roles::Roles;
use crate::domain::workflow::{
    self, Action, Actor as StepActor, MaterialKind, Participants, PersonRule, Refusal, StepInput,
};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::l;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ActionInput {
    pub action: Action,
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub note: Option<String>,
    pub attest_no_confidential: Option<bool>,
    pub closes_on: Option<NaiveDate>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

fn refusal(r: Refusal, action: Action) -> AppError {
    match r {
        Refusal::WrongRole(roles) => {
            let names = roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" / ");
            AppError::forbidden(l!(
                "“{}”需要以下角色之一：{}",
                "`{}` needs one of these roles: {}",
                action.as_str(),
                names
            ))
        }
        Refusal::WrongPerson(PersonRule::OnlyTheDrafter) => AppError::forbidden(l!(
            "只有该草案的起草人可以进行此操作。",
            "Only the draft's drafter may do this."
        )),
        Refusal::WrongPerson(PersonRule::NotTheDrafter) => AppError::forbidden(l!(
            "起草人不得审核或批准自己起草的草案。",
            "The drafter may not review or approve their own draft."
        )),
        Refusal::WrongPerson(PersonRule::NotTheInitialReviewer) => AppError::forbidden(l!(
            "复审人不得与初审人为同一人。",
            "The re-review must be done by someone other than the initial reviewer."
        )),
        Refusal::WrongState(state) => AppError::wrong_state(l!(
            "草案处于“{}”状态，不能进行“{}”。",
            "The draft is `{}`; `{}` is not possible now.",
            state.as_str(),
            action.as_str()
        ))
        .with("state", json!(state.as_str())),
        Refusal::AttestationRequired => AppError::field(
            "attest_no_confidential",
            l!(
                "审核时必须确认文本不含国家秘密、个人信息和商业秘密。",
                "Confirm that the text holds no secret, personal or commercially confidential data."
            ),
        ),
        Refusal::NoteRequired => AppError::field(
            "note",
            l!("退回时请写明原因。", "Say why the draft is returned."),
        ),
        Refusal::ReasonRequired => AppError::field("reason", l!("请写明理由。", "Give a reason.")),
    }
}

/// R3–R7: one step of the review chain (or an extension or withdrawal) by `actor` on draft
/// `id`, in one transaction with its record and audit entry.
pub fn act(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    id: &str,
    input: &ActionInput,
) -> AppResult<()> {
    crate::error::validated(&input)?;
    db::write_tx(conn, |conn| {
        // Only officers of the draft's agency take part in its chain.
        actor.may_on(conn, super::access::Act::Step, id)?;
        perform(conn, now, config, &actor.id, &actor.roles, id, input)
    })
}

fn perform(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    config: &Config,
    actor: &str,
    roles: &Roles,
    id: &str,
    input: &ActionInput,
) -> AppResult<()> {
    let d = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let from = d
        .state()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("draft {id} has state {}", d.state)))?;
    let attested = input.attest_no_confidential == Some(true);
    let action = input.action;
    let to = workflow::transition(
        from,
        action,
        StepActor { id: actor, roles },
        Participants {
            drafter_id: &d.drafter_id,
            initial_reviewer_id: d.initial_reviewer_id.as_deref(),
        },
        StepInput {
            note: input.note.as_deref(),
            attested,
            reason: input.reason.as_deref(),
        },
    )
    .map_err(|r| refusal(r, action))?;
    let tz = zone(&d.timezone);
    let reason = input.reason.as_deref().map(str::trim);
    let mut details = json!({});
    match action {
        Action::Submit => {
            // R3: no review without an explanation and a basis.
            let listed = materials::of_draft(conn, id, d.round)?;
            let present: Vec<MaterialKind> = listed
                .iter()
                .filter_map(|m| MaterialKind::parse(&m.kind))
                .collect();
            let of_the_round = listed
                .iter()
                .filter(|m| m.round == d.round && m.kind == MaterialKind::Explanation.as_str())
                .count();
            if workflow::needs_round_explanation(d.round, of_the_round) {
                return Err(AppError::conflict(
                    ErrorKind::MissingMaterials,
                    crate::l!(
                        "第 {} 轮送审前须附上本轮的起草说明，说明与上一轮相比修改了什么、为什么修改。",
                        "Round {} goes to review with an explanation of its own: what changed since the round before, and why.",
                        d.round
                    ),
                )
                .with("missing", json!(["explanation"])));
            }
            let missing = workflow::missing_for_review(&present);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|k| k.as_str()).collect();
                let zh: Vec<&str> = missing
                    .iter()
                    .map(|k| match k {
                        MaterialKind::Explanation => "起草说明",
                        _ => "决策依据",
                    })
                    .collect();
                return Err(AppError::conflict(
                    ErrorKind::MissingMaterials,
                    crate::lang::L::new(
                        format!("送审前须附上：{}。", zh.join("、")),
                        format!("Add these materials before review: {}.", names.join(", ")),
                    ),
                )
                .with("missing", json!(names)));
            }
        }
        Action::PassInitialReview => {
            q::set_initial_reviewer(conn, id, actor)?;
        }
        Action::PassReReview => {
            q::set_re_reviewer(conn, id, actor)?;
        }
        Action::Approve => {
            // R4: the window is fixed now, from the approval instant.
            let window = period::check(
                tz,
                CommentPeriod {
                    opens_on: d.opens_on,
                    closes_on: d.closes_on,
                },
                min_days(config, &d.kind),
                Some(now),
            )
            .map_err(|e| period_error(e, true))?;
            q::set_approved(conn, id, actor, now, window.opens_at, window.closes_at)?;
            details = json!({
                "opens_at": db::utc_string(window.opens_at.naive_utc()),
                "closes_at": db::utc_string(window.closes_at.naive_utc()),
            });
        }
        Action::Return => {
            q::clear_reviewers(conn, id)?;
        }
        Action::Extend => {
            // R6: only later, only while comments can still come in.
            if d.phase(now) == Some(Phase::Closed) {
                return Err(AppError::conflict(
                    ErrorKind::PhaseClosed,
                    l!(
                        "征求意见期已结束，不能再延期。",
                        "The comment period has ended; it can no longer be extended."
                    ),
                ));
            }
            let new_closes_on = input.closes_on.ok_or_else(|| {
                AppError::field(
                    "closes_on",
                    l!("请给出新的截止日期。", "Give the new closes_on date."),
                )
            })?;
            let closes_at = period::extend(tz, d.closes_on, new_closes_on)
                .map_err(|e| period_error(e, false))?;
            let reason = reason.unwrap_or_default();
            q::extend_period(
                conn,
                now,
                id,
                actor,
                d.closes_on,
                new_closes_on,
                closes_at,
                reason,
            )?;
            // R6/R22: the extension is announced to the draft's subscribers in the same
            // transaction that records it.
            crate::mail::events::draft_extended(conn, now, id, d.closes_on, new_closes_on, reason)?;
            details = json!({
                "previous_closes_on": d.closes_on.to_string(),
                "closes_on": new_closes_on.to_string(),
                "reason": reason,
            });
        }
        Action::Withdraw => {
            let reason = reason.unwrap_or_default();
            q::set_withdrawn(conn, id, now, reason)?;
            details = json!({ "reason": reason });
        }
    }
    if from != to && !q::set_state(conn, now, id, from, to)? {
        return Err(AppError::wrong_state(l!(
            "草案状态刚刚被他人改变，请刷新后重试。",
            "Someone changed the draft's state just now; reload and try again."
        )));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .or(reason);
    q::record_step(
        conn,
        now,
        id,
        actor,
        action.as_str(),
        from,
        to,
        note,
        attested && action.needs_attestation(),
        details,
    )?;
    tracing::info!(draft.id = %id, action = action.as_str(), to = to.as_str(), "draft step");
    Ok(())
}

/// R7: the steps `actor` may take now on `d`: the four-eyes rules and the draft's state
/// decide, and an extension only while comments can still come in (R6).
pub fn available_actions(
    d: &crate::db::drafts::DraftRow,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<Action> {
    let Some(state) = d.state() else {
        return Vec::new();
    };
    workflow::available(
        state,
        StepActor {
            id: &actor.id,
            roles: &actor.roles,
        },
        Participants {
            drafter_id: &d.drafter_id,
            initial_reviewer_id: d.initial_reviewer_id.as_deref(),
        },
    )
    .into_iter()
    .filter(|a| *a != Action::Extend || d.phase(now) != Some(Phase::Closed))
    .collect()
}

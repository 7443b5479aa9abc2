//! R9, R10: opinions that reached the office by letter, email, hearing, symposium or phone,
//! entered by staff with the same checks as the public form and a receipt of their own.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::{Validate, ValidationErrors};

use super::Actor;
use crate::config::Config;
use crate::db::comments::{self as q, Comment, NewComment};
use crate::db::{self, DbConn, audit, ids};
use crate::domain::comment::{self as rules, Channel, CommentFields, CommentStatus};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult, FieldErrors, rule};
use crate::jobs::comment_writer::{ReceiptMail, receipt_message, receipt_token};
use crate::l;
use crate::lang::{L, Lang};

/// R9: an opinion that came by letter, email, hearing, symposium or phone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OfflineCommentInput {
    /// How it arrived: any channel but `online`.
    #[schema(value_type = crate::domain::comment::Channel, required = true)]
    pub channel: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 5000)]
    pub body: Option<String>,
    pub article: Option<i32>,
    #[schema(value_type = crate::domain::comment::StakeholderType, required = true)]
    pub stakeholder_type: Option<String>,
    #[schema(max_length = 200)]
    pub organization: Option<String>,
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 200)]
    pub email: Option<String>,
    #[schema(max_length = 200)]
    pub phone: Option<String>,
    #[schema(max_length = 200)]
    pub region: Option<String>,
    pub publish_name: Option<bool>,
    pub withhold: Option<bool>,
    pub consent: Option<bool>,
}

impl OfflineCommentInput {
    fn fields(&self) -> CommentFields {
        CommentFields {
            body: self.body.clone(),
            article: self.article,
            stakeholder_type: self.stakeholder_type.clone(),
            organization: self.organization.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            region: self.region.clone(),
            publish_name: self.publish_name,
            withhold: self.withhold,
            consent: self.consent,
        }
    }

    pub fn channel(&self) -> Option<Channel> {
        self.channel
            .as_deref()
            .and_then(|c| Channel::parse(c.trim()))
            .filter(|c| *c != Channel::Online)
    }
}

impl Validate for OfflineCommentInput {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = match rules::clean(&self.fields(), false) {
            Ok(_) => ValidationErrors::new(),
            Err(faults) => validation_errors(faults),
        };
        if self.channel().is_none() {
            errors.add(
                "channel",
                rule(
                    "channel",
                    "请选择意见来源：letter、email、hearing、symposium 或 phone",
                    "choose how it arrived: letter, email, hearing, symposium or phone",
                ),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn validation_errors(faults: Vec<(&'static str, rules::Fault)>) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    for (field, fault) in faults {
        let (zh, en) = fault.texts();
        errors.add(field, rule(fault.code(), zh, en));
    }
    errors
}

fn field_map(faults: Vec<(&'static str, rules::Fault)>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, fault) in faults {
        let (zh, en) = fault.texts();
        errors
            .entry(field.to_string())
            .or_default()
            .push(L::new(zh, en));
    }
    errors
}

/// An entered opinion and the receipt token its sender may be given.
#[derive(Debug)]
pub struct Entered {
    pub comment: Comment,
    pub receipt_token: String,
}

/// R9, R10: enters an opinion that arrived outside the form (drafter). It is published at
/// once (staff typed it in), gets a tracking number and receipt token, a receipt mail when it
/// carries an address, and an audit entry.
pub fn enter_offline(
    conn: &mut DbConn,
    config: &Config,
    secret: &str,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    input: OfflineCommentInput,
) -> AppResult<Entered> {
    actor.require(&[Role::Drafter])?;
    let channel = input
        .channel()
        .ok_or_else(|| AppError::field("channel", l!("必须填写", "is required")))?;
    let clean = rules::clean(&input.fields(), false)
        .map_err(|faults| AppError::validation(field_map(faults)))?;
    let draft = q::draft_window(conn, draft_id)?.ok_or_else(AppError::not_found)?;
    actor.may_on(conn, super::access::Act::Review, draft_id)?;
    if draft.state != "published" {
        return Err(AppError::wrong_state(l!(
            "只有已发布征求意见的草案才能录入意见。",
            "Opinions can only be entered for a draft published for comment."
        )));
    }
    rules::check_article(clean.article, &draft.articles).map_err(|fault| {
        let (zh, en) = fault.texts();
        AppError::field("article", L::new(zh, en))
    })?;
    let tz = config.timezone();
    let local = now.with_timezone(&tz).naive_local();
    let id = ids::new_id(now);
    let token = receipt_token(secret, &id);
    let lang = Lang::current();
    let mut row = NewComment {
        receipt_token_hash: ids::hash_secret(&token),
        tracking_number: rules::tracking_number(local, &ids::random_code(5)),
        id,
        draft_id: draft.id.clone(),
        round: draft.round,
        body: clean.body.clone(),
        article: clean.article,
        stakeholder_type: clean.stakeholder_type.as_str().into(),
        organization: clean.organization.clone(),
        name: clean.name.clone(),
        email: clean.email.clone(),
        email_normalized: clean.email_normalized(),
        phone: clean.phone.clone(),
        region: clean.region.clone(),
        publish_name: clean.publish_name,
        withhold: clean.withhold,
        channel: channel.as_str().into(),
        locale: lang.code().into(),
        status: CommentStatus::Published.as_str().into(),
        entered_by: Some(actor.id.clone()),
        client_key: None,
        submitted_at: now.naive_utc(),
    };
    let mail = clean.email.as_ref().map(|email| ReceiptMail {
        recipient: email.clone(),
        locale: lang.code().into(),
        draft_title: draft.title.clone(),
    });
    let stored = db::write_tx(conn, |conn| {
        // R10: a number of the same 4 ms may be taken (1 in 2²⁵): draw again.
        while !q::taken_tracking_numbers(conn, std::slice::from_ref(&row.tracking_number))?
            .is_empty()
        {
            row.tracking_number = rules::tracking_number(local, &ids::random_code(5));
        }
        q::insert(conn, &row)?;
        if let Some(mail) = &mail {
            q::insert_outbox(conn, &receipt_message(&row, mail, now))?;
        }
        audit::append(
            conn,
            now,
            &audit::AuditEvent {
                actor: &actor.id,
                action: "comment.enter_offline",
                object_type: "comment",
                object_id: &row.id,
                draft_id: Some(&row.draft_id),
                details: json!({
                    "channel": row.channel,
                    "tracking_number": row.tracking_number,
                }),
            },
        )?;
        Ok::<_, AppError>(q::by_id(conn, &row.id)?)
    })?
    .ok_or_else(|| AppError::internal(anyhow::anyhow!("stored comment vanished")))?;
    Ok(Entered {
        comment: stored,
        receipt_token: token,
    })
}

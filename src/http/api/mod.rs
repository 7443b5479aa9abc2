//! JSON API handlers, one file per noun, one function per verb (`verb_noun`).

pub mod agencies;
pub mod auth;
pub mod changes;
pub mod comments;
pub mod dispositions;
pub mod draft_actions;
pub mod drafts;
pub mod groups;
pub mod invitations;
pub mod materials;
pub mod moderation;
pub mod ops;
pub mod outbox;
pub mod receipts;
pub mod reports;
pub mod rounds;
pub mod subscriptions;
pub mod test_clock;

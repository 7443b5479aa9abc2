//! R25: who is calling. `Staff` is any signed-in user; `Authorized<P>` also checks the roles of
//! permit `P`, so a handler that takes it cannot forget the check. `MaybeStaff` is for routes
//! that anyone may call but staff see more of; a bad token there is still a 401.
//!
//! Who the caller is is settled before the body is read: each of these extractors opens a
//! [`CallerGate`] on the request, and the body extractors (`JsonBody`) wait for it to open
//! before reading a byte, whatever the order of the handler's arguments. A refused caller gets
//! 401 or 403 and the body is never read, parsed or checked.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use tokio::sync::watch;

use super::error::AppError;
use crate::app::AppState;
use crate::db::users::{self, User};
use crate::domain::roles::{Role, Roles};
use crate::l;

#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    pub roles: Roles,
}

impl Staff {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    /// The caller as the operations see them.
    pub fn actor(&self) -> crate::service::Actor {
        crate::service::Actor::new(self.user.id.clone(), self.roles.clone())
    }
}

/// The bearer token of the request, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
        Some(token.trim().to_string())
    } else {
        None
    }
}

/// Settles when the caller of a request has been checked: `true` let through, `false` refused.
/// Stored in the request's extensions by the caller extractors.
#[derive(Clone)]
struct CallerGate(watch::Receiver<Option<bool>>);

/// Opens the gate of this request and returns its latch. Dropping the latch without setting it
/// counts as a refusal.
fn install_gate(req: &HttpRequest) -> watch::Sender<Option<bool>> {
    let (tx, rx) = watch::channel(None);
    req.extensions_mut().insert(CallerGate(rx));
    tx
}

/// Waits until the request's caller has been let through, when a caller extractor guards this
/// route; returns at once when none does (a public route). When the caller is refused this
/// never returns: the caller extractor's own 401/403 is the answer.
pub async fn caller_checked(req: &HttpRequest) {
    let gate = req.extensions().get::<CallerGate>().cloned();
    let Some(CallerGate(mut rx)) = gate else {
        return;
    };
    match rx.wait_for(Option::is_some).await.map(|v| *v) {
        Ok(Some(true)) => {}
        _ => std::future::pending::<()>().await,
    }
}

/// Runs a caller check and reports its outcome to the gate.
async fn guarded<T>(
    latch: watch::Sender<Option<bool>>,
    check: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = check.await;
    let _ = latch.send(Some(result.is_ok()));
    result
}

async fn resolve(req: &HttpRequest) -> Result<Option<Staff>, AppError> {
    let Some(token) = bearer_token(req) else {
        if req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION)
        {
            return Err(AppError::unauthenticated());
        }
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("application state missing")))?
        .clone();
    let now = state.clock.now();
    let user = state
        .db(move |conn| Ok(users::by_token(conn, now, &token)?))
        .await?;
    match user {
        Some(user) => {
            let roles = user.roles();
            Ok(Some(Staff { user, roles }))
        }
        None => Err(AppError::unauthenticated()),
    }
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        let latch = install_gate(&req);
        Box::pin(guarded(latch, async move {
            resolve(&req).await?.ok_or_else(AppError::unauthenticated)
        }))
    }
}

/// Anyone; `Some` when a valid token came with the request.
#[derive(Debug, Clone)]
pub struct MaybeStaff(pub Option<Staff>);

impl FromRequest for MaybeStaff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        let latch = install_gate(&req);
        Box::pin(guarded(latch, async move {
            Ok(MaybeStaff(resolve(&req).await?))
        }))
    }
}

/// A set of roles any one of which lets the caller through.
pub trait Permit {
    const ROLES: &'static [Role];
}

macro_rules! permit {
    ($name:ident, $($role:ident),+) => {
        #[derive(Debug)]
        pub struct $name;
        impl Permit for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

permit!(AdminOnly, Admin);
permit!(DrafterOnly, Drafter);
permit!(ModeratorOnly, Moderator);
permit!(ModeratorOrAdmin, Moderator, Admin);
permit!(ApproverOnly, Approver);
permit!(DrafterOrReviewer, Drafter, Reviewer);
permit!(DrafterOrApprover, Drafter, Approver);
permit!(Reviewing, Drafter, Reviewer, Approver);

/// A signed-in user holding one of `P::ROLES` (401 without a token, 403 without the role).
#[derive(Debug)]
pub struct Authorized<P: Permit> {
    pub staff: Staff,
    _permit: PhantomData<P>,
}

impl<P: Permit> std::ops::Deref for Authorized<P> {
    type Target = Staff;
    fn deref(&self) -> &Staff {
        &self.staff
    }
}

impl<P: Permit + 'static> FromRequest for Authorized<P> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        let latch = install_gate(&req);
        Box::pin(guarded(latch, async move {
            let staff = resolve(&req).await?.ok_or_else(AppError::unauthenticated)?;
            if !staff.roles.has_any(P::ROLES) {
                let needed = P::ROLES
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" / ");
                return Err(AppError::forbidden(l!(
                    "此操作需要以下角色之一：{}",
                    "This needs one of these roles: {}",
                    needed
                )));
            }
            Ok(Authorized {
                staff,
                _permit: PhantomData,
            })
        }))
    }
}

//! R25: who is calling. `Staff` is any signed-in user; `Authorized<P>` also checks the roles of
//! permit `P`, so a handler that takes it cannot forget the check. `MaybeStaff` is for routes
//! that anyone may call but staff see more of; a bad token there is still a 401.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

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
        Box::pin(async move { resolve(&req).await?.ok_or_else(AppError::unauthenticated) })
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
        Box::pin(async move { Ok(MaybeStaff(resolve(&req).await?)) })
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
        Box::pin(async move {
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
        })
    }
}

//! R7: the review chain as a state machine, with the four-eyes rules and the attestation.
//! Pure: it is told who acts, in which roles, on a draft in which state, and answers the
//! next state or why the step is refused.

use serde::{Deserialize, Serialize};

use super::roles::{Role, Roles};

/// Where a draft is in its life. Stored as the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    Drafting,
    AwaitingInitialReview,
    AwaitingReReview,
    AwaitingApproval,
    Published,
    Withdrawn,
    Concluded,
}

impl DraftState {
    pub const ALL: [DraftState; 7] = [
        DraftState::Drafting,
        DraftState::AwaitingInitialReview,
        DraftState::AwaitingReReview,
        DraftState::AwaitingApproval,
        DraftState::Published,
        DraftState::Withdrawn,
        DraftState::Concluded,
    ];

    /// States the public may see (a draft is withdrawn only after publication).
    pub const PUBLIC: [DraftState; 3] = [
        DraftState::Published,
        DraftState::Withdrawn,
        DraftState::Concluded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Drafting => "drafting",
            DraftState::AwaitingInitialReview => "awaiting_initial_review",
            DraftState::AwaitingReReview => "awaiting_re_review",
            DraftState::AwaitingApproval => "awaiting_approval",
            DraftState::Published => "published",
            DraftState::Withdrawn => "withdrawn",
            DraftState::Concluded => "concluded",
        }
    }

    pub fn parse(s: &str) -> Option<DraftState> {
        DraftState::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn is_public(self) -> bool {
        DraftState::PUBLIC.contains(&self)
    }

    /// The review states in which a person holding `role` has work to do.
    pub fn awaiting(role: Role) -> &'static [DraftState] {
        match role {
            Role::Reviewer => &[
                DraftState::AwaitingInitialReview,
                DraftState::AwaitingReReview,
            ],
            Role::Approver => &[DraftState::AwaitingApproval],
            _ => &[],
        }
    }
}

/// A step someone asks for (`POST /api/v1/drafts/{id}/actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    PassInitialReview,
    PassReReview,
    Approve,
    Return,
    Extend,
    Withdraw,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Submit,
        Action::PassInitialReview,
        Action::PassReReview,
        Action::Approve,
        Action::Return,
        Action::Extend,
        Action::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::PassInitialReview => "pass_initial_review",
            Action::PassReReview => "pass_re_review",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Extend => "extend",
            Action::Withdraw => "withdraw",
        }
    }

    /// Review decisions that let the text move on need the no-secrets attestation (R7). A
    /// return sends the text back (perhaps because it holds a secret), so it needs a note
    /// instead.
    pub fn needs_attestation(self) -> bool {
        matches!(
            self,
            Action::PassInitialReview | Action::PassReReview | Action::Approve
        )
    }

    /// The roles of which the actor must hold one.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Action::Submit => &[Role::Drafter],
            Action::PassInitialReview | Action::PassReReview => &[Role::Reviewer],
            Action::Approve | Action::Withdraw => &[Role::Approver],
            Action::Return => &[Role::Reviewer, Role::Approver],
            Action::Extend => &[Role::Drafter, Role::Approver],
        }
    }
}

/// The people already attached to a draft.
#[derive(Debug, Clone, Copy)]
pub struct Participants<'a> {
    pub drafter_id: &'a str,
    pub initial_reviewer_id: Option<&'a str>,
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub roles: &'a Roles,
}

/// What came with the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepInput<'a> {
    pub note: Option<&'a str>,
    pub attested: bool,
    pub reason: Option<&'a str>,
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 403: the actor holds none of these roles.
    WrongRole(&'static [Role]),
    /// 403: the right role, the wrong person.
    WrongPerson(PersonRule),
    /// 409: not possible from this state.
    WrongState(DraftState),
    /// 422: a review step without `attest_no_confidential: true`.
    AttestationRequired,
    /// 422: a return without a note.
    NoteRequired,
    /// 422: an extension or withdrawal without a reason.
    ReasonRequired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonRule {
    /// Only the draft's drafter may submit (or, without the approver role, extend) it.
    OnlyTheDrafter,
    /// Four eyes: the drafter may not review or approve their own draft.
    NotTheDrafter,
    /// Four eyes: the re-reviewer differs from the initial reviewer.
    NotTheInitialReviewer,
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// R7: the state after `action`, or why it is refused. Checks run in the order of the
/// answers' meaning: role (403), state (409), person (403), then the request's own fields
/// (422).
pub fn transition(
    state: DraftState,
    action: Action,
    actor: Actor<'_>,
    people: Participants<'_>,
    input: StepInput<'_>,
) -> Result<DraftState, Refusal> {
    use DraftState as S;
    if !actor.roles.has_any(action.roles()) {
        return Err(Refusal::WrongRole(action.roles()));
    }
    let next = match (action, state) {
        (Action::Submit, S::Drafting) => S::AwaitingInitialReview,
        (Action::PassInitialReview, S::AwaitingInitialReview) => S::AwaitingReReview,
        (Action::PassReReview, S::AwaitingReReview) => S::AwaitingApproval,
        (Action::Approve, S::AwaitingApproval) => S::Published,
        (Action::Return, S::AwaitingInitialReview | S::AwaitingReReview | S::AwaitingApproval) => {
            S::Drafting
        }
        (Action::Extend, S::Published) => S::Published,
        (Action::Withdraw, S::Published) => S::Withdrawn,
        _ => return Err(Refusal::WrongState(state)),
    };
    // Returning from the approval step is the approver's decision; from a review step, a
    // reviewer's.
    if action == Action::Return {
        let needed: &'static [Role] = if state == S::AwaitingApproval {
            &[Role::Approver]
        } else {
            &[Role::Reviewer]
        };
        if !actor.roles.has_any(needed) {
            return Err(Refusal::WrongRole(needed));
        }
    }
    let is_drafter = actor.id == people.drafter_id;
    match action {
        Action::Submit if !is_drafter => {
            return Err(Refusal::WrongPerson(PersonRule::OnlyTheDrafter));
        }
        Action::PassInitialReview | Action::PassReReview | Action::Approve | Action::Return
            if is_drafter =>
        {
            return Err(Refusal::WrongPerson(PersonRule::NotTheDrafter));
        }
        Action::PassReReview if people.initial_reviewer_id == Some(actor.id) => {
            return Err(Refusal::WrongPerson(PersonRule::NotTheInitialReviewer));
        }
        Action::Extend if !is_drafter && !actor.roles.has(Role::Approver) => {
            return Err(Refusal::WrongPerson(PersonRule::OnlyTheDrafter));
        }
        _ => {}
    }
    if action.needs_attestation() && !input.attested {
        return Err(Refusal::AttestationRequired);
    }
    if action == Action::Return && blank(input.note) {
        return Err(Refusal::NoteRequired);
    }
    if matches!(action, Action::Extend | Action::Withdraw) && blank(input.reason) {
        return Err(Refusal::ReasonRequired);
    }
    Ok(next)
}

/// R7: the steps `actor` may take now on a draft in `state` (given the fields each step
/// asks for), so a page offers only those.
pub fn available(state: DraftState, actor: Actor<'_>, people: Participants<'_>) -> Vec<Action> {
    let full = StepInput {
        note: Some("-"),
        attested: true,
        reason: Some("-"),
    };
    Action::ALL
        .into_iter()
        .filter(|a| transition(state, *a, actor, people, full).is_ok())
        .collect()
}

/// R1: what a draft is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    NormativeDocument,
    Regulation,
    MajorDecision,
    Other,
}

impl DraftKind {
    pub const ALL: [DraftKind; 4] = [
        DraftKind::NormativeDocument,
        DraftKind::Regulation,
        DraftKind::MajorDecision,
        DraftKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftKind::NormativeDocument => "normative_document",
            DraftKind::Regulation => "regulation",
            DraftKind::MajorDecision => "major_decision",
            DraftKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<DraftKind> {
        DraftKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// R2: the kinds of material that accompany a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    Explanation,
    Basis,
    Interpretation,
    Faq,
    HearingRecord,
    Attachment,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 6] = [
        MaterialKind::Explanation,
        MaterialKind::Basis,
        MaterialKind::Interpretation,
        MaterialKind::Faq,
        MaterialKind::HearingRecord,
        MaterialKind::Attachment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MaterialKind::Explanation => "explanation",
            MaterialKind::Basis => "basis",
            MaterialKind::Interpretation => "interpretation",
            MaterialKind::Faq => "faq",
            MaterialKind::HearingRecord => "hearing_record",
            MaterialKind::Attachment => "attachment",
        }
    }

    pub fn parse(s: &str) -> Option<MaterialKind> {
        MaterialKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// R3: the material kinds a draft still lacks before it may go to review.
pub fn missing_for_review(present: &[MaterialKind]) -> Vec<MaterialKind> {
    [MaterialKind::Explanation, MaterialKind::Basis]
        .into_iter()
        .filter(|k| !present.contains(k))
        .collect()
}

/// R3 with R8: a later round goes to review only with an explanation of its own, which says
/// what changed since the round before and why (the basis may stay the first round's).
pub fn needs_round_explanation(round: i32, explanations_of_the_round: usize) -> bool {
    round > 1 && explanations_of_the_round == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[Role]) -> Roles {
        Roles::new(r.to_vec())
    }

    fn step(
        state: DraftState,
        action: Action,
        id: &str,
        r: &[Role],
        initial: Option<&str>,
        input: StepInput<'_>,
    ) -> Result<DraftState, Refusal> {
        let roles = roles(r);
        transition(
            state,
            action,
            Actor { id, roles: &roles },
            Participants {
                drafter_id: "d",
                initial_reviewer_id: initial,
            },
            input,
        )
    }

    const ATTESTED: StepInput<'static> = StepInput {
        note: None,
        attested: true,
        reason: None,
    };

    #[test]
    fn the_happy_path_reaches_publication() {
        use DraftState as S;
        let none = StepInput::default();
        assert_eq!(
            step(
                S::Drafting,
                Action::Submit,
                "d",
                &[Role::Drafter],
                None,
                none
            ),
            Ok(S::AwaitingInitialReview)
        );
        assert_eq!(
            step(
                S::AwaitingInitialReview,
                Action::PassInitialReview,
                "r1",
                &[Role::Reviewer],
                None,
                ATTESTED
            ),
            Ok(S::AwaitingReReview)
        );
        assert_eq!(
            step(
                S::AwaitingReReview,
                Action::PassReReview,
                "r2",
                &[Role::Reviewer],
                Some("r1"),
                ATTESTED
            ),
            Ok(S::AwaitingApproval)
        );
        assert_eq!(
            step(
                S::AwaitingApproval,
                Action::Approve,
                "a",
                &[Role::Approver],
                Some("r1"),
                ATTESTED
            ),
            Ok(S::Published)
        );
    }

    #[test]
    fn four_eyes() {
        use DraftState as S;
        let all = [Role::Drafter, Role::Reviewer, Role::Approver];
        assert_eq!(
            step(
                S::AwaitingInitialReview,
                Action::PassInitialReview,
                "d",
                &all,
                None,
                ATTESTED
            ),
            Err(Refusal::WrongPerson(PersonRule::NotTheDrafter))
        );
        assert_eq!(
            step(
                S::AwaitingApproval,
                Action::Approve,
                "d",
                &all,
                None,
                ATTESTED
            ),
            Err(Refusal::WrongPerson(PersonRule::NotTheDrafter))
        );
        assert_eq!(
            step(
                S::AwaitingReReview,
                Action::PassReReview,
                "r1",
                &[Role::Reviewer],
                Some("r1"),
                ATTESTED
            ),
            Err(Refusal::WrongPerson(PersonRule::NotTheInitialReviewer))
        );
        assert_eq!(
            step(
                S::Drafting,
                Action::Submit,
                "other",
                &[Role::Drafter],
                None,
                StepInput::default()
            ),
            Err(Refusal::WrongPerson(PersonRule::OnlyTheDrafter))
        );
    }

    #[test]
    fn role_state_and_fields_are_checked_in_order() {
        use DraftState as S;
        assert!(matches!(
            step(
                S::Drafting,
                Action::PassInitialReview,
                "r",
                &[Role::Drafter],
                None,
                ATTESTED
            ),
            Err(Refusal::WrongRole(_))
        ));
        assert_eq!(
            step(
                S::Drafting,
                Action::PassInitialReview,
                "r",
                &[Role::Reviewer],
                None,
                ATTESTED
            ),
            Err(Refusal::WrongState(S::Drafting))
        );
        assert_eq!(
            step(
                S::AwaitingInitialReview,
                Action::PassInitialReview,
                "r",
                &[Role::Reviewer],
                None,
                StepInput::default()
            ),
            Err(Refusal::AttestationRequired)
        );
        assert_eq!(
            step(
                S::AwaitingReReview,
                Action::Return,
                "r",
                &[Role::Reviewer],
                None,
                StepInput::default()
            ),
            Err(Refusal::NoteRequired)
        );
        assert!(matches!(
            step(
                S::AwaitingApproval,
                Action::Return,
                "r",
                &[Role::Reviewer],
                None,
                StepInput {
                    note: Some("x"),
                    ..StepInput::default()
                }
            ),
            Err(Refusal::WrongRole(_))
        ));
        assert_eq!(
            step(
                S::Published,
                Action::Withdraw,
                "a",
                &[Role::Approver],
                None,
                StepInput::default()
            ),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            step(
                S::Published,
                Action::Withdraw,
                "a",
                &[Role::Approver],
                None,
                StepInput {
                    reason: Some("法规已废止"),
                    ..StepInput::default()
                }
            ),
            Ok(S::Withdrawn)
        );
        assert_eq!(
            step(
                S::Withdrawn,
                Action::Extend,
                "d",
                &[Role::Drafter],
                None,
                StepInput {
                    reason: Some("x"),
                    ..StepInput::default()
                }
            ),
            Err(Refusal::WrongState(S::Withdrawn))
        );
    }

    #[test]
    fn return_from_every_review_step_goes_back_to_drafting() {
        use DraftState as S;
        let note = StepInput {
            note: Some("第三条表述不清"),
            ..StepInput::default()
        };
        for (state, role) in [
            (S::AwaitingInitialReview, Role::Reviewer),
            (S::AwaitingReReview, Role::Reviewer),
            (S::AwaitingApproval, Role::Approver),
        ] {
            assert_eq!(
                step(state, Action::Return, "x", &[role], None, note),
                Ok(S::Drafting)
            );
        }
    }

    #[test]
    fn review_needs_explanation_and_basis() {
        assert_eq!(
            missing_for_review(&[MaterialKind::Faq]),
            vec![MaterialKind::Explanation, MaterialKind::Basis]
        );
        assert!(missing_for_review(&[MaterialKind::Basis, MaterialKind::Explanation]).is_empty());
    }

    #[test]
    fn a_later_round_needs_an_explanation_of_its_own() {
        assert!(!needs_round_explanation(1, 0));
        assert!(needs_round_explanation(2, 0));
        assert!(!needs_round_explanation(2, 1));
    }

    #[test]
    fn stored_names_round_trip() {
        for s in DraftState::ALL {
            assert_eq!(DraftState::parse(s.as_str()), Some(s));
        }
        for k in MaterialKind::ALL {
            assert_eq!(MaterialKind::parse(k.as_str()), Some(k));
        }
        for k in DraftKind::ALL {
            assert_eq!(DraftKind::parse(k.as_str()), Some(k));
        }
    }
}

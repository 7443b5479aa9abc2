//! R9–R14: the pure rules of a comment: what a valid submission is and how it is normalised,
//! when a draft takes comments, tracking numbers, and the closed vocabularies.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// R9: a body holds 1–5,000 characters after trimming.
pub const BODY_MAX_CHARS: usize = 5000;
/// R9: every other text field holds at most 200 characters.
pub const TEXT_MAX_CHARS: usize = 200;

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The allowed values, for messages.
            pub fn list() -> String {
                $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

vocabulary!(
    /// R9: who is speaking.
    StakeholderType {
        Individual => "individual",
        Enterprise => "enterprise",
        IndustryAssociation => "industry_association",
        SocialOrganization => "social_organization",
        Expert => "expert",
        PublicInstitution => "public_institution",
        GovernmentBody => "government_body",
        Other => "other",
    }
);

vocabulary!(
    /// R9: how an opinion arrived; `online` is the public form, the rest are entered by staff.
    Channel {
        Online => "online",
        Letter => "letter",
        Email => "email",
        Hearing => "hearing",
        Symposium => "symposium",
        Phone => "phone",
    }
);

vocabulary!(
    /// R12: where a comment stands in moderation.
    CommentStatus {
        Pending => "pending",
        Published => "published",
        Hidden => "hidden",
    }
);

vocabulary!(
    /// R12: why a moderator hid a comment.
    HideReason {
        Spam => "spam",
        Abusive => "abusive",
        PersonalData => "personal_data",
        Confidential => "confidential",
        OffTopic => "off_topic",
        DuplicateSubmission => "duplicate_submission",
    }
);

impl StakeholderType {
    /// R9: everyone but individuals and experts speaks for an organisation and names it.
    pub fn needs_organization(self) -> bool {
        !matches!(self, StakeholderType::Individual | StakeholderType::Expert)
    }
}

/// A submission as it arrived: every field optional so that all faults are found at once.
#[derive(Debug, Clone, Default)]
pub struct CommentFields {
    pub body: Option<String>,
    pub article: Option<i32>,
    pub stakeholder_type: Option<String>,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub publish_name: Option<bool>,
    pub withhold: Option<bool>,
    pub consent: Option<bool>,
}

/// A submission that satisfies R9: trimmed, NFC-normalised, empty optional fields dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CleanComment {
    pub body: String,
    pub article: Option<i32>,
    pub stakeholder_type: StakeholderType,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub region: Option<String>,
    pub publish_name: bool,
    pub withhold: bool,
}

impl CleanComment {
    /// The address the per-address cap and receipts use (case-insensitive).
    pub fn email_normalized(&self) -> Option<String> {
        self.email.as_ref().map(|e| e.to_lowercase())
    }
}

/// Why a field was refused. The HTTP layer renders it in the request's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Required,
    Empty,
    TooLong { max: usize },
    ControlCharacters,
    UnknownStakeholderType,
    OrganizationRequired,
    BadEmail,
    BadPhone,
    ConsentRequired,
    UnknownArticle,
}

impl Fault {
    pub fn code(&self) -> &'static str {
        match self {
            Fault::Required => "required",
            Fault::Empty => "empty",
            Fault::TooLong { .. } => "too_long",
            Fault::ControlCharacters => "control_characters",
            Fault::UnknownStakeholderType => "unknown_stakeholder_type",
            Fault::OrganizationRequired => "organization_required",
            Fault::BadEmail => "bad_email",
            Fault::BadPhone => "bad_phone",
            Fault::ConsentRequired => "consent_required",
            Fault::UnknownArticle => "unknown_article",
        }
    }

    /// The message in Chinese and in English: what is wrong and what to do.
    pub fn texts(&self) -> (String, String) {
        match self {
            Fault::Required => ("必须填写".into(), "is required".into()),
            Fault::Empty => (
                "请填写意见内容（不能只有空格或不可见字符）".into(),
                "write your comment; spaces or invisible characters alone do not count".into(),
            ),
            Fault::TooLong { max } => (
                format!("不能超过 {max} 个字符，请删减"),
                format!("must be at most {max} characters; please shorten it"),
            ),
            Fault::ControlCharacters => (
                "含有不允许的控制字符，请删除后再提交".into(),
                "contains control characters; remove them and try again".into(),
            ),
            Fault::UnknownStakeholderType => (
                format!("请从以下类型中选择：{}", StakeholderType::list()),
                format!("choose one of: {}", StakeholderType::list()),
            ),
            Fault::OrganizationRequired => (
                "以单位或组织身份提出意见时，请填写单位名称".into(),
                "name the organisation you speak for".into(),
            ),
            Fault::BadEmail => (
                "邮箱地址格式不正确".into(),
                "is not a valid email address".into(),
            ),
            Fault::BadPhone => (
                "电话号码只能包含数字、空格和 + - ( )，长度 5 到 20 个字符".into(),
                "may hold only digits, spaces and + - ( ), 5 to 20 characters".into(),
            ),
            Fault::ConsentRequired => (
                "请阅读并同意意见处理说明后再提交".into(),
                "please read and accept how your comment will be handled".into(),
            ),
            Fault::UnknownArticle => (
                "草案中没有这一条，请核对条文序号".into(),
                "the draft has no such article; check its number".into(),
            ),
        }
    }
}

/// R9: checks and normalises a submission. `require_consent` is false for opinions entered
/// by staff (the letter writer did not tick a box). Returns every fault, field by field.
pub fn clean(
    input: &CommentFields,
    require_consent: bool,
) -> Result<CleanComment, Vec<(&'static str, Fault)>> {
    let mut faults: Vec<(&'static str, Fault)> = Vec::new();

    let body = match input.body.as_deref() {
        None => {
            faults.push(("body", Fault::Required));
            None
        }
        Some(raw) => {
            let text = normalize(raw);
            if has_control(&text, true) {
                faults.push(("body", Fault::ControlCharacters));
                None
            } else if !has_visible(&text) {
                faults.push(("body", Fault::Empty));
                None
            } else if text.chars().count() > BODY_MAX_CHARS {
                faults.push((
                    "body",
                    Fault::TooLong {
                        max: BODY_MAX_CHARS,
                    },
                ));
                None
            } else {
                Some(text)
            }
        }
    };

    let stakeholder_type = match input.stakeholder_type.as_deref().map(str::trim) {
        None | Some("") => {
            faults.push(("stakeholder_type", Fault::Required));
            None
        }
        Some(s) => {
            let t = StakeholderType::parse(s);
            if t.is_none() {
                faults.push(("stakeholder_type", Fault::UnknownStakeholderType));
            }
            t
        }
    };

    let mut short = |field: &'static str, value: &Option<String>| -> Option<String> {
        let text = normalize(value.as_deref()?);
        if text.is_empty() || !has_visible(&text) {
            return None;
        }
        if has_control(&text, false) {
            faults.push((field, Fault::ControlCharacters));
        } else if text.chars().count() > TEXT_MAX_CHARS {
            faults.push((
                field,
                Fault::TooLong {
                    max: TEXT_MAX_CHARS,
                },
            ));
        }
        Some(text)
    };
    let organization = short("organization", &input.organization);
    let name = short("name", &input.name);
    let email = short("email", &input.email);
    let phone = short("phone", &input.phone);
    let region = short("region", &input.region);

    if let (Some(t), None) = (stakeholder_type, &organization)
        && t.needs_organization()
    {
        faults.push(("organization", Fault::OrganizationRequired));
    }
    if let Some(e) = &email
        && !faults.iter().any(|(f, _)| *f == "email")
        && !valid_email(e)
    {
        faults.push(("email", Fault::BadEmail));
    }
    if let Some(p) = &phone
        && !faults.iter().any(|(f, _)| *f == "phone")
        && !valid_phone(p)
    {
        faults.push(("phone", Fault::BadPhone));
    }
    if require_consent && input.consent != Some(true) {
        faults.push(("consent", Fault::ConsentRequired));
    }

    match (body, stakeholder_type) {
        (Some(body), Some(stakeholder_type)) if faults.is_empty() => Ok(CleanComment {
            body,
            article: input.article,
            stakeholder_type,
            organization,
            name,
            email,
            phone,
            region,
            publish_name: input.publish_name.unwrap_or(false),
            withhold: input.withhold.unwrap_or(false),
        }),
        _ => Err(faults),
    }
}

/// R9: `article` must be one of the draft's article numbers.
pub fn check_article(article: Option<i32>, numbers: &[i32]) -> Result<(), Fault> {
    match article {
        Some(n) if !numbers.contains(&n) => Err(Fault::UnknownArticle),
        _ => Ok(()),
    }
}

/// Unicode NFC, line ends as `\n`, surrounding white space removed.
pub fn normalize(raw: &str) -> String {
    let text: String = raw.nfc().collect();
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    text.trim().to_string()
}

/// Control characters (Unicode Cc) are refused; a body may hold line breaks and tabs.
fn has_control(text: &str, multiline: bool) -> bool {
    text.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
}

/// Characters that render as nothing: white space, zero-width and format characters,
/// fillers and variation selectors. A body made only of these is empty.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

fn has_visible(text: &str) -> bool {
    text.chars().any(|c| !is_invisible(c))
}

fn valid_email(e: &str) -> bool {
    use validator::ValidateEmail;
    e.validate_email()
}

/// R9: digits, spaces and `+ - ( )`, 5–20 characters, at least one digit.
pub fn valid_phone(p: &str) -> bool {
    let n = p.chars().count();
    (5..=20).contains(&n)
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'))
        && p.chars().any(|c| c.is_ascii_digit())
}

/// R5: where a draft stands for taking comments at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    Open,
    /// Published, but the window opens later.
    NotYet {
        opens_at: DateTime<Utc>,
    },
    /// The window has ended.
    Ended {
        closed_at: DateTime<Utc>,
    },
    /// Withdrawn or concluded: no comments any more.
    Stopped,
    /// Not public (still in drafting or review).
    NotPublic,
}

/// R5: open ⇔ state = published and opens_at ≤ now < closes_at.
pub fn intake(
    state: &str,
    opens_at: Option<DateTime<Utc>>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Intake {
    match state {
        "published" => match opens_at {
            Some(o) if now < o => Intake::NotYet { opens_at: o },
            Some(_) if now < closes_at => Intake::Open,
            Some(_) => Intake::Ended {
                closed_at: closes_at,
            },
            // Published without an opening instant cannot happen; treat as not yet open.
            None => Intake::NotPublic,
        },
        "withdrawn" | "concluded" => Intake::Stopped,
        _ => Intake::NotPublic,
    }
}

/// R10: a tracking number a person can read out, e.g. `20260301-GK1QD-9XW2M`: the site's
/// local date; the time of day in steps of 4 ms (five Crockford characters), so that numbers
/// are issued in order and their unique index grows at its end (a comment batch writes one
/// index page, not one per comment: docs/benchmarks.md); and `random`, five Crockford
/// characters (25 bits), so that a number cannot be guessed from another issued at the same
/// moment. Two numbers of the same 4 ms are told apart by the writer, which draws again on a
/// clash.
pub fn tracking_number(local: NaiveDateTime, random: &str) -> String {
    use chrono::Timelike;
    const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let time = local.time();
    // A leap second's nanoseconds can pass 10⁹; the slot still fits in 25 bits.
    let millis = time.num_seconds_from_midnight() * 1000 + time.nanosecond() / 1_000_000;
    let slot = millis / 4;
    let when: String = (0..5)
        .rev()
        .map(|i| CROCKFORD[((slot >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("{}-{when}-{random}", local.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn fields(body: &str) -> CommentFields {
        CommentFields {
            body: Some(body.into()),
            stakeholder_type: Some("individual".into()),
            consent: Some(true),
            ..CommentFields::default()
        }
    }

    fn fault_of(input: &CommentFields, field: &str) -> Option<Fault> {
        clean(input, true)
            .err()?
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e)
    }

    #[test]
    fn body_is_trimmed_and_nfc_normalised() {
        let c = clean(&fields("  Cafe\u{0301}\r\n第二行 \u{3000}"), true).unwrap();
        assert_eq!(c.body, "Caf\u{e9}\n第二行");
    }

    #[test]
    fn body_length_counts_characters_not_bytes() {
        let ok = "意".repeat(BODY_MAX_CHARS);
        assert!(ok.len() > BODY_MAX_CHARS);
        assert!(clean(&fields(&ok), true).is_ok());
        let long = "意".repeat(BODY_MAX_CHARS + 1);
        assert_eq!(
            fault_of(&fields(&long), "body"),
            Some(Fault::TooLong {
                max: BODY_MAX_CHARS
            })
        );
    }

    #[test]
    fn invisible_only_body_is_empty_and_controls_are_refused() {
        for body in ["", "   ", "\u{200B}\u{200D}\u{FEFF}", "\u{3000}\n\t"] {
            assert_eq!(
                fault_of(&fields(body), "body"),
                Some(Fault::Empty),
                "{body:?}"
            );
        }
        assert_eq!(
            fault_of(&fields("a\u{0007}b"), "body"),
            Some(Fault::ControlCharacters)
        );
        assert!(clean(&fields("a\n\tb"), true).is_ok());
        let mut f = fields("ok");
        f.name = Some("a\nb".into());
        assert_eq!(fault_of(&f, "name"), Some(Fault::ControlCharacters));
    }

    #[test]
    fn organisation_required_except_individuals_and_experts() {
        for t in StakeholderType::ALL {
            let mut f = fields("ok");
            f.stakeholder_type = Some(t.as_str().into());
            let fault = fault_of(&f, "organization");
            assert_eq!(fault.is_some(), t.needs_organization(), "{t:?}");
            f.organization = Some("龙岭县律师协会".into());
            assert!(clean(&f, true).is_ok());
        }
    }

    #[test]
    fn every_fault_is_reported_at_once() {
        let f = CommentFields {
            body: Some(" ".into()),
            stakeholder_type: Some("alien".into()),
            email: Some("not-an-email".into()),
            phone: Some("12ab".into()),
            region: Some("x".repeat(201)),
            consent: Some(false),
            ..CommentFields::default()
        };
        let faults = clean(&f, true).unwrap_err();
        let names: Vec<_> = faults.iter().map(|(f, _)| *f).collect();
        for field in [
            "body",
            "stakeholder_type",
            "email",
            "phone",
            "region",
            "consent",
        ] {
            assert!(names.contains(&field), "{field} missing from {names:?}");
        }
    }

    #[test]
    fn phone_pattern() {
        assert!(valid_phone("+86 (571) 8888-0000"));
        assert!(valid_phone("12345"));
        assert!(!valid_phone("1234"));
        assert!(!valid_phone("123456789012345678901"));
        assert!(!valid_phone("call 12345"));
    }

    #[test]
    fn consent_needed_only_online() {
        let mut f = fields("ok");
        f.consent = None;
        assert_eq!(fault_of(&f, "consent"), Some(Fault::ConsentRequired));
        assert!(clean(&f, false).is_ok());
    }

    #[test]
    fn articles_must_exist() {
        assert!(check_article(None, &[1, 2]).is_ok());
        assert!(check_article(Some(2), &[1, 2]).is_ok());
        assert_eq!(check_article(Some(3), &[1, 2]), Err(Fault::UnknownArticle));
    }

    #[test]
    fn intake_follows_the_window() {
        let o: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap();
        let c: DateTime<Utc> = "2026-03-21T00:00:00Z".parse().unwrap();
        let before = o - chrono::TimeDelta::seconds(1);
        assert_eq!(
            intake("published", Some(o), c, before),
            Intake::NotYet { opens_at: o }
        );
        assert_eq!(intake("published", Some(o), c, o), Intake::Open);
        assert_eq!(
            intake("published", Some(o), c, c),
            Intake::Ended { closed_at: c }
        );
        assert_eq!(intake("withdrawn", Some(o), c, o), Intake::Stopped);
        assert_eq!(intake("drafting", Some(o), c, o), Intake::NotPublic);
    }

    #[test]
    fn tracking_numbers_are_readable_and_issued_in_order() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let at = |h, m, s, ms| d.and_hms_milli_opt(h, m, s, ms).unwrap();
        assert_eq!(
            tracking_number(at(0, 0, 0, 3), "9XW2M"),
            "20260301-00000-9XW2M"
        );
        // 23:59:59.999 is slot 21,599,999 = M,K,5,Q,Z in base 32.
        assert_eq!(
            tracking_number(at(23, 59, 59, 999), "9XW2M"),
            "20260301-MK5QZ-9XW2M"
        );
        let mut last = String::new();
        for (h, m, s, ms) in [
            (0, 0, 0, 4),
            (0, 0, 1, 0),
            (9, 30, 0, 0),
            (9, 30, 0, 8),
            (23, 0, 0, 0),
        ] {
            let n = tracking_number(at(h, m, s, ms), "00000");
            assert!(n > last, "{n} after {last}");
            last = n;
        }
    }
}

/// R12: what a moderator should look at twice in a comment before publishing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// The commenter asked that the text never be shown publicly.
    Withhold,
    /// The text holds a web address.
    Link,
    /// The text seems to hold contact details: an `@` (an email address) or seven digits in a
    /// row (a phone or identity-card number).
    ContactDetails,
}

impl Flag {
    pub const ALL: [Flag; 3] = [Flag::Withhold, Flag::Link, Flag::ContactDetails];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Withhold => "withhold",
            Flag::Link => "link",
            Flag::ContactDetails => "contact_details",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// R12: the flags of a comment's text.
pub fn flags(body: &str, withhold: bool) -> Vec<Flag> {
    let mut out = Vec::new();
    if withhold {
        out.push(Flag::Withhold);
    }
    let lower = body.to_lowercase();
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        out.push(Flag::Link);
    }
    let mut run = 0;
    let mut longest = 0;
    for c in body.chars() {
        if c.is_ascii_digit() {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    // The same test as the moderation queue's filter in SQL (`db::workspace`).
    if longest >= 7 || body.contains('@') {
        out.push(Flag::ContactDetails);
    }
    out
}

#[cfg(test)]
mod flag_tests {
    use super::*;

    #[test]
    fn flags_name_what_a_moderator_should_check() {
        assert!(flags("建议延长期限。", false).is_empty());
        assert_eq!(flags("请看 https://example.org", false), vec![Flag::Link]);
        assert_eq!(
            flags("联系我 13800138000", false),
            vec![Flag::ContactDetails]
        );
        assert_eq!(
            flags("mail: a@b.cn", true),
            vec![Flag::Withhold, Flag::ContactDetails]
        );
        assert!(flags("第2026年3月", false).is_empty());
    }
}

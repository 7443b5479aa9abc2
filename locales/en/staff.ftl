# The officers' workspace (/staff), English.

staff-workspace = Staff workspace
skip-to-content = Skip to content
nav-label = Workspace
prefs-label = Language and display
elder-on = Larger text (elder mode)
elder-off = Standard text size
sign-in = Sign in
sign-out = Sign out
signed-out = You have signed out.
footer-staff = Staff workspace. Work here is recorded in the audit log.
your-roles = Your roles:
back-to-dashboard = Back to the dashboard
reload-and-retry = Open the page again and repeat the step
count-comments = { $n ->
    [one] { $n } comment
   *[other] { $n } comments
}

list-separator = {", "}
message-separator = {"; "}

nav-dashboard = Dashboard
nav-drafts = Drafts
nav-moderation = Moderation
nav-users = Users
nav-audit = Audit log
nav-outbox = Mail

role-admin = Administrator
role-drafter = Drafter
role-reviewer = Reviewer
role-approver = Approver
role-moderator = Moderator

state-drafting = Drafting
state-awaiting_initial_review = Awaiting initial review
state-awaiting_re_review = Awaiting re-review
state-awaiting_approval = Awaiting approval
state-published = Published
state-withdrawn = Withdrawn
state-concluded = Concluded

action-submit = Submit for review
action-pass_initial_review = Pass the initial review
action-pass_re_review = Pass the re-review
action-approve = Approve and publish
action-return = Send back to the drafter
action-extend = Extend the comment period
action-withdraw = Withdraw the draft
action-submit-help = The draft goes to the initial review. It needs a drafting explanation and a basis among its materials.
action-pass_initial_review-help = Confirm that the text is fit for publication. Someone else than the initial reviewer does the re-review.
action-pass_re_review-help = The second review; then the draft waits for approval.
action-approve-help = Publication: the comment period starts on its opening date (or now, if that has passed). The period is checked again now.
action-return-help = The draft goes back to drafting; say what must change.
action-extend-help = A published period can only be made longer. Subscribers are told.
action-withdraw-help = Comments stop at once; the draft and its record stay visible as withdrawn.
action-unknown = That step does not exist.
done-submit = The draft was submitted for review.
done-pass_initial_review = The initial review is recorded.
done-pass_re_review = The re-review is recorded.
done-approve = The draft is approved and published.
done-return = The draft was sent back to the drafter.
done-extend = The comment period was extended.
done-withdraw = The draft was withdrawn.

account-title = My account
change-password = Change my password
change-password-hint = After the change every session of yours ends, this one too; sign in again with the new password.
field-current-password = Current password
password-changed = Your password is changed. Sign in with the new one.
login-title = Staff sign-in
login-lead = Sign in with the username and password your administrator gave you.
login-help = Forgotten your password? Ask an administrator for a new set-password link.
login-wrong = The username or password is wrong.
login-throttled = { $n ->
    [one] Too many failed sign-ins. Try again in a minute.
   *[other] Too many failed sign-ins. Try again in { $n } minutes.
}
field-username = Username
field-password = Password
field-new-password = New password
field-password-again = The same password again
field-display-name = Name shown to colleagues
field-email = Email address
password-rule = { $n } to 1000 characters. A sentence you remember works well.
password-mismatch = The two passwords differ.
password-set = Your password is set. Sign in with it now.
set-password-title = Choose your password
set-password-for = Choose the password for { $username }.
set-password-submit = Set the password
set-password-expired = This link has expired or was already used. Ask an administrator for a new one.

form-unreadable = The form could not be read. Send it again; if it keeps failing, shorten long texts.
upload-unreadable = The upload could not be read. Choose the file again and send the form once more.
user-operation-unknown = That change to a user does not exist. Use the buttons on the users page.
error-summary-title = There is a problem
error-csrf-title = The form has expired
error-csrf-body = This form was open too long or came from elsewhere, so nothing was changed. Open the page again and repeat the step.
error-forbidden-title = You may not do this
error-not-found-title = Page not found
error-not-found-body = There is nothing here, or you may not see it.

dash-title = What waits for me
dash-my-drafts = { $n ->
    [one] My draft
   *[other] My drafts
}
dash-my-drafts-empty = You have no draft in progress.
dash-to-review = { $n ->
    [one] Review waiting for me
   *[other] Reviews waiting for me
}
dash-to-approve = { $n ->
    [one] Approval waiting for me
   *[other] Approvals waiting for me
}
dash-nothing-waits = Nothing waits for you here.
dash-closing-soon = { $n ->
    [one] Drafts closing within a day
   *[other] Drafts closing within { $n } days
}
dash-closing-soon-empty = No draft closes within the next days.
dash-reports-due = { $n ->
    [one] Report due
   *[other] Reports due
}
dash-reports-due-empty = No report is due.
dash-report-overdue = { $n ->
    [one] overdue by { $n } day
   *[other] overdue by { $n } days
}
dash-report-due-in = { $n ->
    [one] due in { $n } day
   *[other] due in { $n } days
}
dash-pending = { $n ->
    [one] comment waits for moderation
   *[other] comments wait for moderation
}
col-draft = Draft
col-state = State
col-when = When
col-your-steps = Your steps
col-agency = Agency
col-closes = Closes
col-roles = Roles
col-status = Status
col-change = Change
col-action = Action
col-object = Object
col-details = Details
col-mail = Mail
col-recipient = Recipient

drafts-title = Drafts
drafts-found = { $n ->
    [one] { $n } draft
   *[other] { $n } drafts
}
new-draft = New draft
edit-draft = Edit the draft
filter-text = Title, number or subject terms
filter-state = State
filter-agency = Agency
filter-any = Any
filter-apply = Show
filter-status = Status
filter-draft = Draft
filter-flag = Flag
filter-object-type = Kind of object
filter-object-id = Object or draft id
filter-actor = Who
pager-label = Pages
pager-prev = Previous page
pager-next = Next page
pager-page = Page

back-to-drafts = Back to the drafts
back-to-draft = Back to “{ $title }”
back-to-draft-plain = Back to the draft
public-page = The public page
enter-offline = Enter an opinion received offline
your-steps-now = Your steps now
no-steps-now = There is no step for you to take on this draft now.
draft-about = About the draft
field-index-no = Index number
field-doc-number = Document number
field-agency = Issuing agency
field-category = Catalogue category
field-kind = Kind
field-enterprise-related = Concerns enterprises (market entities are heard)
field-subject-terms = Subject terms
field-summary = Summary
field-period = Comment period
field-drafter = Drafter
field-views = Public views
field-title = Title
field-opens-on = Opens on
field-closes-on = Closes on (inclusive)
field-attest = I confirm that the text holds no state secret, personal data or commercially confidential information.
field-new-closes-on = New closing date
field-reason = Reason
field-note = Note (optional)
field-note-required = What must change (required)
current-closes-on = Now closes on { $date }.
opens-at = Opens at { $when }
yes = Yes
no = No
extensions = Extensions
articles-count = { $n ->
    [one] { $n } article
   *[other] { $n } articles
}
article-no = Article { $n }
no-articles = No articles yet.
materials-count = { $n ->
    [one] { $n } material
   *[other] { $n } materials
}
no-materials = No materials yet. Review needs a drafting explanation and a basis.
workflow-record = Review record
no-steps-yet = No step has been taken yet.
attested = confidentiality confirmed

hint-doc-number = Optional: the number the document will carry once issued.
hint-category = The category of the government information catalogue.
hint-subject-terms = Separate terms with commas.
hint-period = Both dates are included. A period lasts at least { $n } days;
hint-period-major = a major decision at least { $n } days.
earliest-closes-on = Earliest allowed closing date for this opening date and kind: { $date }.
date-invalid = Give a date as year-month-day.
choose-kind = Choose a kind.
field-article-heading = heading (optional)
field-article-text = text
article-up = Move article { $n } up
article-down = Move article { $n } down
article-remove = Remove article { $n }
article-add = Add an article
field-articles-paste = Paste the whole text
hint-articles-paste = Text pasted here is split into articles at each article number, written the Chinese way or as “Article 1”, “Article 2”….
articles-split = Split into articles
save-draft = Save the draft
draft-created = The draft was created. Add its materials below, then submit it for review.
draft-saved = The draft was saved.
materials-hint = Before review a draft needs a drafting explanation and a basis for the decision. Files: PDF, DOCX, ODT, PNG or JPEG.
field-material-kind = Kind of material
field-material-body = Text
field-file = File (optional)
hint-file = { $n ->
    [one] At most { $n } MB.
   *[other] At most { $n } MB.
}
choose-material-kind = Choose the kind of material.
material-add = Add the material
material-added = The material was added.
choose = Choose…

offline-title = Enter an opinion received offline
offline-lead = An opinion that came by letter, email, at a hearing or symposium, or by phone. It counts and is answered like one sent online.
offline-submit = Enter the opinion
offline-entered = The opinion was entered with tracking number { $tracking }.
field-channel = How it arrived
field-article = Article
whole-draft = The whole draft
field-body = The opinion
field-stakeholder-type = Who sent it
field-organization = Organisation
sender-details = The sender's details (never published)
sender-details-hint = With an email address the sender gets a receipt.
field-name = Name
field-phone = Phone
field-region = Region
field-publish-name = The sender agrees that the name is published
field-withhold = The sender asks that the text is not published
field-consent-offline = The sender agreed that the opinion is processed for this consultation
article-number-invalid = Choose an article of the draft.
channel-online = Online
channel-letter = Letter
channel-email = Email
channel-hearing = Hearing
channel-symposium = Symposium
channel-phone = Phone

invitations-title = Invite to a hearing or symposium
invitations-lead = Each address gets one mail in its language, with the draft, the time and the place. Addresses that asked for no more mail are skipped.
invitations-submit = Send the invitations
invitations-queued = { $n ->
    [one] { $n } invitation is queued for sending.
   *[other] { $n } invitations are queued for sending.
}
field-event-kind = Event
field-starts-at = Starts at
field-place = Place
field-emails = Addresses to invite
hint-emails = One per line (or separated by commas). Leave empty to invite only the subscribers.
field-invite-subscribers = Invite the draft's subscribers instead
field-mail-language = Language of the mail to the listed addresses

check-all-on-page = Check every comment on this page
uncheck-all = Uncheck them all
moderation-title = Moderation
moderation-count = { $n ->
    [one] { $n } comment
   *[other] { $n } comments
}
moderation-decision = Decision for the checked comments
moderation-hint = Check the comments below, then choose publish or hide. Hiding needs a reason; hidden comments are still counted and answered.
field-decision = Decision
field-hide-reason = Reason for hiding
decision-publish = Publish
decision-hide = Hide
moderation-apply = Apply to the checked comments
moderation-none-selected = Check at least one comment first.
moderation-published = { $n ->
    [one] { $n } comment was published.
   *[other] { $n } comments were published.
}
moderation-hidden = { $n ->
    [one] { $n } comment was hidden.
   *[other] { $n } comments were hidden.
}
flags = Check: 
flag-withhold = the sender asked that it not be published
flag-link = contains a web address
flag-contact_details = may contain contact details
status-pending = Waiting
status-published = Published
status-hidden = Hidden
hide-spam = Spam
hide-abusive = Abusive
hide-personal_data = Personal data
hide-confidential = Confidential
hide-off_topic = Off topic
hide-duplicate_submission = Duplicate submission

users-title = Users
users-count = { $n ->
    [one] { $n } user
   *[other] { $n } users
}
user-active = Active
user-inactive = Deactivated
roles-of = Roles of { $username }
save-roles = Save the roles
reset-password-of = Reset the password of { $username }
deactivate-user = Deactivate { $username }
add-user = Add a user
add-user-hint = The new user gets a one-time link to choose a password; pass it on in person or by a trusted channel.
user-added = { $username } was added. Their set-password link:
user-roles-changed = The roles of { $username } were changed.
user-deactivated = { $username } was deactivated; their sessions ended.
user-password-reset = The password was reset and every session ended. The new set-password link:

audit-verify = Verify the chain now
audit-verify-hint = Walks every entry and checks its hash against the one before.
audit-title = Audit log
audit-count = { $n ->
    [one] { $n } entry
   *[other] { $n } entries
}
audit-chain-ok = { $n ->
    [one] The chain is intact: { $n } entry checked.
   *[other] The chain is intact: { $n } entries checked.
}
audit-chain-broken = The chain is broken: { $detail }

outbox-title = Mail
outbox-count = { $n ->
    [one] { $n } message
   *[other] { $n } messages
}
mail-queued = Queued
mail-sent = Sent
mail-failed = Failed
mail-retry = Send again
mail-requeued = The message is queued again.
mail-sent-at = sent { $when }
attempts = { $n ->
    [one] { $n } attempt
   *[other] { $n } attempts
}

## The report room (/staff/drafts/{id}/report)
report-link = Adoption report
report-room-title = Adoption report
report-progress-h = Review progress
report-disposed-label = Disposed of
report-disposed = { $done } of { $total } comments disposed
report-state-label = Report
report-none-yet = Not prepared yet
report-missing-h = { $n ->
    [one] { $n } comment still lacks a disposition or its reason
   *[other] { $n } comments still lack a disposition or its reason
}
report-missing-all = All comments without a disposition
report-missing-reason-all = Comments whose disposition lacks its reason
report-missing-more = and { $n } more not listed here
report-lacks-disposition = no disposition
report-lacks-reason = reason missing
report-export-label = Export every comment of the round (with contact details, for staff only):
report-export-csv = CSV
report-export-xlsx = Excel (.xlsx)
report-export-help = Every export is recorded in the audit log. The file holds personal data: keep it safe and never publish it.
report-op-prepare = Prepare the report
report-op-prepare-help = Once the comment period has closed and every comment has a disposition (with a reason unless adopted), the report is made from the dispositions as they stand; a version not yet submitted is made again from the latest ones.
report-op-correct = Correct the published report
report-op-correct-help = A published report is never edited: a correction is a new version that says what it corrects, and is published once approved.
report-op-submit = Submit for approval
report-op-submit-help = Another person approves it; while it waits, no disposition can change.
report-op-approve = Approve and publish
report-op-approve-help = Approval publishes the report, concludes the draft and tells its subscribers and the commenters who gave an address. The drafter and the submitter may not approve.
report-op-return = Return
report-op-return-help = Sends the report back to the drafter; say why.
report-done-prepare = The report was prepared.
report-done-correct = The correction was prepared as a new version; submit it for approval.
report-done-submit = The report was submitted for approval.
report-done-approve = The report was approved and published.
report-done-return = The report was returned.
report-four-eyes-hint = You drafted this draft or submitted this report: another approver must approve it.
report-awaiting-approver = The report awaits an approver.
report-after-close = The report can be prepared once the comment period has closed.
report-state-draft = Prepared, not submitted
report-state-awaiting_approval = Awaiting approval
report-state-published = Published
report-versions-h = Versions
report-col-version = Version
report-col-prepared = Prepared
report-col-submitted = Submitted
report-col-published = Approved and published
report-col-note = Note
report-returned-because = Returned: { $note }
report-preview-h = Preview: the report as it will be published
report-preview-help = Below is what the public will see once the report is published.

erasure-title = Erase a commenter's personal data
erasure-hint = On the commenter's request: their name, organization, email, phone, region and client key are erased. The text, its status and its disposition stay. Recorded in the audit log.
erasure-tracking = Tracking number
erasure-apply = Erase personal data
erasure-no-number = Enter the comment's tracking number.
erasure-not-found = No comment has that tracking number.
erasure-nothing = Comment { $tracking } holds no personal data any more.
erasure-done = Personal data of comment { $tracking } erased: { $fields }.

dup-same-text = Same text as { $tracking }, sent { $ago } earlier by the same sender
dup-similar-text = { $similarity }% like { $tracking }, sent { $ago } earlier by the same sender
dup-ago-seconds = { $n ->
    [one] 1 s
   *[other] { $n } s
}
dup-ago-minutes = { $n ->
    [one] 1 min
   *[other] { $n } min
}
dup-ago-hours = { $n ->
    [one] 1 hour
   *[other] { $n } hours
}
dup-ago-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}

## Agencies (administrators)
nav-agencies = Agencies
agencies-title = Agencies
agencies-hint = Officers act only on the drafts of the agencies they belong to; administrators act across all of them. A draft's comments' contact details are shown only to its agency's drafters and moderators.
agencies-count = { $n ->
    [one] { $n } agency
   *[other] { $n } agencies
}
col-members = Members
agency-no-members = No members yet
agency-join = Add member
agency-leave = Remove member
agency-new-name = New name
agency-rename = Rename
add-agency = Add an agency
field-agency-code = Code
field-agency-code-hint = The code never changes: lower-case letters, digits and -, 2–40 characters. The name is what the public sees.
agency-created = The agency was added.
agency-renamed = The agency was renamed; drafts not yet published carry the new name.
agency-member-added = The member was added.
agency-member-removed = The member was removed.

## Revision rounds
round-new-title = Open round { $round }
round-new-lead = The new round starts with the last round's text, which you then revise in the editor; its summary says what changed and why. It goes through review and approval again, and opens for at least the same minimum period.
round-field-summary = Summary of the new round
round-summary-hint = What changed since the last round, and why.
round-field-opens-on = Opens on
round-opens-on-hint = Leave empty for tomorrow.
round-field-closes-on = Closes on
round-closes-on-hint = Leave empty for the earliest date the minimum period allows.
round-new-submit = Open round { $round }
round-opened = Round { $round } is open for drafting: revise the text, then submit it for review.
round-open-link = Open round { $round }
changes-link = Changes and opinions

# The public pages (home, drafts, draft, comment form, materials, receipts, reports,
# subscriptions), English. Every id starts with `pub-`: this file shares one bundle with
# staff.ftl.

## Layout (base.html)

pub-skip-to-content = Skip to content
pub-nav-main = Main
pub-nav-home = Home
pub-nav-drafts = All drafts
pub-nav-open = Open for comment
pub-prefs-label = Language and display
pub-elder-on = Larger text (elder mode)
pub-elder-off = Standard text size
pub-footer = Comments are reviewed before they are published. Personal details are never shown.

## Words several pages share

pub-index-no = Index number
pub-agency = Issuing agency
pub-category = Category
pub-comment-period = Comment period
pub-adoption-report = Adoption report
pub-tracking-number = Tracking number
pub-reason = Reason
pub-none = None
pub-pages = Pages
pub-previous-page = Previous page
pub-next-page = Next page
pub-page-of = Page { $page } of { $pages }

## Stored values (labels.rs)

pub-kind-normative_document = Normative document
pub-kind-regulation = Regulation
pub-kind-major_decision = Major administrative decision
pub-kind-other = Other

pub-material-explanation = Drafting explanation
pub-material-basis = Basis for the decision
pub-material-interpretation = Policy interpretation
pub-material-faq = Questions and answers
pub-material-hearing_record = Hearing record
pub-material-attachment = Attachment

pub-stakeholder-individual = Individual
pub-stakeholder-enterprise = Enterprise
pub-stakeholder-industry_association = Industry association
pub-stakeholder-social_organization = Social organisation
pub-stakeholder-expert = Expert
pub-stakeholder-public_institution = Public institution
pub-stakeholder-government_body = Government body
pub-stakeholder-other = Other

pub-phase-withdrawn = Withdrawn
pub-phase-concluded = Concluded
pub-phase-scheduled = Not yet open
pub-phase-open = Open for comment
pub-phase-closed = Closed for comment
pub-phase-unpublished = Not published

# The countdown (R5): a span, then the phrase around it.
pub-span-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
pub-span-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
pub-span-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
pub-countdown-opens = Opens in { $span }
pub-countdown-closes = { $span } left

# A date: $year, $month (1–12) and $day are numbers.
pub-date = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
pub-period-range = { $from } to { $to }
pub-zone-shanghai = Beijing time
pub-zone = { $zone } time

## Home page (home.html)

pub-home-h1 = Public consultation on draft policies
pub-home-lead = Government offices publish draft regulations here with their explanation and basis. Anyone may comment while a draft is open for comment, for at least 15 days; every opinion is reviewed, and the office publishes a report saying how each was handled.
pub-closing-soon = { $n ->
    [one] Closing within { $n } day
   *[other] Closing within { $n } days
}
pub-closing-soon-none = { $n ->
    [one] No draft closes in the next { $n } day.
   *[other] No draft closes in the next { $n } days.
}
pub-open-count = Open for comment ({ $n })
pub-open-none = No draft is open for comment at the moment.
pub-open-all = All drafts open for comment
pub-closed-h = Recently closed
pub-closed-none = No consultation has ended yet.
pub-closed-all = All closed consultations
pub-reports-h = Recent adoption reports
pub-reports-none = No adoption report has been published yet.
pub-report-of = Adoption report: { $title }
pub-published-at = Published { $when }

## A draft in a list (draft_card.html)

pub-card-period = Comment period: { $period }
pub-card-comments = Published comments { $n }

## Draft list (drafts.html)

pub-drafts-title = Drafts
pub-drafts-h1 = Drafts for public comment
pub-search-label = Search drafts
pub-search-q = Search by title, index number, document number or subject term
pub-filter-phase = Phase
pub-filter-all = All
pub-search = Search
pub-drafts-found = { $n ->
    [one] { $n } draft found
   *[other] { $n } drafts found
}
pub-drafts-no-match = No draft matches. Try fewer words or remove a filter.
pub-drafts-none = No draft has been published yet.

## Draft page (draft.html, drafts.rs)

pub-title-error = Error: { $title }
pub-withdrawn-notice = This draft was withdrawn; it takes no more comments.
pub-withdrawn-reason = Reason: { $reason }
pub-concluded-notice = The consultation on this draft has concluded and its report was published.
pub-round = Round { $n } of consultation
pub-view-switch = How to show the text
pub-clean-text = Revised text
pub-changes-since = Changes since round { $round }
pub-changes-legend = Underlined words were added, struck-through words were taken out.
pub-inserted-mark = [added:]
pub-deleted-mark = [taken out:]
pub-change-inserted = New article
pub-change-deleted = Article deleted
pub-change-edited = Changed
pub-change-moved = Moved
pub-change-was = was { $label }
pub-change-in-response = { $n ->
    [one] Changed in response to { $n } opinion
   *[other] Changed in response to { $n } opinions
}
pub-change-groups-intro = :
pub-about-draft = About this draft
pub-doc-number = Document number
pub-draft-kind = Kind
pub-enterprise-related = Concerns enterprises
pub-enterprise-yes = Yes (affects market entities)
pub-enterprise-no = No
pub-views = Views
pub-subject-terms = Subject terms
pub-opens = Opens: { $when }
pub-closes = Closes: { $when }
# The end of the window (R4): the whole last day.
pub-closes-end = { $date }, 24:00
pub-times-note = Times are { $zone }; both dates are included.
pub-extensions = Extensions
pub-extension = On { $at } the period was extended from { $from } to { $to }. Reason: { $reason }
pub-summary = Summary
pub-draft-text = Text of the draft
pub-draft-text-in-materials = The text is given in the materials below.
pub-article = Article { $n }
pub-comment-on-article = Comment on this article
# Which article the link is for, for screen readers, after the link's text.
pub-article-aside = {" "}({ $label })
pub-materials-h = Explanation and related materials
pub-materials-none = No materials.
pub-material-with-file = (with a file)
pub-comment-form-h = Comment on this draft
pub-comments-h = Published comments ({ $n })
pub-comments-note = Comments appear here after review. Personal details are never published.
pub-comments-none = No comment has been published yet.
pub-comment-number = No. { $number }
pub-comment-on = on Article { $n }
pub-comment-withheld = The commenter asked that the text not be published; it is still counted and answered.
pub-comment-pages = Comment pages

## Comment form (draft_comment_form.html, comment_form.rs)

pub-form-intro = This draft is open for comment. Fields marked “required” must be filled in; everything else is optional.
pub-form-intro-countdown = This draft is open for comment ({ $countdown }). Fields marked “required” must be filled in; everything else is optional.
pub-form-errors-h = Please correct the following and submit again
pub-form-error = { $label }: { $message }
pub-form-error-join = {"; "}
pub-form-body = Your comment (required)
pub-form-body-hint = Up to { $n } characters. Say which provision you mean and what you suggest.
pub-form-article = Article (optional)
pub-form-article-whole = The draft as a whole
pub-form-about-you = About you
pub-form-stakeholder = You are commenting as (required)
pub-form-organization = Organisation (required unless you comment as an individual or an expert)
pub-form-organization-hint = The enterprise, association or body you speak for. It is published with your comment.
pub-form-name = Name (optional)
pub-form-name-hint = Published only if you tick “Publish my name” below.
pub-form-email = Email (optional)
pub-form-email-hint = We send your receipt here. Never published.
pub-form-phone = Phone (optional)
pub-form-phone-hint = Digits, spaces and + - ( ), 5 to 20 characters. Never published.
pub-form-region = Region (optional)
pub-form-region-hint = For example your county or town. Never published.
pub-form-publication = Publication and consent
pub-form-publish-name = Publish my name with my comment
pub-form-publish-name-hint = If you leave this unticked, your name is never shown.
pub-form-withhold = Do not publish the text of my comment
pub-form-withhold-hint = It is still read, counted and answered.
pub-form-consent = I agree that my comment is processed for this consultation and, after review, may be published without my contact details (required)
pub-form-submit = Submit comment
pub-form-after = After you submit you get a tracking number and a receipt token to follow your comment.
pub-form-follow = Follow a comment
pub-form-scheduled = Comments can be made from { $opens } ({ $zone }).
pub-form-closed = The comment period closed on { $closes } ({ $zone }); comments are no longer accepted.
pub-form-ended = This draft no longer takes comments.

# A field's name in the list of errors above the form.
pub-field-body = Your comment
pub-field-article = Article
pub-field-stakeholder_type = You are commenting as
pub-field-organization = Organisation
pub-field-name = Name
pub-field-email = Email
pub-field-phone = Phone
pub-field-region = Region
pub-field-publish_name = Publish my name
pub-field-withhold = Do not publish my text
pub-field-consent = Consent
pub-field-other = Other

# A submission that was refused before the form could be shown again.
pub-back-to-draft-page = Back to the draft
pub-form-expired-title = The form has expired
pub-form-expired = We could not confirm that this form came from our site (it may have been open too long, or cookies are off). Nothing was sent. Please go back to the draft, reload the page and submit your comment again.
pub-form-not-sent = { $detail } Your comment was not sent. Go back with your browser's Back button: your text is usually still in the form; copy it somewhere safe before you try again.
pub-form-trap = Leave this field empty (it is here to catch automated submissions)
pub-form-held-back = Your comment has not been sent yet. Please check it and press “Submit comment” again.

## Receipt (receipt.html, comment_form.rs)

pub-receipt-title = Your comment's receipt
pub-receipt-thanks = Thank you: your comment was received
pub-receipt-h = Your comment
pub-receipt-keep = Keep these two codes: you need both to follow your comment. The receipt token is shown only this once.
pub-receipt-token = Receipt token
pub-receipt-mailed = A receipt mail with these codes was also sent to the email address you gave.
pub-receipt-submitted = Submitted
pub-receipt-status = Status
pub-receipt-outcome = Outcome
pub-receipt-group = Grouped under
pub-receipt-changed = What your opinion changed in the text
pub-receipt-see-changes = see the revised text with its changes
pub-receipt-pending = The outcome is shown here once the adoption report is published.
pub-receipt-lookup-h = Follow your comment
pub-receipt-no-match = No comment matches this tracking number and receipt token. Check both and try again.
pub-receipt-tracking-hint = For example 20261126-ABCDE-12345.
pub-receipt-token-hint = Shown once after you submitted, and in the receipt mail.
pub-receipt-look-up = Look up
pub-status-pending = Received, awaiting review
pub-status-published = Published
pub-status-hidden = Not published (still counted and answered)

## Material page (material.html)

pub-back-to-draft = Back to the draft: { $title }
pub-material-kind = Kind
pub-material-draft = Draft
pub-material-updated = Updated
pub-material-text = Text
pub-material-file = File
pub-download = Download { $name }
pub-material-siblings = Other materials of this draft

## Adoption report (report.html, report.rs)

pub-report-h1 = Adoption report: { $title }
pub-report-extended = extended: { $extension }
pub-report-version = Version
pub-report-correction = correction: { $note }
pub-report-published = Published
pub-report-draft-h = The draft and its materials
pub-report-draft = Draft
pub-report-download = Download this report:
pub-report-totals = Totals
pub-report-received = Comments received (all channels, including hidden and staff-entered ones)
pub-report-col-comments = Comments
pub-report-groups-h = Opinions and how they were handled
pub-report-col-opinion = Opinion
pub-report-col-outcome = Outcome
pub-report-concentrated = concentrated
pub-report-changed = Changed: { $articles }
pub-report-article-of-round = { $label } of round { $round }
pub-report-rows-h = Every comment
pub-report-col-article = Article
pub-report-col-commenter = Commenter
pub-report-col-channel = Channel
pub-report-col-group = Group
pub-report-col-kind = Kind
pub-report-previous = Previous
pub-report-next = Next
pub-report-by-outcome = By outcome
pub-report-by-channel = By channel
pub-report-by-stakeholder = By kind of commenter
pub-report-by-article = By article
pub-report-market-entities = Market entities (enterprises and industry associations)

# Stored values as the report names them.
pub-value-adopted = Adopted
pub-value-partially_adopted = Partly adopted
pub-value-not_adopted = Not adopted
pub-value-noted = Noted
pub-value-individual = Individual
pub-value-enterprise = Enterprise
pub-value-industry_association = Industry association
pub-value-social_organization = Social organisation
pub-value-expert = Expert
pub-value-public_institution = Public institution
pub-value-government_body = Government body
pub-value-online = Online
pub-value-letter = Letter
pub-value-email = Email
pub-value-hearing = Hearing
pub-value-symposium = Symposium
pub-value-phone = Phone
pub-value-none = No article
pub-value-other = Other

## Subscribe page (subscribe.html, subscribe_short.html, subscribe.rs)

pub-subscribe-h1 = Follow drafts by email
pub-subscribe-lead = We send you a mail when a draft you follow opens for comment, when its period is extended or about to close, and when its adoption report is published. You first confirm your address with a link we mail to it.
pub-subscribe-email = Your email address (required)
pub-subscribe-email-hint = Used only to send what you chose. Never published; every mail has a link to stop them.
pub-subscribe-scope = What to follow
pub-subscribe-scope-all = All drafts
pub-subscribe-scope-agency = Drafts of one agency
pub-subscribe-scope-category = Drafts in one category
pub-subscribe-scope-draft = One draft
pub-subscribe-agency = Agency
pub-subscribe-category = Category
pub-subscribe-draft = Draft
pub-subscribe-choose = Choose…
pub-subscribe-locale = Language of the mail
pub-subscribe-locale-zh = 中文
pub-subscribe-locale-en = English
pub-subscribe-submit = Subscribe
pub-subscribe-after = Nothing is sent until you follow the link in the confirmation mail.
pub-subscribe-sent-h = Check your mailbox
pub-subscribe-sent = If the address can receive mail, a confirmation mail is on its way to it. Follow the link in that mail to start your subscription.
pub-subscribe-sent-unconfirmed = Until you follow the link nothing else is sent. If no mail arrives, look in your spam folder, or subscribe again later.
pub-subscribe-another = Follow something else
pub-subscribe-back = Back to the subscribe page
pub-subscribe-expired = We could not confirm that this form came from our site (it may have been open too long, or cookies are off). Nothing was sent. Please go back, reload the page and subscribe again.
pub-subscribe-too-many = Too many subscription requests were made for this address in the last hour. Nothing was sent; please try again later.
pub-subscribe-draft-h = Follow this draft by email
pub-subscribe-draft-lead = Get a mail if its period is extended, when it is about to close and when its adoption report is published.
pub-subscribe-home-h = Hear of new drafts by email
pub-subscribe-home-lead = Get a mail whenever a draft opens for comment. You can also follow one agency, one category or one draft.
pub-subscribe-short-submit = Notify me
pub-subscribe-short-hint = We first mail you a link to confirm.
pub-subscribe-more = More choices
# A field's name in the list of errors above the subscribe form.
pub-subscribe-field-email = Email address
pub-subscribe-field-scope = What to follow
pub-subscribe-field-agency = Agency
pub-subscribe-field-category = Category
pub-subscribe-field-draft = Draft
pub-subscribe-field-locale = Language of the mail

## Subscriptions (subscription.html)

pub-subscription-confirmed-h = Subscription confirmed
pub-subscription-confirmed = You will now receive mail about the drafts you chose. Every mail has a link to stop them.
pub-unsubscribe = Unsubscribe
pub-unsubscribe-ask = Stop these mails?
pub-unsubscribed-h = Unsubscribed
pub-unsubscribed = You will receive no more of these mails.

## Not found (not_found.html)

pub-not-found = Not found
pub-not-found-detail = There is nothing here, or it is not public.
pub-not-found-drafts = See all drafts
pub-not-found-home = Home

## Charts (http::charts, templates/charts.html)
pub-charts-h = The comments in figures
pub-chart-total = { $n ->
    [one] { $n } comment in all
   *[other] { $n } comments in all
}
pub-chart-per-day = Comments per day
pub-chart-opens = period opens
pub-chart-closes = period closes
pub-chart-extended = closing day before an extension
pub-chart-undisposed = Not yet disposed
pub-chart-market-note = market entity
pub-chart-col-day = Day
pub-chart-col-note = Note
pub-chart-empty = No comments

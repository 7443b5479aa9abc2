## The review desk: triage, groups, dispositions, notes and kept reasons.

desk-title = Review desk
desk-tabs = Review desk sections
desk-tab-comments = Comments
desk-tab-groups = Opinion groups
desk-tab-report = Report
desk-progress = { $done } of { $total } comments disposed
desk-show-lacking = { $n ->
    [one] Show the { $n } comment still without a disposition
   *[other] Show the { $n } comments still without a disposition
}
desk-not-reviewable = This draft is not open for review: it can be read here but not changed.
desk-search = Search the text or a tracking number
desk-search-hint = Finds words inside sentences too, in Chinese and English (for example 法律援助).
filter-clear = Clear the filters
filter-undisposed = Only comments without a disposition
field-group = Group
field-outcome = Outcome
field-assigned = Assigned to
field-assignee = Colleague
assigned-me = Me
assignee-nobody = Nobody
group-none = No group
group-out = Out of any group
desk-count = { $n ->
    [one] { $n } comment matches
   *[other] { $n } comments match
}
desk-scope = Act on
desk-scope-checked = The comments checked below
desk-scope-matching = { $n ->
    [one] The { $n } comment matching the filter (every page)
   *[other] All { $n } comments matching the filter (every page)
}
desk-move = Move to a group
desk-move-button = Move
desk-new-group = Make a new group of them
field-group-title = Group title
desk-new-group-button = Make the group
desk-dispose = Give each its own disposition
desk-dispose-hint = A comment's own disposition overrides its group's.
desk-dispose-button = Save the disposition
desk-clear-button = Remove their own disposition
desk-assign = Assign to a colleague
desk-assign-button = Assign
desk-open = Open { $tracking }
withheld = asked not to be published
outcome-own = its own
outcome-from-group = from its group
outcome-missing = No disposition yet
outcome-adopted = Adopted
outcome-partially_adopted = Partly adopted
outcome-not_adopted = Not adopted
outcome-noted = Noted
reason-hint = Required for every outcome except adopted. The public report shows it.
field-snippet = Or a kept reason
snippet-none = No kept reason
keep-reason = Keep the reason written above for the agency's later use
desk-moved = { $n ->
    [one] { $n } comment was moved.
   *[other] { $n } comments were moved.
}
desk-grouped = { $n ->
    [one] A new group was made of { $n } comment.
   *[other] A new group was made of { $n } comments.
}
desk-disposed = { $n ->
    [one] { $n } comment has its disposition.
   *[other] { $n } comments have their disposition.
}
desk-cleared = { $n ->
    [one] { $n } comment follows its group's disposition again.
   *[other] { $n } comments follow their group's disposition again.
}
desk-assigned = { $n ->
    [one] { $n } comment was assigned.
   *[other] { $n } comments were assigned.
}
desk-back-to-list = Back to the comments
desk-submitted = Received
desk-contact = Contact details
desk-contact-hint = For officers only: never shown in public pages, the report or its exports.
desk-contact-withheld = Contact details are shown only to the drafters and moderators of the draft's agency and to administrators.
desk-disposition = Disposition
desk-own-disposition-hint = Give this comment its own disposition, which overrides its group's.
desk-comment-moved = The comment was moved.
desk-comment-disposed = The comment's disposition was saved.
desk-comment-cleared = The comment follows its group's disposition again.
desk-comment-assigned = The comment was assigned.
desk-note-added = The note was added.
notes-title = Internal notes
notes-hint = Seen only by officers; every note is recorded in the audit log.
notes-none = No notes yet.
notes-add = Add a note
notes-add-button = Add the note
notes-count = { $n ->
    [one] { $n } note
   *[other] { $n } notes
}
groups-lead = Proposed groups gather comments that say the same thing. Accept, rename, merge or split them; the report counts each group's comments.
groups-suggest = Propose groups for the comments not yet placed
groups-suggested = { $n ->
    [one] There is { $n } group now.
   *[other] There are { $n } groups now.
}
groups-count = { $n ->
    [one] { $n } group
   *[other] { $n } groups
}
groups-ungrouped = { $n ->
    [one] { $n } comment in no group
   *[other] { $n } comments in no group
}
groups-show = Show
groups-show-all = All groups
groups-show-undisposed = Without a disposition
groups-show-mine = Assigned to me
groups-pairs = Groups that may be the same opinion
groups-pairs-hint = Their comments read alike and take the same side. Merge them if they are one opinion.
closeness = { $percent }% alike
groups-merge-pair = Merge these two
groups-merge = Merge the checked groups
groups-merge-hint = They become one group: the largest keeps its title, summary and disposition.
groups-merge-button = Merge
groups-merged = The groups were merged into “{ $title }”.
groups-dispose = Disposition of the checked groups
groups-disposed = { $n ->
    [one] { $n } group has its disposition.
   *[other] { $n } groups have their disposition.
}
groups-assigned = { $n ->
    [one] { $n } group was assigned.
   *[other] { $n } groups were assigned.
}
groups-check = Select
groups-select = Check “{ $title }”
groups-check-all = Check every group on this page
groups-size = { $n ->
    [one] { $n } comment
   *[other] { $n } comments
}
concentrated = Concentrated opinion
group-accepted = Accepted by an officer
group-proposed = Proposed, not yet accepted
groups-spread = Who sent them
groups-overrides = { $n ->
    [one] { $n } member has its own disposition
   *[other] { $n } members have their own disposition
}
groups-none = No groups yet. Propose groups, or make one from checked comments on the comments page.
snippets-title = Kept reasons
snippets-hint = Reasons the agency gives often, to choose in any disposition form.
snippets-none = No kept reasons yet.
snippet-drop = Remove
snippet-drop-label = Remove the kept reason “{ $text }”
snippet-new = A new kept reason
snippet-keep = Keep it
snippet-kept = The reason was kept.
snippet-dropped = The kept reason was removed.
group-back = Back to the groups
group-edit = Title and summary
field-group-summary = Summary
group-summary-hint = The report shows this summary of the opinion; do not quote personal details.
save = Save
group-accept = Accept the group as it is
group-saved = The group was saved.
group-accept-done = The group was accepted as it is.
group-disposed = The group's disposition was saved.
group-assigned = The group was assigned.
group-members = { $n ->
    [one] { $n } member
   *[other] { $n } members
}
group-split = Split the checked members off into a new group
group-split-button = Split off
group-remove-button = Take out of the group
group-pulled = The comments were pulled into the group.
group-removed = The comments were taken out of the group.
group-members-moved = The comments were moved.
matches-title = Possible matches
matches-hint = Comments outside this group that read most like it, closest first. Check the ones that say the same and pull them in, with their copies.
matches-none = No comment outside the group reads like it.
matches-open = Open the comment
matches-copies = { $n ->
    [one] { $n } copy
   *[other] { $n } copies
}
matches-pull = Pull the checked comments into this group
opposing-title = Opposing views
opposing-hint = These read alike but argue the other side; they are never joined to the group automatically.
dash-assigned = Assigned to me
dash-assigned-left = { $n ->
    [one] { $n } comment still without a disposition
   *[other] { $n } comments still without a disposition
}

## Why a comment is in its proposed group (the grouping's confidence)
membership-same_letter = Same letter: { $percent } % of its text is the group's central letter
membership-same_words = Same request in other words (shared wording, { $percent } %)
membership-same_meaning = Same request in other words or another language (meaning, { $percent } %)
membership-officer = Placed by an officer
membership-unsure = Check
membership-order = The proposal's least certain members come first; members with their own disposition come last.
semantic-on = Groups are proposed from shared wording and from meaning (sentence model { $model }), so paraphrases and other languages are found too.
semantic-off = Grouping by meaning is off: { $why } Groups are proposed from shared wording only; look for paraphrases under "possible matches".
semantic-disabled = no sentence model is configured (review.semantic_model).
semantic-missing = the sentence model file { $path } cannot be read; an operator installs it with scripts/fetch-model.

## Revision rounds: what an adopted opinion changed in the text
changes-panel-h = Articles this opinion changed
changes-panel-now = Linked now: { $articles }
changes-panel-legend = Tick the articles of this round's text that the revision changes because of this opinion
changes-panel-save = Save the linked articles
changes-panel-needs-adoption = Once this opinion is adopted or partially adopted, tick here the articles it changed.
changes-panel-saved = The articles this opinion changed were saved.
changes-title = Round { $round }: changes and the opinions behind them
changes-first-round = This draft is in its first round: this page compares a later round with the one before, once the next round is opened.
changes-lead = Each article of the revised text beside round { $round }'s, with the opinions given on it then. Tick the adopted groups that caused each change: the public page and the receipts show them.
changes-progress = { $done } of { $total } changed articles linked to opinions
changes-groups-legend = Adopted groups of round { $round } that caused this change
changes-no-adopted = No group of the round before is adopted or partially adopted.
changes-save = Save for { $label }
changes-saved = The opinions behind the change were saved.
changes-earlier-opinions = Round { $round } opinions on { $label } as it read then: { $n }
changes-group-outcome = { $title } ({ $outcome })
changes-ungrouped = Not in a group
changes-spread-line = { $name }: { $n }

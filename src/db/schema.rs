//! Diesel table definitions; the one schema both backends share (migrations under `migrations/`).

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        password_hash -> Text,
        roles -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        draft_id -> Nullable<Text>,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    drafts (id) {
        id -> Text,
        index_no -> Text,
        doc_number -> Nullable<Text>,
        title -> Text,
        agency -> Text,
        category -> Text,
        subject_terms -> Text,
        kind -> Text,
        enterprise_related -> Bool,
        summary -> Text,
        state -> Text,
        round -> Integer,
        timezone -> Text,
        opens_on -> Date,
        closes_on -> Date,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Timestamp,
        drafter_id -> Text,
        initial_reviewer_id -> Nullable<Text>,
        re_reviewer_id -> Nullable<Text>,
        approver_id -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        withdraw_reason -> Nullable<Text>,
        concluded_at -> Nullable<Timestamp>,
        view_count -> BigInt,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public_version -> BigInt,
        agency_code -> Text,
    }
}

// Agencies and their officers (who may do what: docs/security.md).
diesel::table! {
    agencies (code) {
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agency_members (agency_code, user_id) {
        agency_code -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    articles (draft_id, number) {
        draft_id -> Text,
        number -> Integer,
        heading -> Nullable<Text>,
        text -> Text,
    }
}

diesel::table! {
    materials (id) {
        id -> Text,
        draft_id -> Text,
        kind -> Text,
        title -> Text,
        body -> Text,
        position -> Integer,
        file_name -> Nullable<Text>,
        file_content_type -> Nullable<Text>,
        file_size -> Nullable<BigInt>,
        file_sha256 -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        round -> Integer,
    }
}

diesel::table! {
    material_files (material_id) {
        material_id -> Text,
        data -> Binary,
    }
}

diesel::table! {
    workflow_steps (id) {
        id -> Text,
        draft_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        action -> Text,
        from_state -> Text,
        to_state -> Text,
        note -> Nullable<Text>,
        attested -> Bool,
        round -> Integer,
    }
}

diesel::table! {
    period_extensions (id) {
        id -> Text,
        draft_id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        previous_closes_on -> Date,
        new_closes_on -> Date,
        reason -> Text,
        round -> Integer,
    }
}

// R8: the rounds of a draft that have ended, with their text.
diesel::table! {
    draft_rounds (draft_id, round) {
        draft_id -> Text,
        round -> Integer,
        summary -> Text,
        opens_on -> Date,
        closes_on -> Date,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Timestamp,
        approved_at -> Nullable<Timestamp>,
        concluded_at -> Nullable<Timestamp>,
        ended_at -> Timestamp,
        ended_by -> Text,
    }
}

diesel::table! {
    round_articles (draft_id, round, number) {
        draft_id -> Text,
        round -> Integer,
        number -> Integer,
        heading -> Nullable<Text>,
        text -> Text,
    }
}

diesel::table! {
    change_links (opinion_id, text_round, article) {
        draft_id -> Text,
        round -> Integer,
        group_id -> Nullable<Text>,
        comment_id -> Nullable<Text>,
        opinion_id -> Text,
        text_round -> Integer,
        article -> Integer,
        linked_by -> Text,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    index_sequences (prefix) {
        prefix -> Text,
        last_value -> BigInt,
    }
}

diesel::table! {
    opinion_groups (id) {
        id -> Text,
        draft_id -> Text,
        round -> Integer,
        title -> Text,
        summary -> Text,
        origin -> Text,
        created_by -> Nullable<Text>,
        accepted_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
        reason -> Nullable<Text>,
        disposed_by -> Nullable<Text>,
        disposed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        assigned_to -> Nullable<Text>,
    }
}

diesel::table! {
    comments (id) {
        id -> Text,
        draft_id -> Text,
        round -> Integer,
        tracking_number -> Text,
        receipt_token_hash -> Text,
        body -> Text,
        article -> Nullable<Integer>,
        stakeholder_type -> Text,
        organization -> Nullable<Text>,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        email_normalized -> Nullable<Text>,
        phone -> Nullable<Text>,
        region -> Nullable<Text>,
        publish_name -> Bool,
        withhold -> Bool,
        channel -> Text,
        locale -> Text,
        status -> Text,
        moderation_reason -> Nullable<Text>,
        moderated_by -> Nullable<Text>,
        moderated_at -> Nullable<Timestamp>,
        entered_by -> Nullable<Text>,
        client_key -> Nullable<Text>,
        submitted_at -> Timestamp,
        group_id -> Nullable<Text>,
        placed_by -> Nullable<Text>,
        outcome -> Nullable<Text>,
        reason -> Nullable<Text>,
        disposed_by -> Nullable<Text>,
        disposed_at -> Nullable<Timestamp>,
        assigned_to -> Nullable<Text>,
    }
}

diesel::table! {
    review_notes (id) {
        id -> Text,
        draft_id -> Text,
        object_type -> Text,
        object_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_memberships (comment_id) {
        comment_id -> Text,
        reason -> Text,
        score -> Double,
    }
}

diesel::table! {
    text_vectors (key) {
        key -> Text,
        model -> Text,
        vector -> Binary,
        created_at -> Timestamp,
    }
}

// Duplicate flags for moderators (docs/security.md, "Abuse and privacy").
diesel::table! {
    duplicate_flags (comment_id) {
        comment_id -> Text,
        draft_id -> Text,
        duplicate_of -> Text,
        duplicate_of_tracking -> Text,
        kind -> Text,
        similarity -> Integer,
        seconds_apart -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    job_cursors (name) {
        name -> Text,
        position -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reason_snippets (id) {
        id -> Text,
        agency -> Text,
        body -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (key_hash) {
        key_hash -> Text,
        draft_id -> Text,
        comment_id -> Text,
        request_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        locale -> Text,
        payload -> Text,
        subject -> Nullable<Text>,
        body_text -> Nullable<Text>,
        body_html -> Nullable<Text>,
        headers -> Nullable<Text>,
        message_id -> Text,
        dedupe_key -> Nullable<Text>,
        draft_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff_sessions (id) {
        id -> Text,
        token_hash -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        at -> Timestamp,
        username -> Text,
        client_key -> Text,
        succeeded -> Bool,
    }
}

diesel::table! {
    password_links (id) {
        id -> Text,
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(staff_sessions -> users (user_id));
diesel::joinable!(password_links -> users (user_id));
diesel::joinable!(articles -> drafts (draft_id));
diesel::joinable!(materials -> drafts (draft_id));
diesel::joinable!(material_files -> materials (material_id));
diesel::joinable!(workflow_steps -> drafts (draft_id));
diesel::joinable!(period_extensions -> drafts (draft_id));
diesel::joinable!(draft_rounds -> drafts (draft_id));
diesel::joinable!(comments -> drafts (draft_id));
diesel::joinable!(comments -> opinion_groups (group_id));
diesel::joinable!(opinion_groups -> drafts (draft_id));
diesel::joinable!(idempotency_keys -> comments (comment_id));
diesel::joinable!(group_memberships -> comments (comment_id));
diesel::joinable!(duplicate_flags -> comments (comment_id));

diesel::table! {
    client_minutes (client_key, minute) {
        client_key -> Text,
        minute -> Timestamp,
        n -> Integer,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    users,
    agencies,
    agency_members,
    api_tokens,
    staff_sessions,
    login_attempts,
    password_links,
    audit_log,
    audit_head,
    app_secrets,
    drafts,
    articles,
    materials,
    material_files,
    workflow_steps,
    period_extensions,
    draft_rounds,
    round_articles,
    change_links,
    index_sequences,
    opinion_groups,
    comments,
    review_notes,
    reason_snippets,
    group_memberships,
    duplicate_flags,
    text_vectors,
    job_cursors,
    idempotency_keys,
    outbox,
    subscriptions,
    subscription_requests,
    mail_suppressions,
    mail_events,
    reports,
    report_rows,
);

// Subscriptions, suppressions and clock-driven mail events (R21, R22).
diesel::table! {
    subscriptions (id) {
        id -> Text,
        email -> Text,
        email_normalized -> Text,
        scope_kind -> Text,
        scope_value -> Text,
        locale -> Text,
        status -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        unsubscribed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    subscription_requests (id) {
        id -> Text,
        email_normalized -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    mail_suppressions (email_normalized) {
        email_normalized -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    mail_events (draft_id, kind, round) {
        draft_id -> Text,
        kind -> Text,
        round -> Integer,
        at -> Timestamp,
    }
}

// Adoption reports (R18–R20).
diesel::table! {
    reports (id) {
        id -> Text,
        draft_id -> Text,
        round -> Integer,
        version -> Integer,
        state -> Text,
        note -> Nullable<Text>,
        summary -> Text,
        prepared_by -> Text,
        prepared_at -> Timestamp,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        approved_by -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        return_note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_rows (report_id, tracking_number) {
        report_id -> Text,
        tracking_number -> Text,
        article -> Nullable<Integer>,
        stakeholder_type -> Text,
        channel -> Text,
        group_id -> Nullable<Text>,
        group_title -> Nullable<Text>,
        outcome -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::joinable!(reports -> drafts (draft_id));
diesel::joinable!(report_rows -> reports (report_id));

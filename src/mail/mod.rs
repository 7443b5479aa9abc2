//! Mail: templates, the outbox worker and transports (R21–R24).

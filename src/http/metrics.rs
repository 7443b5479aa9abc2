//! Prometheus metrics: request counts and latencies per route, plus gauges that jobs set.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Free-form gauges set by background work.
    pub gauges: IntGaugeVec,
    /// Comments per transaction of the comment writers: near 1 when quiet, in the hundreds
    /// in a surge (a batch shares one commit).
    pub comment_batch: Histogram,
    /// Mails this node handed to the transport, retried later, or gave up on.
    pub mail_sent: IntCounter,
    pub mail_retried: IntCounter,
    pub mail_failed: IntCounter,
    /// Mails waiting in the outbox (all nodes), and how long the oldest has waited.
    pub mail_queued: IntGauge,
    pub mail_oldest_unsent_seconds: IntGauge,
    /// Public form submissions not stored by the abuse checks, by reason (`honeypot`,
    /// `too_fast`, `bad_stamp`; `service::abuse`).
    pub comment_form_refused: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("consult".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer, by route")
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ]),
            &["method", "route"],
        )?;
        let gauges = IntGaugeVec::new(
            Opts::new("state", "Counts of things by kind"),
            &["kind", "status"],
        )?;
        let comment_batch = Histogram::with_opts(
            HistogramOpts::new(
                "comment_batch_size",
                "Comments written per transaction of the comment writers",
            )
            .buckets(vec![
                1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
            ]),
        )?;
        let mail_sent = IntCounter::new("mail_sent_total", "Mails this node sent")?;
        let mail_retried = IntCounter::new(
            "mail_retried_total",
            "Mails this node could not send and scheduled again",
        )?;
        let mail_failed = IntCounter::new(
            "mail_failed_total",
            "Mails this node gave up on after the last attempt",
        )?;
        let mail_queued = IntGauge::new(
            "mail_queued",
            "Mails waiting in the outbox, from every node",
        )?;
        let mail_oldest_unsent_seconds = IntGauge::new(
            "mail_oldest_unsent_seconds",
            "Age of the oldest mail still waiting in the outbox (0 when none)",
        )?;
        let comment_form_refused = IntCounterVec::new(
            Opts::new(
                "comment_form_refused_total",
                "Public comment form submissions not stored by the abuse checks, by reason",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(comment_form_refused.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(gauges.clone()))?;
        registry.register(Box::new(comment_batch.clone()))?;
        registry.register(Box::new(mail_sent.clone()))?;
        registry.register(Box::new(mail_retried.clone()))?;
        registry.register(Box::new(mail_failed.clone()))?;
        registry.register(Box::new(mail_queued.clone()))?;
        registry.register(Box::new(mail_oldest_unsent_seconds.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            gauges,
            comment_batch,
            mail_sent,
            mail_retried,
            mail_failed,
            mail_queued,
            mail_oldest_unsent_seconds,
            comment_form_refused,
        })
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        self.requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// The exposition text of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let encoder = TextEncoder::new();
        if encoder.encode(&self.registry.gather(), &mut buf).is_err() {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

//! R23: how a rendered message leaves: SMTP (lettre, pooled, none/STARTTLS/TLS, auth,
//! timeouts), a directory of `.eml` files, or the log. Chosen by `mail.transport`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::Transport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{PoolConfig, SmtpTransport};

use crate::config::{Mail, MailTransport, SmtpTls};
use crate::domain::mail::mask_email;

pub enum Mailer {
    Smtp(Box<SmtpTransport>),
    File(PathBuf),
    Log,
}

/// Why a send did not succeed. Transient ones are retried; permanent ones (a 5xx answer, an
/// address that cannot be parsed) are not. `Unavailable` is a transient failure of the
/// server itself (cannot connect, TLS, timeout): the other messages of the pass would fail
/// the same way, so the worker stops the pass instead of waiting on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    Transient(String),
    Unavailable(String),
    Permanent(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Transient(e) => write!(f, "transient: {e}"),
            SendError::Unavailable(e) => write!(f, "server unavailable: {e}"),
            SendError::Permanent(e) => write!(f, "permanent: {e}"),
        }
    }
}

impl Mailer {
    /// The transport `mail.transport` names. Building it opens no connection: an SMTP server
    /// that is down at start shows up as retried messages, not as a failed start.
    pub fn from_config(mail: &Mail) -> anyhow::Result<Mailer> {
        mail.from.parse::<lettre::message::Mailbox>().map_err(|e| {
            anyhow::anyhow!(
                "configuration setting `mail.from`: `{}` is not a mail address ({e})",
                mail.from
            )
        })?;
        Ok(match mail.transport {
            MailTransport::File => Mailer::File(PathBuf::from(&mail.file_dir)),
            MailTransport::Log => Mailer::Log,
            MailTransport::Smtp => {
                let smtp = &mail.smtp;
                let params = || {
                    TlsParameters::builder(smtp.host.clone())
                        // Test listeners only: a self-signed certificate for any name.
                        .dangerous_accept_invalid_certs(smtp.accept_invalid_certs)
                        .dangerous_accept_invalid_hostnames(smtp.accept_invalid_certs)
                        .build()
                        .context("mail.smtp: cannot set up TLS")
                };
                let tls = match smtp.tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::Starttls => Tls::Required(params()?),
                    SmtpTls::Tls => Tls::Wrapper(params()?),
                };
                let mut builder = SmtpTransport::builder_dangerous(smtp.host.clone())
                    .port(smtp.port)
                    .tls(tls)
                    .timeout(Some(Duration::from_secs(smtp.timeout_s.max(1))))
                    .pool_config(PoolConfig::new().max_size(4));
                if let (Some(user), Some(pass)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
                }
                Mailer::Smtp(Box::new(builder.build()))
            }
        })
    }

    /// Sends one message. `name` (the outbox id) names the file of the file transport, so a
    /// repeated attempt overwrites rather than duplicates it.
    pub fn send(&self, name: &str, message: &lettre::Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(transport) => transport.send(message).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else if e.is_transient() {
                    SendError::Transient(e.to_string())
                } else {
                    SendError::Unavailable(e.to_string())
                }
            }),
            Mailer::File(dir) => write_eml(dir, name, &message.formatted())
                .map_err(|e| SendError::Transient(format!("{e:#}"))),
            Mailer::Log => {
                let to = message
                    .envelope()
                    .to()
                    .iter()
                    .map(|a| mask_email(a.as_ref()))
                    .collect::<Vec<_>>()
                    .join(", ");
                tracing::info!(mail.id = %name, mail.to = %to, bytes = message.formatted().len(), "mail (log transport)");
                Ok(())
            }
        }
    }
}

/// Writes `{dir}/{name}.eml` atomically (a reader never sees half a message).
fn write_eml(dir: &std::path::Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(".{name}.eml.tmp"));
    let path = dir.join(format!("{name}.eml"));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_sender_address_stops_start_up_naming_the_setting() {
        let mut mail = Mail::default();
        assert!(Mailer::from_config(&mail).is_ok());
        mail.from = "not an address".into();
        let e = Mailer::from_config(&mail).err().unwrap().to_string();
        assert!(e.contains("mail.from"), "{e}");
    }

    #[test]
    fn smtp_transports_build_without_connecting() {
        for tls in [SmtpTls::None, SmtpTls::Starttls, SmtpTls::Tls] {
            let mut mail = Mail {
                transport: MailTransport::Smtp,
                ..Mail::default()
            };
            mail.smtp.tls = tls;
            mail.smtp.host = "127.0.0.1".into();
            mail.smtp.port = 1;
            assert!(matches!(Mailer::from_config(&mail), Ok(Mailer::Smtp(_))));
        }
    }
}

//! A fabric's notifications (the inventory's `fabric.notifications` section): webhooks that get
//! an HTTP POST of a signed JSON summary when an operation ends or halts, when a device's
//! restore fails and when a device is quarantined (docs/notifications.md).
//!
//! A webhook names its signing key (`secret`), never the key itself: the aggregator reads the
//! key from the file of that name in `ROTOR_WEBHOOK_KEYS_DIR`. A URL is `https://`, or
//! `http://` to a loopback host only, so a summary never crosses a network in clear.

use serde::{Deserialize, Serialize};

/// The most webhooks a fabric may have.
pub const MAX_WEBHOOKS: usize = 16;
/// The longest webhook URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// The `fabric.notifications` section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Notifications {
    /// Where summaries are posted.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// One receiver of summaries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Webhook {
    /// Where the summary is posted: `https://...`, or `http://` to loopback.
    pub url: String,
    /// The name of the signing key: the file `ROTOR_WEBHOOK_KEYS_DIR/<secret>` (a name as
    /// [`crate::check_name`] allows, never the key itself).
    pub secret: String,
    /// The events this webhook gets; absent: every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<NotificationEvent>>,
}

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationEvent {
    /// An operation ended (any status but `Halted`).
    OperationEnd,
    /// An operation ended `Halted`: its failure brake stopped it (a resume may finish it).
    OperationHalt,
    /// A device ended with `RestoreFailed`: its change was rolled back but the previous
    /// password could not be proven.
    RestoreFailed,
    /// A device was quarantined: it failed the same way in too many operations in a row.
    Quarantine,
}

impl NotificationEvent {
    /// Every event.
    pub const ALL: [NotificationEvent; 4] = [
        NotificationEvent::OperationEnd,
        NotificationEvent::OperationHalt,
        NotificationEvent::RestoreFailed,
        NotificationEvent::Quarantine,
    ];

    /// The event's name as the inventory and the summary spell it (`operationEnd`).
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationEvent::OperationEnd => "operationEnd",
            NotificationEvent::OperationHalt => "operationHalt",
            NotificationEvent::RestoreFailed => "restoreFailed",
            NotificationEvent::Quarantine => "quarantine",
        }
    }
}

impl Webhook {
    /// Whether this webhook gets `event`.
    pub fn wants(&self, event: NotificationEvent) -> bool {
        self.events
            .as_ref()
            .is_none_or(|events| events.contains(&event))
    }
}

impl Notifications {
    /// The webhooks (with their index in the list) that get `event`.
    pub fn webhooks_for(
        &self,
        event: NotificationEvent,
    ) -> impl Iterator<Item = (usize, &Webhook)> {
        self.webhooks
            .iter()
            .enumerate()
            .filter(move |(_, webhook)| webhook.wants(event))
    }

    /// Checks the section; the error is (field, problem), the field as
    /// `fabric.notifications.webhooks[<i>].<field>`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let at =
            |index: usize, field: &str| format!("fabric.notifications.webhooks[{index}].{field}");
        if self.webhooks.len() > MAX_WEBHOOKS {
            return Err((
                "fabric.notifications.webhooks".into(),
                format!(
                    "has {} webhooks, at most {MAX_WEBHOOKS} are allowed",
                    self.webhooks.len()
                ),
            ));
        }
        for (index, webhook) in self.webhooks.iter().enumerate() {
            check_webhook_url(&webhook.url).map_err(|problem| (at(index, "url"), problem))?;
            crate::check_name(&webhook.secret).map_err(|problem| {
                (
                    at(index, "secret"),
                    format!("{problem} (it names a key file in ROTOR_WEBHOOK_KEYS_DIR)"),
                )
            })?;
            if let Some(events) = &webhook.events {
                if events.is_empty() {
                    return Err((
                        at(index, "events"),
                        "is empty: leave it out for every event, or name at least one".into(),
                    ));
                }
                let mut seen = std::collections::BTreeSet::new();
                if let Some(twice) = events.iter().find(|event| !seen.insert(**event)) {
                    return Err((
                        at(index, "events"),
                        format!("names {} twice", twice.as_str()),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Checks a webhook URL: `https://host...`, or `http://` to a loopback host (127.0.0.0/8,
/// `[::1]`, `localhost`); no user name or password in it (a credential would be stored and
/// shown with the inventory).
pub fn check_webhook_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL_BYTES {
        return Err(format!(
            "is {} bytes long, at most {MAX_URL_BYTES} are allowed",
            url.len()
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{url:?} is not a URL: it must start with https://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!(
            "{url:?} carries a user name or password; put no credential in a URL (the summary is signed with the webhook's secret)"
        ));
    }
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed
            .split_once(']')
            .map(|(host, _)| host)
            .ok_or_else(|| format!("{url:?} has an unclosed '[' in its host"))?,
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _port)| host),
    };
    if host.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{url:?} contains white space or a control character"
        ));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!(
            "{url:?} is plain http:// to a host beyond loopback: summaries would cross the network in clear; use https://"
        )),
        _ => Err(format!(
            "{url:?} must start with https:// (or http:// on loopback)"
        )),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(url: &str) -> Webhook {
        Webhook {
            url: url.into(),
            secret: "ops-hook".into(),
            events: None,
        }
    }

    #[test]
    fn urls_are_https_or_loopback_http_without_credentials() {
        for good in [
            "https://hooks.example.com/rotor",
            "https://10.0.0.1:8443/x?y=1",
            "http://127.0.0.1:8080/hook",
            "http://127.9.9.9/hook",
            "http://[::1]:9000/",
            "http://localhost/hook",
        ] {
            assert_eq!(check_webhook_url(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("http://hooks.example.com/rotor", "in clear"),
            ("http://10.0.0.1/hook", "in clear"),
            ("http://127.0.0.1.example.com/", "in clear"),
            ("ftp://hooks.example.com/", "must start with https://"),
            ("hooks.example.com/rotor", "not a URL"),
            ("https://user:pw@hooks.example.com/", "credential"),
            ("https:///path", "no host"),
            ("https://[::1/", "unclosed"),
            ("https://example.com/a b", "white space"),
        ] {
            let problem = check_webhook_url(bad).unwrap_err();
            assert!(problem.contains(says), "{bad}: {problem}");
        }
    }

    #[test]
    fn validation_names_the_field() {
        let mut section = Notifications {
            webhooks: vec![webhook("https://a.example/"), webhook("http://b.example/")],
        };
        let (field, _) = section.validate().unwrap_err();
        assert_eq!(field, "fabric.notifications.webhooks[1].url");
        section.webhooks[1].url = "https://b.example/".into();
        section.webhooks[1].secret = "../etc/passwd".into();
        let (field, problem) = section.validate().unwrap_err();
        assert_eq!(field, "fabric.notifications.webhooks[1].secret");
        assert!(problem.contains("ROTOR_WEBHOOK_KEYS_DIR"), "{problem}");
        section.webhooks[1].secret = "b".into();
        section.webhooks[0].events = Some(vec![]);
        let (field, _) = section.validate().unwrap_err();
        assert_eq!(field, "fabric.notifications.webhooks[0].events");
        section.webhooks[0].events = Some(vec![
            NotificationEvent::Quarantine,
            NotificationEvent::Quarantine,
        ]);
        let (_, problem) = section.validate().unwrap_err();
        assert!(problem.contains("quarantine twice"), "{problem}");
        section.webhooks[0].events = Some(vec![NotificationEvent::OperationHalt]);
        assert_eq!(section.validate(), Ok(()));
        section.webhooks = (0..=MAX_WEBHOOKS)
            .map(|_| webhook("https://a.example/"))
            .collect();
        let (field, _) = section.validate().unwrap_err();
        assert_eq!(field, "fabric.notifications.webhooks");
    }

    #[test]
    fn a_webhook_without_events_gets_every_event() {
        let section: Notifications = serde_yaml::from_str(
            "webhooks:\n- url: https://a.example/\n  secret: a\n- url: https://b.example/\n  secret: b\n  events: [operationHalt, restoreFailed]\n",
        )
        .unwrap();
        for event in NotificationEvent::ALL {
            let wanted: Vec<usize> = section.webhooks_for(event).map(|(i, _)| i).collect();
            let expected = match event {
                NotificationEvent::OperationHalt | NotificationEvent::RestoreFailed => {
                    vec![0, 1]
                }
                _ => vec![0],
            };
            assert_eq!(wanted, expected, "{}", event.as_str());
        }
        let unknown = serde_yaml::from_str::<Notifications>(
            "webhooks:\n- url: https://a.example/\n  secret: a\n  events: [operationStart]\n",
        );
        assert!(unknown.is_err());
    }
}

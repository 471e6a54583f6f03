//! Plain data shared by every part of Quzheng: no I/O here.
//!
//! * [`Message`] is what every importer produces and the vault stores: one SMS, MMS or
//!   call, with its instant in UTC plus the raw value it came from ([`time::Instant`]).
//! * [`Label`], [`Finding`] and [`Verdict`] are the classifier's output, named exactly as
//!   `../shared/contract/classify.md` names them.
//! * [`Message::fingerprint`] is the dedup key every importer and the vault agree on.
//!
//! Invariants: `Finding::start..end` are *character* (Unicode scalar) offsets into the
//! original `Message::body`, and `Finding::text` equals that slice.

pub mod time;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use time::{Instant, TimeUnit};

/// What kind of record a [`Message`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A text message.
    Sms,
    /// A multimedia message (text parts joined, other parts kept as [`Attachment`]s).
    Mms,
    /// A phone call from a call log; `body` is empty.
    Call,
}

impl Kind {
    /// The contract spelling (`sms`, `mms`, `call`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sms => "sms",
            Kind::Mms => "mms",
            Kind::Call => "call",
        }
    }
}

/// Whether the phone's owner received or sent the record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Received by the owner (the default in the classify contract).
    #[default]
    In,
    /// Sent (or drafted, queued, failed) by the owner. Never collection.
    Out,
}

impl Direction {
    /// The contract spelling (`in`, `out`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Delivery state beyond plain in/out, kept so drafts, failures and blocked messages are
/// shown for what they are (SB&R `type` 3–6, Samsung `spam_sms`, call types 3–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Delivered normally (received, or sent).
    #[default]
    Normal,
    /// An unsent draft.
    Draft,
    /// In the outbox, not yet sent.
    Outbox,
    /// Sending failed.
    Failed,
    /// Queued for later sending.
    Queued,
    /// Blocked or intercepted by the phone (often the best evidence).
    Blocked,
    /// A call that rang but was not answered.
    Missed,
    /// A call that went to voicemail.
    Voicemail,
    /// A call the owner rejected.
    Rejected,
    /// A call answered on another device.
    AnsweredElsewhere,
}

/// A non-text MMS part, kept by reference: its bytes are hashed, not interpreted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// MIME type as declared by the source (`image/jpeg`).
    pub mime: String,
    /// File name as declared by the source, if any.
    pub name: Option<String>,
    /// Size of the decoded bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the decoded bytes.
    pub sha256: String,
}

/// One record as imported: an SMS, MMS or call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// SMS, MMS or call.
    pub kind: Kind,
    /// Received or sent.
    pub direction: Direction,
    /// Draft, failed, blocked, missed …
    #[serde(default)]
    pub status: Status,
    /// The other party's address as the source wrote it (phone number, short code,
    /// alphanumeric sender, e-mail, RCS group id).
    pub address: String,
    /// The contact name the phone showed, if the source has one (never "(Unknown)").
    #[serde(default)]
    pub contact_name: Option<String>,
    /// The text, verbatim (empty for calls).
    #[serde(default)]
    pub body: String,
    /// When it was sent or received.
    pub instant: Instant,
    /// Call duration in seconds (calls only).
    #[serde(default)]
    pub duration_s: Option<u32>,
    /// Transport as the source names it (`SMS`, `iMessage`, `RCS`), if known.
    #[serde(default)]
    pub service: Option<String>,
    /// Non-text MMS parts.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Where in the source file this record was found (`line 12`, `<sms> #5`, `ROWID 17`).
    #[serde(default)]
    pub origin: String,
    /// For calls: how the caller's number was presented (withheld, unknown, payphone), when
    /// the source says. Added by the import area; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presentation: Option<Presentation>,
}

/// How a caller's number was presented (Android `CallLog.Calls.PRESENTATION_*`, SB&R
/// `<call presentation>`): a collector hiding the number is itself worth showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    /// 1: the number was shown.
    Allowed,
    /// 2: the caller withheld the number.
    Restricted,
    /// 3: the network did not deliver a number.
    Unknown,
    /// 4: a payphone.
    Payphone,
}

impl Presentation {
    /// From the Android/SB&R code (1–4); other values are not a presentation.
    pub fn from_code(code: i64) -> Option<Presentation> {
        Some(match code {
            1 => Presentation::Allowed,
            2 => Presentation::Restricted,
            3 => Presentation::Unknown,
            4 => Presentation::Payphone,
            _ => return None,
        })
    }
}

impl Message {
    /// A received SMS with the given address, body and instant; other fields default.
    /// Handy for tests and for importers that fill the rest afterwards.
    pub fn sms(address: impl Into<String>, body: impl Into<String>, instant: Instant) -> Self {
        Message {
            kind: Kind::Sms,
            direction: Direction::In,
            status: Status::Normal,
            address: address.into(),
            contact_name: None,
            body: body.into(),
            instant,
            duration_s: None,
            service: None,
            attachments: Vec::new(),
            origin: String::new(),
            presentation: None,
        }
    }

    /// The dedup fingerprint shared by every importer and the vault: SHA-256 over kind,
    /// normalised address, instant (UTC milliseconds), direction and body.
    ///
    /// The address is normalised with [`normalize_address`] so `+86 138-0013-8000` from one
    /// backup and `13800138000` from another are the same sender; the body is compared
    /// verbatim except for line-ending style (`\r\n` vs `\n` differs between exporters).
    /// Milliseconds, because that is the finest unit SB&R and `mmssms.db` share.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"quzheng-fp-v1\0");
        h.update(self.kind.as_str().as_bytes());
        h.update([0]);
        h.update(normalize_address(&self.address).as_bytes());
        h.update([0]);
        h.update(self.instant.utc_ms().to_be_bytes());
        h.update(self.direction.as_str().as_bytes());
        h.update([0]);
        h.update(self.body.replace("\r\n", "\n").as_bytes());
        h.finalize().into()
    }
}

/// Canonical form of a sender address for comparisons: ASCII digits only with a Chinese
/// country prefix (`+86`, `0086`, `86` before an 11-digit mobile number) removed; addresses
/// without digits (alphanumeric senders, e-mail) are lower-cased and trimmed instead.
pub fn normalize_address(address: &str) -> String {
    let trimmed = address.trim();
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    let has_letters = trimmed.chars().any(|c| c.is_alphabetic());
    if digits.is_empty() || has_letters {
        return trimmed.to_lowercase();
    }
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if rest.len() == 11 && rest.starts_with('1') {
                return rest.to_string();
            }
        }
    }
    digits
}

/// The classification labels of `../shared/contract/classify.md`, serialised verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// 恐吓/威胁
    Threat,
    /// 侮辱/诽谤
    Insult,
    /// 向第三方披露/散布隐私
    ThirdPartyDisclosure,
    /// 冒充国家机关
    Impersonation,
    /// 虚假/误导性法律后果
    Deception,
    /// 夜间催收 (time label)
    NightContact,
    /// 频繁骚扰 (time label)
    ExcessiveFrequency,
}

impl Label {
    /// Every label, text labels first, in contract order.
    pub const ALL: [Label; 7] = [
        Label::Threat,
        Label::Insult,
        Label::ThirdPartyDisclosure,
        Label::Impersonation,
        Label::Deception,
        Label::NightContact,
        Label::ExcessiveFrequency,
    ];
    /// The five labels decided from the text.
    pub const TEXT: [Label; 5] = [
        Label::Threat,
        Label::Insult,
        Label::ThirdPartyDisclosure,
        Label::Impersonation,
        Label::Deception,
    ];

    /// The contract id (`third_party_disclosure`).
    pub fn id(self) -> &'static str {
        match self {
            Label::Threat => "threat",
            Label::Insult => "insult",
            Label::ThirdPartyDisclosure => "third_party_disclosure",
            Label::Impersonation => "impersonation",
            Label::Deception => "deception",
            Label::NightContact => "night_contact",
            Label::ExcessiveFrequency => "excessive_frequency",
        }
    }

    /// Parses a contract id.
    pub fn from_id(id: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.id() == id)
    }

    /// True for the two labels decided from timestamps.
    pub fn is_time_label(self) -> bool {
        matches!(self, Label::NightContact | Label::ExcessiveFrequency)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// One reason a label was given: which rule fired and on which words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The label this finding supports.
    pub label: Label,
    /// The rule id (`threat.visit`), or a time rule id (`time.night`).
    pub rule: String,
    /// Start, in characters (Unicode scalars) of the original body.
    pub start: usize,
    /// End (exclusive), in characters of the original body.
    pub end: usize,
    /// Exactly `body.chars().skip(start).take(end - start)`.
    pub text: String,
}

/// The classifier's decision on one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Verdict {
    /// Whether the message is debt collection.
    pub collection: bool,
    /// Sorted, unique labels (empty unless `collection`).
    pub labels: Vec<Label>,
    /// Creditor display name, if known.
    pub creditor: Option<String>,
    /// Findings for the text labels (time labels carry none with a span).
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_prefixes_are_removed_from_mobile_numbers() {
        assert_eq!(normalize_address("+86 138-0013-8000"), "13800138000");
        assert_eq!(normalize_address("008613800138000"), "13800138000");
        assert_eq!(normalize_address("10690001234"), "10690001234");
        assert_eq!(normalize_address("CoopMobile"), "coopmobile");
    }

    #[test]
    fn fingerprint_ignores_address_formatting_but_not_body() {
        let t = Instant::from_unix_ms(1_700_000_000_000).unwrap();
        let a = Message::sms("+8613800138000", "还钱", t.clone());
        let b = Message::sms("13800138000", "还钱", t.clone());
        let c = Message::sms("13800138000", "还钱!", t);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn label_ids_round_trip() {
        for l in Label::ALL {
            assert_eq!(Label::from_id(l.id()), Some(l));
            assert_eq!(
                serde_json::to_string(&l).unwrap(),
                format!("\"{}\"", l.id())
            );
        }
    }
}

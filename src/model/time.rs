//! Every epoch, unit and zone conversion in Quzheng lives here.
//!
//! * Sources write instants in different units: SB&R and Android `mmssms.db` use Unix
//!   **milliseconds** (but SB&R MMS `date_sent` and `pdu.date` are Unix **seconds**);
//!   iPhone `sms.db` counts from the Apple epoch **2001-01-01T00:00:00Z**, in seconds on
//!   old iOS and **nanoseconds** since iOS 11 (told apart by magnitude).
//! * An [`Instant`] keeps the UTC value *and* the raw number with its unit, so the evidence
//!   pack can show exactly what the source said.
//! * Display and time labels use a zone passed in as a parameter (Asia/Shanghai by default,
//!   [`DEFAULT_ZONE`]); nothing here reads the machine's local zone.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The zone used when none is configured: Beijing time.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// Seconds from the Unix epoch to the Apple epoch (2001-01-01T00:00:00Z).
pub const APPLE_EPOCH_UNIX_S: i64 = 978_307_200;

/// Unit and epoch of a raw timestamp as found in a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Unix epoch, seconds.
    UnixS,
    /// Unix epoch, milliseconds.
    UnixMs,
    /// Apple epoch (2001-01-01), seconds.
    AppleS,
    /// Apple epoch (2001-01-01), nanoseconds.
    AppleNs,
    /// An RFC 3339 string (JSON Lines, CSV); `raw` holds Unix milliseconds.
    Rfc3339,
}

/// A point in time in UTC, with the raw source value it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instant {
    /// The instant, UTC.
    pub utc: DateTime<Utc>,
    /// The number the source stored.
    pub raw: i64,
    /// What `raw` means.
    pub unit: TimeUnit,
    /// For [`TimeUnit::Rfc3339`]: the original text, so the offset the writer used survives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A raw timestamp that cannot be a real instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {raw:?}")]
pub struct InvalidTimestamp {
    /// The value as found in the source.
    pub raw: String,
}

impl Instant {
    /// From Unix milliseconds.
    ///
    /// # Errors
    /// When the value is outside chrono's range.
    pub fn from_unix_ms(ms: i64) -> Result<Self, InvalidTimestamp> {
        let utc = Utc
            .timestamp_millis_opt(ms)
            .single()
            .ok_or_else(|| InvalidTimestamp {
                raw: ms.to_string(),
            })?;
        Ok(Instant {
            utc,
            raw: ms,
            unit: TimeUnit::UnixMs,
            text: None,
        })
    }

    /// From Unix seconds.
    ///
    /// # Errors
    /// When the value is outside chrono's range.
    pub fn from_unix_s(s: i64) -> Result<Self, InvalidTimestamp> {
        let utc = Utc
            .timestamp_opt(s, 0)
            .single()
            .ok_or_else(|| InvalidTimestamp { raw: s.to_string() })?;
        Ok(Instant {
            utc,
            raw: s,
            unit: TimeUnit::UnixS,
            text: None,
        })
    }

    /// From an iPhone `sms.db` date: Apple epoch, nanoseconds when the magnitude says so
    /// (anything above 10^11 cannot be seconds — that would be the year 5170), else seconds.
    ///
    /// # Errors
    /// When the value is outside chrono's range.
    pub fn from_apple(raw: i64) -> Result<Self, InvalidTimestamp> {
        let bad = || InvalidTimestamp {
            raw: raw.to_string(),
        };
        let (utc, unit) = if raw.abs() > 100_000_000_000 {
            let secs = raw.div_euclid(1_000_000_000) + APPLE_EPOCH_UNIX_S;
            let nanos = raw.rem_euclid(1_000_000_000) as u32;
            (
                Utc.timestamp_opt(secs, nanos).single().ok_or_else(bad)?,
                TimeUnit::AppleNs,
            )
        } else {
            (
                Utc.timestamp_opt(raw + APPLE_EPOCH_UNIX_S, 0)
                    .single()
                    .ok_or_else(bad)?,
                TimeUnit::AppleS,
            )
        };
        Ok(Instant {
            utc,
            raw,
            unit,
            text: None,
        })
    }

    /// From an RFC 3339 string (`2026-03-10T09:05:00+08:00`).
    ///
    /// # Errors
    /// When the text is not RFC 3339.
    pub fn parse_rfc3339(text: &str) -> Result<Self, InvalidTimestamp> {
        let dt = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| InvalidTimestamp {
            raw: text.to_string(),
        })?;
        let utc = dt.with_timezone(&Utc);
        Ok(Instant {
            utc,
            raw: utc.timestamp_millis(),
            unit: TimeUnit::Rfc3339,
            text: Some(text.trim().to_string()),
        })
    }

    /// UTC milliseconds since the Unix epoch (the dedup fingerprint's unit).
    pub fn utc_ms(&self) -> i64 {
        self.utc.timestamp_millis()
    }

    /// The instant in `zone`.
    pub fn local(&self, zone: Tz) -> DateTime<Tz> {
        self.utc.with_timezone(&zone)
    }

    /// RFC 3339 in `zone`, seconds precision (`2026-03-10T09:05:00+08:00`), as the
    /// `messages --format jsonl` contract prints it.
    pub fn rfc3339_in(&self, zone: Tz) -> String {
        let local = self.local(zone);
        let fixed: DateTime<FixedOffset> = local.fixed_offset();
        fixed.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }
}

/// Parses a zone name (`Asia/Shanghai`).
///
/// # Errors
/// When the name is not in the IANA database.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_parse_apple_nanoseconds() {
        // 599079037641931008 ns after 2001-01-01 = 2019-12-26 18:50:37 UTC (cs426__sms.db, first row)
        let i = Instant::from_apple(599_079_037_641_931_008).unwrap();
        assert_eq!(i.unit, TimeUnit::AppleNs);
        assert_eq!(
            i.utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "2019-12-26T18:50:37Z"
        );
    }

    #[test]
    fn can_parse_apple_seconds() {
        let i = Instant::from_apple(599_079_037).unwrap();
        assert_eq!(i.unit, TimeUnit::AppleS);
        assert_eq!(
            i.utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "2019-12-26T18:50:37Z"
        );
    }

    #[test]
    fn shows_beijing_time_by_default() {
        let i = Instant::parse_rfc3339("2026-03-10T01:05:00Z").unwrap();
        assert_eq!(i.rfc3339_in(DEFAULT_ZONE), "2026-03-10T09:05:00+08:00");
    }

    #[test]
    fn rejects_garbage_rfc3339() {
        assert!(Instant::parse_rfc3339("yesterday").is_err());
    }
}

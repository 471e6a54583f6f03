//! The text inside an iPhone `message.attributedBody` blob (iOS 16+ leaves `text` NULL).
//!
//! The blob is an `NSAttributedString` archived with NeXTSTEP *typedstream*: a header
//! (`0x04`, then the 11-byte signature `streamtyped`, then the system version), then
//! objects. The plain string is the first `NSString` object's bytes, stored as the type
//! code `+` (a UTF-8 byte string) followed by a typedstream integer length and the bytes.
//! Integers are one signed byte, or the marker `0x81` followed by an `i16` (little-endian)
//! or `0x82` followed by an `i32`. (Layout confirmed on `cs426__sms.db`: `…NSString 01 95
//! 84 01 2B 2A <42 bytes>` and, for 488 bytes, `… 2B 81 E8 01 …`.)
//!
//! This is a deliberately small reader for that one string, not a general typedstream
//! decoder: it never allocates more than the blob's own length and returns `None` for
//! anything it does not recognise, so a hostile blob cannot crash or stall the import.

/// The plain text of an `attributedBody` blob, or `None` when the blob has none that this
/// reader recognises.
pub(super) fn text(blob: &[u8]) -> Option<String> {
    let body = blob.strip_prefix(b"\x04\x0bstreamtyped")?;
    let class = find(body, b"NSString")?;
    let after = &body[class + b"NSString".len()..];
    // Within a few bytes of the class name comes the `+` type code of the string's bytes.
    let window = &after[..after.len().min(16)];
    let plus = find(window, b"\x01\x2b")? + 2;
    let rest = &after[plus..];
    let (len, rest) = int(rest)?;
    let len = usize::try_from(len).ok()?;
    let bytes = rest.get(..len)?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// A typedstream integer at the start of `b`, and what follows it.
fn int(b: &[u8]) -> Option<(i64, &[u8])> {
    let (&first, rest) = b.split_first()?;
    match first {
        0x81 => {
            let v = i16::from_le_bytes(rest.get(..2)?.try_into().ok()?);
            Some((i64::from(v), &rest[2..]))
        }
        0x82 => {
            let v = i32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
            Some((i64::from(v), &rest[4..]))
        }
        b if b < 0x80 => Some((i64::from(b), rest)),
        _ => None,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(text: &str) -> Vec<u8> {
        let mut b = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01\x40\x84\x84\x84\x19NSMutableAttributedString\x00\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x0fNSMutableString\x01\x84\x84\x08NSString\x01\x95\x84\x01\x2b".to_vec();
        let n = text.len();
        if n < 0x80 {
            b.push(n as u8);
        } else {
            b.push(0x81);
            b.extend_from_slice(&(n as i16).to_le_bytes());
        }
        b.extend_from_slice(text.as_bytes());
        b.extend_from_slice(b"\x86\x84\x02iI\x01");
        b
    }

    #[test]
    fn decodes_short_and_long_strings() {
        assert_eq!(text(&blob("您已逾期😡")).as_deref(), Some("您已逾期😡"));
        let long = "还款".repeat(200);
        assert_eq!(text(&blob(&long)).as_deref(), Some(long.as_str()));
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        assert_eq!(text(b""), None);
        assert_eq!(text(b"bplist00"), None);
        let mut b = blob("abc");
        b.truncate(b.len() - 8);
        assert_eq!(text(&b), None, "length beyond the blob");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let mut b = b"\x04\x0bstreamtypedNSString\x01\x2b".to_vec();
            b.extend(tail);
            let _ = text(&b);
        }
    }
}

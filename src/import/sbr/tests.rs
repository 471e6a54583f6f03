use super::*;
use crate::import::testutil::{fixture, run, shared, temp, try_run};
use crate::import::{sniff, Error as ImportError};
use crate::model::TimeUnit;

#[test]
fn reads_synthetic_chinese_backup_with_emoji_surrogates() {
    let (m, r) = run(&fixture("sbr/chinese-collection.xml"), Format::Sbr);
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.declared, Some(8));
    assert_eq!(r.found, 8);
    assert_eq!(
        m[0].body,
        "【速借宝】您已逾期3天，请今日18点前还款，否则上门到你家和单位😡"
    );
    assert_eq!(m[0].address, "10690001234");
    assert_eq!(m[0].contact_name, None, "(Unknown) means no contact");
    // 1773104700000 ms = 2026-03-10T01:05:00Z = 09:05 Beijing
    assert_eq!(m[0].instant.unit, TimeUnit::UnixMs);
    assert_eq!(m[0].instant.utc.to_rfc3339(), "2026-03-10T01:05:00+00:00");
    assert_eq!(m[1].body, "老赖，再不还钱就爆你通讯录👉👉");
    assert_eq!(m[2].direction, Direction::Out);
    assert_eq!(
        m[3].body,
        "【XX法院】您涉嫌诈骗已立案，请联系承办人13911112222 & 处理"
    );
    assert_eq!(m[3].contact_name.as_deref(), Some("催收A"));
    assert_eq!(
        (m[4].direction, m[4].status),
        (Direction::Out, Status::Draft)
    );
    assert_eq!(
        (m[5].direction, m[5].status),
        (Direction::Out, Status::Failed)
    );
}

#[test]
fn reads_mms_parts_addresses_and_attachments() {
    let (m, _) = run(&fixture("sbr/chinese-collection.xml"), Format::Sbr);
    let mms = &m[6];
    assert_eq!(mms.kind, Kind::Mms);
    assert_eq!(mms.address, "10690005555", "sender is addr type 137");
    assert_eq!(mms.body, "这是你的欠款通知单🧾\n三天内不处理，后果自负");
    assert_eq!(mms.attachments.len(), 1);
    let a = &mms.attachments[0];
    assert_eq!(a.mime, "image/png");
    assert_eq!(a.name.as_deref(), Some("欠款通知.png"));
    let mut raw = b"\x89PNG\r\n\x1a\n".to_vec();
    raw.extend(0u8..64);
    assert_eq!(a.size, raw.len() as u64);
    assert_eq!(a.sha256, hex::encode(Sha256::digest(&raw)));
    // date in ms wins over date_sent in s
    assert_eq!(mms.instant.utc_ms(), 1_773_190_000_000);
    let sent = &m[7];
    assert_eq!(sent.direction, Direction::Out);
    assert_eq!(sent.address, "13800138000", "recipient is addr type 151");
}

#[test]
fn recombines_pairs_and_replaces_invalid_references() {
    let (m, r) = run(&fixture("sbr/invalid-refs.xml"), Format::Sbr);
    assert_eq!(m.len(), 3, "no record is lost");
    assert_eq!(m[0].body, "孤立的高位\u{FFFD}代理");
    assert_eq!(
        m[1].body,
        "孤立的低位\u{FFFD}代理，零\u{FFFD}，超界\u{FFFD}，未知&nbsp;实体，正常😡"
    );
    assert_eq!(m[2].body, "反序\u{FFFD}\u{FFFD}");
    let bad_refs = r
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, WarningKind::InvalidCharRef { .. }))
        .count();
    assert_eq!(bad_refs, 6);
    assert!(r.warnings.iter().any(|w| w.kind
        == WarningKind::UnknownEntity {
            raw: "&nbsp;".into()
        }
        && w.location.as_deref() == Some("<sms> #2")));
}

#[test]
fn salvages_every_complete_record_of_a_truncated_backup() {
    let (m, r) = run(&fixture("sbr/truncated.xml"), Format::Sbr);
    assert_eq!(
        m.len(),
        6,
        "the six complete <sms>; the cut <mms> is not invented"
    );
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::Truncated && w.location.as_deref() == Some("<mms> #1")));
    assert!(r.warnings.iter().any(|w| w.kind
        == WarningKind::CountMismatch {
            declared: 8,
            found: 6
        }));
}

#[test]
fn salvages_every_cut_point() {
    // Whatever byte the backup is cut at, no panic and no error once the root is open.
    let full = std::fs::read(fixture("sbr/chinese-collection.xml")).unwrap();
    let root_end = full.windows(7).position(|w| w == b"<smses ").unwrap() + 100;
    for cut in (root_end..full.len()).step_by(7) {
        let (_d, p) = temp(&full[..cut]);
        let (m, _) = try_run(&p, Format::Sbr).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert!(m.len() <= 8);
    }
}

#[test]
fn reads_calls_with_every_type() {
    let (m, r) = run(&fixture("sbr/calls.xml"), Format::Sbr);
    assert!(r.skipped.is_empty() && r.warnings.is_empty());
    assert_eq!(m.len(), 8);
    assert!(m.iter().all(|c| c.kind == Kind::Call && c.body.is_empty()));
    let st: Vec<_> = m.iter().map(|c| c.status).collect();
    assert_eq!(
        st,
        [
            Status::Missed,
            Status::Normal,
            Status::Normal,
            Status::Missed,
            Status::Voicemail,
            Status::Rejected,
            Status::Blocked,
            Status::AnsweredElsewhere
        ]
    );
    assert_eq!(m[1].duration_s, Some(125));
    assert_eq!(m[1].contact_name.as_deref(), Some("张三"));
    assert_eq!(m[2].direction, Direction::Out);
}

#[test]
fn reads_the_public_samples() {
    let (m, r) = run(
        &shared("sbr-xml/mobilecombackup__sms-test.xml"),
        Format::Sbr,
    );
    assert_eq!((r.declared, r.found), (Some(15), 15));
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert!(m[0].body.starts_with("Free AT&T msg"));
    assert_eq!(m.iter().filter(|x| x.kind == Kind::Mms).count(), 9);

    let (m, r) = run(&shared("sbr-xml/mobilecombackup__calls.xml"), Format::Sbr);
    assert_eq!((r.declared, r.found), (Some(16), 16));
    assert!(m
        .iter()
        .all(|c| c.contact_name.as_deref() != Some("(Unknown)")));

    let (_, r) = run(
        &shared("sbr-xml/mobilecombackup__calls-test-00.xml"),
        Format::Sbr,
    );
    assert_eq!(r.found, 12);
    assert!(r.warnings.iter().any(|w| w.kind
        == WarningKind::CountMismatch {
            declared: 56,
            found: 12
        }));

    let (m, r) = run(
        &shared("sbr-xml/sms-backup-reader-2__sms_small.xml"),
        Format::Sbr,
    );
    assert!(r.skipped.is_empty() && !m.is_empty());

    let (_, r) = run(&shared("sbr-xml/memacs__smsxml.xml"), Format::Sbr);
    assert!(r.skipped.is_empty() && r.found > 0);
    let (m, _) = run(&shared("sbr-xml/memacs__calls.xml"), Format::Sbr);
    assert_eq!(m.len(), 8);
}

#[test]
fn salvages_the_public_truncated_backup() {
    let p = shared("sbr-xml/sms-backup-reader-2__sms_and_mms.xml");
    let (m, r) = run(&p, Format::Sbr);
    // 41 <sms> + 8 complete <mms>; the 9th is cut off.
    assert_eq!(m.iter().filter(|x| x.kind == Kind::Sms).count(), 41);
    assert_eq!(m.iter().filter(|x| x.kind == Kind::Mms).count(), 8);
    assert!(r.warnings.iter().any(|w| w.kind == WarningKind::Truncated));
    assert!(r.warnings.iter().any(|w| w.kind
        == WarningKind::CountMismatch {
            declared: 58,
            found: 49
        }));
    assert!(m.iter().any(|x| x.service.as_deref() == Some("RCS")));
}

#[test]
fn sniffs_sbr_and_rejects_other_xml() {
    assert_eq!(sniff(&fixture("sbr/calls.xml")).unwrap(), Format::Sbr);
    assert_eq!(sniff(&fixture("sbr/truncated.xml")).unwrap(), Format::Sbr);
    let (_d, p) = temp(b"<?xml version='1.0'?><rss><channel/></rss>");
    let err = try_run(&p, Format::Sbr).unwrap_err();
    assert!(matches!(
        err,
        crate::Error::Import(ImportError::WrongFormat { .. })
    ));
    assert_eq!(err.kind(), crate::ErrorKind::BadInput);
}

#[test]
fn refuses_hostile_files_with_bad_input() {
    let deep = format!("<smses count=\"1\">{}", "<a>".repeat(100_000));
    let laughs = concat!(
        "<?xml version=\"1.0\"?><!DOCTYPE smses [<!ENTITY a \"aaaaaaaaaa\">",
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>",
        "<smses count=\"1\"><sms address=\"1\" date=\"1773104700000\" type=\"1\" body=\"&c;\"/></smses>"
    );
    let (_d, p) = temp(deep.as_bytes());
    let e = try_run(&p, Format::Sbr).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::TooDeep { .. })),
        "{e}"
    );

    // Entities are never expanded: the body keeps the reference as written.
    let (_d, p) = temp(laughs.as_bytes());
    let (m, r) = run(&p, Format::Sbr);
    assert_eq!(m[0].body, "&c;");
    assert!(r
        .warnings
        .iter()
        .any(|w| matches!(w.kind, WarningKind::UnknownEntity { .. })));

    for bytes in [
        &b""[..],
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage",
        b"\x00\x01\x02\xff\xfe",
        b"<smses",
        b"plain text",
    ] {
        let (_d, p) = temp(bytes);
        let e = try_run(&p, Format::Sbr).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::BadInput, "{e}");
    }
}

#[test]
fn refuses_an_oversized_attribute_without_reading_it_whole() {
    // A tag larger than the limit is refused; memory stays at the limit, not the file.
    let mut f = b"<smses count=\"1\"><sms body=\"".to_vec();
    f.resize(f.len() + limits::MAX_TAG_BYTES as usize + (1 << 20), b'x');
    f.extend_from_slice(b"\" date=\"1\" type=\"1\"/></smses>");
    let (_d, p) = temp(&f);
    let e = try_run(&p, Format::Sbr).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::TooLarge { .. })),
        "{e}"
    );
}

#[test]
fn unescape_handles_hex_and_adjacent_pairs() {
    let mut r = ImportReport::new(Format::Sbr);
    assert_eq!(
        unescape(b"&#xD83D;&#xDE00;&lt;&#55357;&#56832;", "x", &mut r),
        "😀<😀"
    );
    assert!(r.warnings.is_empty());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]
    #[test]
    fn never_panics_on_random_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
        let (_d, p) = temp(&bytes);
        let _ = try_run(&p, Format::Sbr);
    }

    #[test]
    fn never_panics_on_mangled_backups(cut in 0usize..4000, pos in 0usize..4000, byte in proptest::prelude::any::<u8>()) {
        let mut full = std::fs::read(fixture("sbr/chinese-collection.xml")).unwrap();
        let at = pos % full.len();
        full[at] = byte;
        full.truncate(cut.min(full.len()));
        let (_d, p) = temp(&full);
        let _ = try_run(&p, Format::Sbr);
    }

    #[test]
    fn any_text_survives_escaping(body in "\\PC{0,60}") {
        // Escape as SB&R does: XML entities, and non-BMP characters as surrogate pairs.
        let mut esc = String::new();
        for c in body.chars() {
            match c {
                '&' => esc.push_str("&amp;"),
                '<' => esc.push_str("&lt;"),
                '"' => esc.push_str("&quot;"),
                c if (c as u32) > 0xFFFF => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        esc.push_str(&format!("&#{u};"));
                    }
                }
                c => esc.push(c),
            }
        }
        let xml = format!("<smses count=\"1\"><sms address=\"1\" date=\"1773104700000\" type=\"1\" body=\"{esc}\"/></smses>");
        let (_d, p) = temp(xml.as_bytes());
        let (m, r) = run(&p, Format::Sbr);
        proptest::prop_assert_eq!(&m[0].body, &body);
        proptest::prop_assert!(r.warnings.is_empty());
    }
}

//! Unit tests of the classifier: every pack example, table rows, time labels, calls.

use super::*;
use crate::model::Instant;

fn rules() -> RuleSet {
    RuleSet::bundled().expect("bundled packs load")
}

fn ids(v: &Verdict) -> Vec<&'static str> {
    v.labels.iter().map(|l| l.id()).collect()
}

fn one(r: &RuleSet, body: &str) -> Verdict {
    classify_batch(r, &[Input::text(body)], &TimeSettings::default()).remove(0)
}

#[test]
fn every_pack_example_holds() {
    let r = rules();
    let mut failures = Vec::new();
    for p in r.packs() {
        for ex in &p.def.examples {
            let v = one(&r, &ex.body);
            let mut want: Vec<String> = ex.labels.clone();
            want.sort();
            let got: Vec<String> = ids(&v).into_iter().map(String::from).collect();
            let want_coll = ex
                .collection
                .or(if want.is_empty() { None } else { Some(true) });
            if want_coll.is_some_and(|c| c != v.collection)
                || (want_coll != Some(false) && got != want && (v.collection || !want.is_empty()))
            {
                failures.push(format!(
                    "{}: {:?} want {:?}/{:?} got {}/{:?}",
                    p.file, ex.body, want_coll, want, v.collection, got
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

macro_rules! t {
    ($name:ident, $body:expr, $labels:expr) => {
        #[test]
        fn $name() {
            let v = one(&rules(), $body);
            assert!(v.collection, "not collection: {}", $body);
            let want: &[&str] = $labels;
            assert_eq!(ids(&v), want, "{}", $body);
            for f in &v.findings {
                let slice: String = $body.chars().skip(f.start).take(f.end - f.start).collect();
                assert_eq!(f.text, slice);
            }
        }
    };
}

macro_rules! n {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            let v = one(&rules(), $body);
            assert!(!v.collection, "collection: {}", $body);
            assert!(v.labels.is_empty());
        }
    };
}

t!(
    visit_is_threat,
    "再不还钱,明天我们就上门到你家",
    &["threat"]
);
t!(
    longest_keyword_wins,
    "逾期不还,我们安排人员上门拜访",
    &["threat"]
);
t!(
    contacts_fullwidth,
    "欠款不还就ＢＡＯ你通讯录",
    &["third_party_disclosure"]
);
t!(
    lawful_wording_has_no_label,
    "您的借款已逾期,逾期记录将上报征信,影响个人信用记录,可申请分期",
    &[]
);
t!(
    will_sue_is_lawful,
    "您的欠款已逾期30天,我司保留诉讼权利,将依法起诉",
    &[]
);
t!(
    traditional_and_emoji,
    "逾期不還👉移交法院🔥強制執行",
    &["deception"]
);
t!(
    pinyin_court,
    "你的欠款已经li案了,等着f院传票吧",
    &["deception"]
);
t!(
    harassment_without_debt_word,
    "你的人脸影像将张贴到户籍居住地,让所有人都认识你",
    &["third_party_disclosure"]
);
n!(otp, "【招商银行】验证码123456,您正在进行还款操作,请勿泄露");
n!(receipt, "【借呗】您已成功还款1,200.00元,当前借款已结清");
n!(court_notice, "【上海市浦东新区人民法院】您有一条(2026)沪0115民初123号案件传票,已电子送达,请登录zxfw.court.gov.cn查看。咨询12368");
n!(personal_chat, "哈哈你这个老赖皮,在法院门口等我一下");

#[test]
fn outgoing_never_collection() {
    let r = rules();
    let inp = Input {
        direction: Direction::Out,
        ..Input::text("再不还钱就上门,老赖")
    };
    let v = classify_batch(&r, &[inp], &TimeSettings::default());
    assert!(!v[0].collection);
    assert!(v[0].labels.is_empty() && v[0].findings.is_empty());
}

#[test]
fn official_senders_are_never_collection() {
    let r = rules();
    // Court words that make the same text from any other number an impersonation.
    let body = "【江临市青川区人民法院】您的借款合同纠纷一案已进入执行程序,逾期不履行将依法拘留。";
    let court = Input {
        address: "12368",
        ..Input::text(body)
    };
    let other = Input {
        address: "10690001234",
        ..Input::text(body)
    };
    let v = classify_batch(&r, &[court, other], &TimeSettings::default());
    assert!(!v[0].collection && v[0].labels.is_empty() && v[0].findings.is_empty());
    assert!(v[1].collection && !v[1].labels.is_empty());
    assert!(r.is_official("12368") && !r.is_official("123680"));
}

#[test]
fn sender_history_decides_ambiguous_messages() {
    let r = rules();
    let a = Input {
        address: "17000001111",
        ..Input::text("你的借款已逾期,今天必须还钱")
    };
    let b = Input {
        address: "17000001111",
        ..Input::text("别装死,接电话")
    };
    let c = Input {
        address: "17000002222",
        ..Input::text("别装死,接电话")
    };
    let v = classify_batch(&r, &[a, b, c], &TimeSettings::default());
    assert!(v[0].collection && v[1].collection && !v[2].collection);
}

fn at(s: &str) -> Instant {
    Instant::parse_rfc3339(s).expect("valid")
}

#[test]
fn night_and_frequency_use_local_days() {
    let r = rules();
    let ts: Vec<Instant> = [
        "2026-03-10T23:30:00+08:00",
        "2026-03-10T09:00:00+08:00",
        "2026-03-10T10:00:00+08:00",
        "2026-03-10T11:00:00+08:00",
        // 2026-03-11 00:30 local: another day, and night.
        "2026-03-10T16:30:00Z",
    ]
    .iter()
    .map(|s| at(s))
    .collect();
    let bodies = ["【速借宝】您已逾期,请还款"; 5];
    let addrs = ["1069001", "1069002", "1069003", "1069004", "1069005"];
    let inputs: Vec<Input> = (0..5)
        .map(|i| Input {
            address: addrs[i],
            instant: Some(&ts[i]),
            ..Input::text(bodies[i])
        })
        .collect();
    let v = classify_batch(&r, &inputs, &TimeSettings::default());
    assert_eq!(ids(&v[0]), ["excessive_frequency", "night_contact"]);
    assert_eq!(ids(&v[1]), ["excessive_frequency"]);
    assert_eq!(ids(&v[4]), ["night_contact"]);
    assert_eq!(v[0].creditor.as_deref(), Some("速借宝"));
    let loose = TimeSettings::from_flags(Some("UTC"), Some("23:00-06:00"), Some(5)).expect("ok");
    let v = classify_batch(&r, &inputs, &loose);
    // 23:30+08:00 is 15:30 UTC: day; 09:00+08:00 is 01:00 UTC: night; five on one
    // UTC day is not more than five.
    assert!(ids(&v[0]).is_empty());
    assert_eq!(ids(&v[1]), ["night_contact"]);
}

#[test]
fn unsigned_numbers_take_their_signature() {
    let r = rules();
    let a = Input {
        address: "10690001",
        ..Input::text("【易到钱包】您已严重逾期")
    };
    let b = Input {
        address: "10690001",
        ..Input::text("您的欠款仍未处理")
    };
    let c = Input {
        address: "17100000000",
        ..Input::text("你在花花贷平台的借款已逾期3天")
    };
    let v = classify_batch(&r, &[a, b, c], &TimeSettings::default());
    assert_eq!(v[1].creditor.as_deref(), Some("易到钱包"));
    assert_eq!(v[2].creditor.as_deref(), Some("花花贷"));
}

#[test]
fn calls_over_the_limits_are_reported() {
    let r = rules();
    let ts: Vec<Instant> = (0..8)
        .map(|i| at(&format!("2026-03-10T1{i}:00:00+08:00")))
        .collect();
    let mut inputs: Vec<Input> = ts
        .iter()
        .enumerate()
        .map(|(i, t)| Input {
            address: "13800001111",
            instant: Some(t),
            kind: Kind::Call,
            duration_s: Some(if i < 4 { 30 } else { 0 }),
            ..Input::text("")
        })
        .collect();
    inputs.push(Input {
        address: "13800001111",
        ..Input::text("【速借宝】您已逾期")
    });
    let v = classify_batch(&r, &inputs, &TimeSettings::default());
    assert!(v[..8].iter().all(|v| !v.collection && v.labels.is_empty()));
    let f = call_findings(&r, &inputs, &v, &TimeSettings::default());
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f
        .iter()
        .any(|f| f.rule == CallRule::Connected && f.count == 4));
    assert!(f
        .iter()
        .any(|f| f.rule == CallRule::Attempts && f.count == 8));
    assert!(f.iter().all(|f| f.creditor.as_deref() == Some("速借宝")));
}

/// The bundled packs' single regexes are compiled on first use, not on load (see
/// `rules::LazyRegex`), so this test does the load-time check for them: every `regex` and
/// `unless` pattern compiles within `REGEX_SIZE_LIMIT`.
#[test]
fn bundled_regexes_compile_within_the_limit() {
    let mut n = 0;
    for (file, text) in BUNDLED {
        let def = rules::parse(file, text).expect("bundled pack parses");
        for r in &def.rules {
            for p in r.regex.iter().chain(&r.unless) {
                if let Err(e) = rules::compile_regex(file, &r.id, p) {
                    panic!("{e}");
                }
                n += 1;
            }
        }
    }
    assert!(n > 100, "only {n} patterns");
}

/// A pack from `--rules` is compiled on load, and an override of a bundled file too.
#[test]
fn custom_pack_regexes_are_checked_on_load() {
    let mut src: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    src[1]
        .1
        .push_str("\n[[rule]]\nid = \"threat.bad\"\nregex = [\"x\"]\nunless = [\"(\"]\n");
    match RuleSet::from_sources(&src, "custom") {
        Err(Error::BadRegex { rule, .. }) => assert_eq!(rule, "threat.bad"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_regex_is_rejected_with_file_and_rule() {
    let pack = "schema = 1\nlabel = \"threat\"\n[[rule]]\nid = \"threat.bomb\"\nregex = [\"(a{1000}){1000}\"]\n";
    let mut src: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    src.push(("bomb.toml".into(), pack.into()));
    match RuleSet::from_sources(&src, "custom") {
        Err(Error::BadRegex { file, rule, .. }) => {
            assert_eq!(file, "bomb.toml");
            assert_eq!(rule, "threat.bomb");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn validation_names_file_and_rule() {
    let base: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    let try_pack = |text: &str| {
        let mut s = base.clone();
        s.push(("x.toml".into(), text.into()));
        RuleSet::from_sources(&s, "custom").err()
    };
    assert!(matches!(
        try_pack("schema = 2\nlabel = \"threat\""),
        Some(Error::SchemaVersion { found: 2, .. })
    ));
    assert!(matches!(
        try_pack("schema = 1\nlabel = \"rude\""),
        Some(Error::UnknownLabel { .. })
    ));
    assert!(matches!(
        try_pack("schema = 1\nlabel = \"threat\"\n[[rule]]\nid = \"threat.visit\"\nany = [\"x\"]"),
        Some(Error::DuplicateRule { .. })
    ));
    assert!(matches!(
        try_pack("schema = 1\nlabel = \"threat\"\n[[rule]]\nid = \"threat.none\""),
        Some(Error::EmptyRule { .. })
    ));
    assert!(matches!(
        try_pack("schema = 1\nlabel = \"threat\"\n[[rule]]\nid = \"insult.x\"\nany = [\"x\"]"),
        Some(Error::BadRuleId { .. })
    ));
    assert!(matches!(
        try_pack("schema = 1\nlabel = \"threat\"\n[[rule]\n"),
        Some(Error::PackSyntax { .. })
    ));
}

#[test]
fn version_changes_with_packs() {
    let a = rules().version();
    let mut src: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    src[1].1.push_str("\n# edited\n");
    let b = RuleSet::from_sources(&src, "bundled")
        .expect("loads")
        .version();
    assert_ne!(a, b);
    assert!(a.starts_with("rules-v1-bundled-"));
}

/// One automaton over all packs must give what one automaton per pack gives: within a pack
/// the longer of two overlapping keywords wins, and packs never hide each other's keywords.
#[test]
fn keywords_are_leftmost_longest_per_pack() {
    let mut src: Vec<(String, String)> = BUNDLED
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    src.push((
        "extra.toml".into(),
        "schema = 1\nlabel = \"insult\"\n[[rule]]\nid = \"insult.short\"\nany = [\"abc\"]\n\
         [[rule]]\nid = \"insult.long\"\nany = [\"abcde\"]\n"
            .into(),
    ));
    src.push((
        "extra2.toml".into(),
        "schema = 1\nlabel = \"threat\"\n[[rule]]\nid = \"threat.inner\"\nany = [\"bcd\"]\n".into(),
    ));
    let r = RuleSet::from_sources(&src, "custom").expect("packs load");
    // The collection pack needs a debt word; "abcde" is matched after normalisation.
    let body = "\u{6b20}\u{6b3e}\u{903e}\u{671f} abcde abc";
    let v = one(&r, body);
    let rules: Vec<&str> = v.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"insult.long"), "{rules:?}");
    assert!(rules.contains(&"threat.inner"), "{rules:?}");
    // "abc" inside "abcde" is not reported (the longer keyword wins) but the later
    // stand-alone "abc" is.
    let short: Vec<_> = v
        .findings
        .iter()
        .filter(|f| f.rule == "insult.short")
        .collect();
    assert_eq!(short.len(), 1, "{:?}", v.findings);
    assert_eq!(short[0].text, "abc");
    assert_eq!(short[0].start, body.chars().count() - 3);
}

/// The literal prefilter only skips patterns that cannot match: over every corpus message
/// and pack example (and variants of them in traditional characters, full width, upper
/// case and with separators), each regex and each `unless` pattern matched on its own
/// matches only where the prefilter lets it run, and the hits of every pack equal those
/// of running every regex, checking every `unless` pattern and matching each pack's
/// keywords with its own leftmost-longest automaton.
#[test]
fn prefilter_hits_equal_every_regex_on_its_own() {
    let r = rules();
    let reference = r.matcher.without_prefilter(&r.packs);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut bodies: Vec<String> = Vec::new();
    for f in ["train.jsonl", "dev.jsonl", "test.jsonl", "test-v14.jsonl"] {
        let text = std::fs::read_to_string(dir.join(f)).expect("corpus file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus line");
            bodies.push(v["body"].as_str().expect("body").to_string());
        }
    }
    bodies.extend(
        r.packs()
            .iter()
            .flat_map(|p| p.def.examples.iter().map(|e| e.body.clone())),
    );
    let variants: Vec<String> = bodies
        .iter()
        .step_by(3)
        .enumerate()
        .map(|(i, b)| match i % 4 {
            0 => b
                .replace('们', "們")
                .replace('还', "還")
                .replace('钱', "錢"),
            1 => b.chars().flat_map(|c| [c, ' ']).collect(),
            2 => b
                .chars()
                .map(|c| match c {
                    '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                    _ => c,
                })
                .collect(),
            _ => b.to_uppercase() + " BAO cs",
        })
        .collect();
    bodies.extend(variants);
    assert!(bodies.len() > 6000, "corpus read: {}", bodies.len());
    let (mut s1, mut s2) = (rules::Scratch::default(), rules::Scratch::default());
    let mut h1 = vec![Vec::new(); r.packs.len()];
    let mut h2 = vec![Vec::new(); r.packs.len()];
    let (mut matched, mut unless_matched, mut extra_matched) = (0usize, 0usize, 0usize);
    for (bi, b) in bodies.iter().enumerate() {
        let n = r.normalize(b);
        let mut alone = r.matcher.regex_matches_unfiltered(&r.packs, &n.text);
        let n_regex = alone.len();
        alone.extend(r.matcher.unless_matches_unfiltered(&r.packs, &n.text));
        let n_before_extra = alone.len();
        alone.extend(r.creditor.regexes().iter().map(|x| x.is_match(&n.text)));
        let cand = r.matcher.candidates(&n.text);
        assert_eq!(alone.len(), cand.len());
        for (i, (&m, &c)) in alone.iter().zip(&cand).enumerate() {
            assert!(
                !m || c,
                "message {bi}: pattern {i} matches but was filtered out"
            );
            if i < n_regex {
                matched += usize::from(m);
            } else if i < n_before_extra {
                unless_matched += usize::from(m);
            }
        }
        r.matcher.hits(&r.packs, &n, &mut s1, &mut h1);
        reference.hits(&r.packs, &n, &mut s2, &mut h2);
        assert_eq!(h1, h2, "message {bi}: hits differ");
        for (x, &c) in s1.extra_candidates().iter().enumerate() {
            assert!(
                c || !alone[n_before_extra + x],
                "message {bi}: creditor regex {x} filtered out"
            );
        }
        assert_eq!(
            r.creditor.platform(&n, b, s1.extra_candidates()),
            r.creditor.platform(&n, b, &[]),
            "message {bi}: platform differs"
        );
        extra_matched += alone[n_before_extra..].iter().filter(|&&m| m).count();
    }
    // The test must see real regex matches to mean anything.
    assert!(matched > 1000, "regex matches seen: {matched}");
    assert!(
        unless_matched > 100,
        "unless matches seen: {unless_matched}"
    );
    assert!(
        extra_matched > 100,
        "creditor matches seen: {extra_matched}"
    );
}

/// Every bundled regex has a literal prefilter (none runs on every message).
#[test]
fn every_bundled_regex_is_prefiltered() {
    let (always, all) = rules().matcher.unfiltered();
    assert!(all > 0);
    assert_eq!(always, 0, "{always} of {all} regexes run on every message");
}

/// The label model only adds: over the corpus, a message gets a `<label>.model` finding
/// only when it is collection without the model, keeps every rule finding, gets no
/// model finding for a label a rule gave, and every model span is the body's text.
#[test]
fn model_findings_only_add_labels_to_collection_messages() {
    let with = rules();
    assert!(with.model().is_some(), "bundled rules carry the model");
    assert!(with.version().contains("-model-"), "{}", with.version());
    let without = with.clone().with_model(None);
    let mut added = 0;
    for f in ["train.jsonl", "dev.jsonl", "test.jsonl", "test-v14.jsonl"] {
        let path = format!("{}/tests/fixtures/corpus/{f}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("corpus");
        let bodies = bench::corpus_bodies(&text);
        let inputs: Vec<Input> = bodies.iter().map(|b| Input::text(b)).collect();
        let a = classify_batch(&without, &inputs, &TimeSettings::default());
        let b = classify_batch(&with, &inputs, &TimeSettings::default());
        for ((body, x), y) in bodies.iter().zip(&a).zip(&b) {
            assert_eq!(x.collection, y.collection, "{f}");
            assert_eq!(x.creditor, y.creditor);
            for fx in &x.findings {
                assert!(y.findings.contains(fx), "{f}: a rule finding went missing");
            }
            for fy in y.findings.iter().filter(|g| g.rule.ends_with(MODEL_SUFFIX)) {
                added += 1;
                assert!(
                    x.collection,
                    "{f}: model finding on a non-collection message"
                );
                assert!(
                    !x.labels.contains(&fy.label),
                    "{f}: label already given by a rule"
                );
                assert_eq!(fy.rule, format!("{}.model", fy.label.id()));
                let slice: String = body
                    .chars()
                    .skip(fy.start)
                    .take(fy.end - fy.start)
                    .collect();
                assert!(!slice.is_empty());
                assert_eq!(fy.text, slice);
                assert!(with
                    .rule(&fy.rule)
                    .is_some_and(|r| r.label == Some(fy.label)));
            }
        }
    }
    assert!(added > 0, "the model added nothing anywhere");
    assert!(without.rule("threat.model").is_none());
}

/// The label model earns its place: on the newest blind split test-v17 (never trained on)
/// and on test / test-v14 / test-v15 / test-v16 (no longer blind; training data for the
/// model since, as other writers' wording, see docs/model.md) it never lowers macro-F1 by
/// more than one wrong label's worth, never changes the collection decision and keeps every
/// span exact. While the rules are not tuned on test-v17 (rules alone below 0.90 there), it
/// must raise macro-F1 on that split by at least 0.02 — the bar for shipping it (on its one
/// blind run: 0.820 → 0.894). It may add a label only where the rules call a message
/// collection, so it can label a non-collection message only when the rules wrongly call it
/// collection: that happens once each on test-v16 and test-v17 (1 → 2, 9 → 10 labelled
/// non-collection), hence one message of slack there and none on the other splits. Rules
/// tuned on a split make it useless as a measure of the model, so the bar is checked only
/// while it still measures something; if it fails, look at `quzheng eval --no-model` before
/// lowering it.
#[test]
fn model_helps_on_held_out_splits() {
    use crate::api::classify::{evaluate, read_records};
    let with = rules();
    let without = with.clone().with_model(None);
    for f in [
        "test.jsonl",
        "test-v14.jsonl",
        "test-v15.jsonl",
        "test-v16.jsonl",
        "test-v17.jsonl",
    ] {
        let path = std::path::PathBuf::from(format!(
            "{}/tests/fixtures/corpus/{f}",
            env!("CARGO_MANIFEST_DIR")
        ));
        let text = std::fs::read(&path).expect("corpus");
        let recs = read_records(&text[..], true, &path).expect("records");
        let a = evaluate(&without, &recs);
        let b = evaluate(&with, &recs);
        let why = format!(
            "{f}: macro-F1 {:.3} with the model, {:.3} without",
            b.macro_f1, a.macro_f1
        );
        assert!(b.macro_f1 >= a.macro_f1 - 0.01, "{why}");
        if f == "test-v17.jsonl" && a.macro_f1 < 0.90 {
            assert!(b.macro_f1 >= a.macro_f1 + 0.02, "{why}");
        }
        let slack = usize::from(f == "test-v16.jsonl" || f == "test-v17.jsonl");
        assert!(
            b.labels_on_non_collection <= a.labels_on_non_collection + slack,
            "{f}"
        );
        assert_eq!(b.bad_spans, 0, "{f}");
        assert_eq!(
            b.collection, a.collection,
            "{f}: the model changed collection"
        );
    }
}

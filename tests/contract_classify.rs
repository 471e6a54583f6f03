//! Contract tests for `quzheng classify` and `quzheng eval` (../shared/contract/classify.md).

use crate::util::{fails, fixture, shared, Cmd};
use serde_json::Value;

fn classify(input: &str, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["classify"];
    a.extend_from_slice(args);
    let out = Cmd::new(&a).stdin(input).ok();
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

fn labels(v: &Value) -> Vec<&str> {
    v["labels"]
        .as_array()
        .expect("labels is an array")
        .iter()
        .map(|l| l.as_str().expect("label id"))
        .collect()
}

#[test]
fn output_has_the_contract_fields_in_order() {
    let input = concat!(
        r#"{"id": "m1", "address": "10690001234", "body": "【速借宝】你已严重逾期,再不还钱明天上门到你家,老赖!", "ts": "2026-03-10T09:05:00+08:00", "direction": "in", "extra": 1}"#,
        "\n",
        r#"{"id": 7, "body": "您的验证码为123456"}"#,
        "\n",
        r#"{"id": "m3", "body": "我已经在还款了,请不要再骚扰我的家人。", "direction": "out"}"#,
        "\n"
    );
    let out = classify(input, &[]);
    assert_eq!(out.len(), 3);
    assert_eq!(out[0]["id"], "m1");
    assert_eq!(out[1]["id"], 7);
    assert_eq!(out[2]["id"], "m3");
    for v in &out {
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        for k in ["id", "collection", "labels", "creditor", "findings"] {
            assert!(keys.contains(&k), "missing {k} in {v}");
        }
    }
    assert_eq!(out[0]["collection"], true);
    assert_eq!(labels(&out[0]), ["insult", "threat"]);
    assert_eq!(out[0]["creditor"], "速借宝");
    assert_eq!(out[1]["collection"], false);
    assert!(out[1]["creditor"].is_null());
    assert_eq!(out[2]["collection"], false);
    assert!(labels(&out[2]).is_empty());
    assert!(out[2]["findings"].as_array().unwrap().is_empty());
}

#[test]
fn findings_are_character_slices_of_the_body() {
    let bodies = [
        "😀😀逾期不还就爆 你 通 讯 录,你这个骗*子,等着坐牢吧",
        "【易到钱包】ＸＸ您已逾期,我是區法院的書記員,已經立案",
        "欠款不还,后 果 自 负,明天派人上门。\u{200b}老\u{200b}赖",
        "你的欠款已经li案了,等着f院传票吧,BAO你txl",
    ];
    let input: String = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| serde_json::json!({"id": i, "body": b}).to_string() + "\n")
        .collect();
    let out = classify(&input, &[]);
    for (v, body) in out.iter().zip(bodies) {
        let labs = labels(v);
        let mut sorted = labs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(labs, sorted, "labels sorted and unique");
        let findings = v["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "{body}");
        for f in findings {
            let s = f["start"].as_u64().unwrap() as usize;
            let e = f["end"].as_u64().unwrap() as usize;
            let slice: String = body.chars().skip(s).take(e - s).collect();
            assert_eq!(f["text"].as_str().unwrap(), slice);
            assert!(labs.contains(&f["label"].as_str().unwrap()));
            assert!(f["rule"]
                .as_str()
                .unwrap()
                .starts_with(f["label"].as_str().unwrap()));
        }
        for l in labs {
            assert!(
                findings.iter().any(|f| f["label"] == l),
                "a finding per label"
            );
        }
    }
}

#[test]
fn outgoing_messages_never_carry_labels() {
    let out = classify(
        r#"{"id": "o", "body": "你这个老赖,再不还钱就上门,爆你通讯录", "direction": "out"}"#,
        &[],
    );
    assert_eq!(out[0]["collection"], false);
    assert!(labels(&out[0]).is_empty());
}

#[test]
fn unreadable_line_exits_2_with_its_number() {
    let input = "{\"id\": \"a\", \"body\": \"x\"}\n\n{\"id\": \"b\", \"body\": oops}\n";
    let out = Cmd::new(&["classify"]).stdin(input).output();
    let (code, err) = fails(&out);
    assert_eq!(code, 2);
    assert!(err.contains('3'), "names line 3: {err}");
    let out = Cmd::new(&["--lang", "en", "classify"])
        .stdin(input)
        .output();
    assert!(fails(&out).1.contains("line 3"));
}

#[test]
fn missing_id_or_body_is_a_clear_error() {
    let out = Cmd::new(&["--lang", "en", "classify"])
        .stdin("{\"body\": \"x\"}\n")
        .output();
    let (code, err) = fails(&out);
    assert_eq!(code, 2);
    assert!(err.contains("line 1") && err.contains("\"id\""), "{err}");
    let out = Cmd::new(&["--lang", "en", "classify"])
        .stdin("{\"id\": \"a\"}\n{\"id\": \"b\"}\n")
        .output();
    let (code, err) = fails(&out);
    assert_eq!(code, 2);
    assert!(err.contains("line 1") && err.contains("\"body\""), "{err}");
    let out = Cmd::new(&["classify"]).stdin("{\"id\": \"a\"}\n").output();
    assert!(fails(&out).1.contains("body"));
}

#[test]
fn a_one_megabyte_body_is_fine() {
    let body = "逾期".repeat(100_000) + &"x".repeat(500_000) + "再不还钱就上门找你";
    let line = serde_json::json!({"id": "big", "body": body}).to_string() + "\n";
    let out = classify(&line, &[]);
    assert_eq!(out[0]["collection"], true);
    assert!(labels(&out[0]).contains(&"threat"));
}

#[test]
fn time_labels_follow_the_flags() {
    let mut input = String::new();
    // Four signed messages from different numbers on one Beijing day, one at 23:30.
    for (i, t) in ["09:00", "10:00", "11:00", "23:30"].iter().enumerate() {
        input.push_str(
            &serde_json::json!({
                "id": format!("s{i}"),
                "address": format!("1069000{i}"),
                "body": "【乐享借】您的借款已逾期,请尽快还款。",
                "ts": format!("2026-03-10T{t}:00+08:00"),
            })
            .to_string(),
        );
        input.push('\n');
    }
    // Not collection: never a time label, even at night.
    input.push_str(r#"{"id": "n", "body": "宝宝晚安", "ts": "2026-03-10T23:50:00+08:00"}"#);
    input.push('\n');
    // No ts: no time label.
    input.push_str(r#"{"id": "t", "body": "【乐享借】您的借款已逾期,请尽快还款。"}"#);
    input.push('\n');
    let out = classify(&input, &[]);
    assert_eq!(labels(&out[0]), ["excessive_frequency"]);
    assert_eq!(labels(&out[3]), ["excessive_frequency", "night_contact"]);
    assert!(labels(&out[4]).is_empty());
    assert!(labels(&out[5]).is_empty());
    let out = classify(&input, &["--max-per-day", "4"]);
    assert!(labels(&out[0]).is_empty());
    assert_eq!(labels(&out[3]), ["night_contact"]);
    let out = classify(&input, &["--night", "23:45-07:00"]);
    assert_eq!(labels(&out[3]), ["excessive_frequency"]);
    // In UTC, 09:00+08:00 is 01:00: night by the default window; 23:30+08:00 is 15:30.
    let out = classify(&input, &["--tz", "UTC"]);
    assert_eq!(labels(&out[0]), ["excessive_frequency", "night_contact"]);
    assert_eq!(labels(&out[3]), ["excessive_frequency"]);
    for bad in [
        ["--tz", "Mars/Base"],
        ["--night", "late"],
        ["--max-per-day", "0"],
    ] {
        let mut a = vec!["classify"];
        a.extend_from_slice(&bad);
        let out = Cmd::new(&a).stdin("").output();
        let (code, err) = fails(&out);
        assert_eq!(code, 2, "{bad:?}");
        assert!(err.contains(bad[0]), "{err}");
    }
}

#[test]
fn rules_dir_adds_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("extra.toml"),
        "schema = 1\nlabel = \"insult\"\n[[rule]]\nid = \"insult.local\"\nany = [\"咸鱼精\"]\nwhy = \"x\"\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let out = classify(
        r#"{"id": 1, "body": "欠款逾期不还的咸鱼精"}"#,
        &["--rules", d],
    );
    assert_eq!(labels(&out[0]), ["insult"]);
    assert_eq!(out[0]["findings"][0]["rule"], "insult.local");
    std::fs::write(
        dir.path().join("bad.toml"),
        "schema = 1\nlabel = \"threat\"\n[[rule]]\nid = \"threat.bad\"\nregex = [\"(unclosed\"]\n",
    )
    .unwrap();
    let out = Cmd::new(&["classify", "--rules", d]).stdin("").output();
    let (code, err) = fails(&out);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml") && err.contains("threat.bad"),
        "{err}"
    );
}

/// Scores a split; `max_labels_on_negatives` is how many labels on non-collection messages
/// are tolerated (0 everywhere but the measured floor of a blind split).
fn eval_with(path: &std::path::Path, max_labels_on_negatives: f64) -> (f64, f64, String) {
    let out = Cmd::new(&["--lang", "en", "eval"]).arg(path).ok();
    let num = |key: &str| -> f64 {
        out.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.rsplit([' ', ':']).find(|s| !s.is_empty()))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in\n{out}"))
    };
    let collection_f1 = out
        .lines()
        .find(|l| l.starts_with("collection"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|s| s.parse().ok())
        .expect("collection row");
    assert!(
        num("labels on non-collection messages") <= max_labels_on_negatives,
        "{out}"
    );
    assert_eq!(num("findings whose text is not their span"), 0.0, "{out}");
    (num("macro-F1"), collection_f1, out)
}

/// Evaluates `path` and asserts its floors: at most `max_labelled` labelled non-collection
/// messages and no finding off its span (both inside `eval_with`), macro-F1 and collection
/// F1 at least the given values.
fn assert_scores_at_least(
    path: &std::path::Path,
    max_labelled: f64,
    min_macro_f1: f64,
    min_collection_f1: f64,
) {
    let (macro_f1, coll_f1, out) = eval_with(path, max_labelled);
    let name = path.display();
    assert!(
        macro_f1 >= min_macro_f1,
        "{name}: macro-F1 {macro_f1}\n{out}"
    );
    assert!(
        coll_f1 >= min_collection_f1,
        "{name}: collection F1 {coll_f1}\n{out}"
    );
}

/// The issue's goals (macro-F1 >= 0.95, collection F1 >= 0.97) on `test.jsonl`. That file
/// is the v13 blind split, which scored 0.842 / 0.965 on its only blind run; the v14 rules
/// were then tuned with its misses in view, so passing here is a regression guard, not
/// evidence that the goal is met on unseen wording (see tests/fixtures/corpus/README.md;
/// the blind result of each new split is recorded in README.md).
#[test]
fn held_out_test_split_meets_the_goals() {
    assert_scores_at_least(&fixture("corpus/test.jsonl"), 0.0, 0.95, 0.97);
}

/// The scores measured on `test.jsonl` after the v14 changes (0.992 / 1.000; 0.984 / 1.000
/// after v15, whose policy makes a fake police visit to the home a threat too, which this
/// frozen file does not label) do not get worse, every finding's text is its span
/// (checked inside `eval_with`), and no non-collection message gets a label.
#[test]
fn held_out_test_split_does_not_regress() {
    assert_scores_at_least(&fixture("corpus/test.jsonl"), 0.0, 0.98, 0.99);
}

/// `test-v14.jsonl`, the blind split written for this session's rules by someone who had
/// not seen them: 0.847 macro-F1 / 0.925 collection F1 / 10 labelled non-collection
/// messages on its one blind run (below the goals), then 0.858 / 0.934 / 6 once genuine
/// 12368 senders were recognised. The v15 rules were written with its misses in view
/// (0.998 / 1.000 / 0, no longer blind), so this floor is a regression guard only.
#[test]
fn blind_v14_split_does_not_regress() {
    assert_scores_at_least(&fixture("corpus/test-v14.jsonl"), 0.0, 0.99, 0.99);
}

/// `test-v15.jsonl`, 360 messages written by someone who had seen neither the rules nor the
/// corpus (only the contract, the legal README and the labelling policy). Its one blind
/// run, on the v15 rules + label model: 0.871 macro-F1 / 0.927 collection F1 / 7 labelled
/// non-collection messages (rules alone 0.841 / 0.927 / 7; the v14 rules 0.791 / 0.900 / 11)
/// — below the goals. The v16 rules (branch rules4) were tuned on its misses, so it is no
/// longer blind: 0.949 / 0.955 / 7 with the v15 model (rules alone 0.933 / 0.955 / 7). The
/// floor sits just under the rules-alone result (the model is retrained after merging), a
/// regression guard only.
#[test]
fn blind_v15_split_does_not_regress() {
    assert_scores_at_least(&fixture("corpus/test-v15.jsonl"), 7.0, 0.93, 0.95);
}

/// `test-v16.jsonl`, 360 messages by a third writer who saw neither rules nor corpus (the
/// contract, the legal README and the two earlier writers' labelling policies only). Its
/// one blind run, on the v16 rules + the label model trained on train, dev, test, test-v14
/// and test-v15: 0.871 macro-F1 / 0.899 collection F1 / 21 labelled non-collection messages
/// (rules alone 0.841 / 0.899 / 20; the v15 rules + model before round 4: 0.859 / 0.896 /
/// 20) — below the goals, mostly on precision: personal chat the rules call collection. A
/// floor at that result, a regression guard only once later work studies it.
#[test]
fn blind_v16_split_does_not_regress() {
    // v17 tuning studied this split (no longer blind): 0.946 / 0.976 / 2 with the model.
    assert_scores_at_least(&fixture("corpus/test-v16.jsonl"), 2.0, 0.94, 0.97);
}

/// The bundled label model is exactly what `train-model` makes of the files listed in
/// assets/model/training-files.txt (training is deterministic): a corpus or rule change
/// without `bash scripts/train-model.sh` fails here instead of shipping stale weights.
#[test]
fn shipped_label_model_matches_its_training_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("assets/model/training-files.txt")).unwrap();
    let files: Vec<_> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(
        !files.iter().any(|f| f.ends_with("test-v17.jsonl")),
        "the newest blind split must stay out of training"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.bin");
    let mut cmd = Cmd::new(&["train-model"]);
    for f in &files {
        cmd = cmd.arg(root.join(f));
    }
    cmd.arg("--out").arg(&out).ok();
    let shipped = std::fs::read(root.join("assets/model/labels.bin")).unwrap();
    assert!(
        std::fs::read(&out).unwrap() == shipped,
        "assets/model/labels.bin is stale: run `bash scripts/train-model.sh`"
    );
}

/// `test-v17.jsonl`, 360 messages by a fourth writer who saw neither rules nor corpus (the
/// contract, the legal README and the earlier writers' labelling policies only). Its one
/// blind run, on the v17 rules + the label model trained on train, dev, test, test-v14 and
/// test-v15: 0.894 macro-F1 / 0.923 collection F1 / 10 labelled non-collection messages
/// (rules alone 0.820 / 0.923 / 9; the v16 rules + model before round 5: 0.884 / 0.910 /
/// 15) — below the goals. The label model has since been trained on test-v16 as well
/// (0.895 / 0.923 / 10); a floor at that, a regression guard only once later work studies it.
#[test]
fn blind_v17_split_does_not_regress() {
    assert_scores_at_least(&fixture("corpus/test-v17.jsonl"), 10.0, 0.89, 0.92);
}

#[test]
fn tuning_splits_score_as_tuned() {
    for split in ["corpus/train.jsonl", "corpus/dev.jsonl"] {
        assert_scores_at_least(&fixture(split), 0.0, 0.98, 0.99);
    }
}

#[test]
fn shared_dev_corpus_scores_well() {
    let p = shared("corpus/dev.jsonl");
    if !p.exists() {
        eprintln!("skipped: {} not present", p.display());
        return;
    }
    assert_scores_at_least(&p, 0.0, 0.95, 0.97);
}

#[test]
fn bench_classify_prints_numbers() {
    let out = Cmd::new(&["--lang", "en", "bench", "classify", "--n", "2000"]).ok();
    assert!(out.contains("messages/s") && out.contains("ms"), "{out}");
}

// ---- vault use cases: import classifies, correct, reclassify, creditors -----------------

use crate::util::TempVault;

fn stored(v: &TempVault) -> Vec<Value> {
    v.cmd(&["messages", "--format", "jsonl"])
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect()
}

fn by_origin<'a>(msgs: &'a [Value], id: &str) -> &'a Value {
    msgs.iter()
        .find(|m| m["body"].as_str().is_some_and(|b| b.contains(id)))
        .unwrap_or_else(|| panic!("no message with {id}"))
}

fn vault_with_messages() -> TempVault {
    let v = TempVault::init();
    let file = v.file("in.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "a1", "address": "10690001", "body": "【速借宝】A1 您已严重逾期,再不还钱明天上门到你家", "ts": "2026-03-10T09:05:00+08:00"}"#,
            "\n",
            r#"{"id": "a2", "address": "10690001", "body": "【速借宝】A2 您的欠款已逾期,请尽快还款", "ts": "2026-03-10T23:05:00+08:00"}"#,
            "\n",
            r#"{"id": "a3", "address": "13900001111", "body": "A3 明天一起吃饭吧", "ts": "2026-03-10T12:00:00+08:00"}"#,
            "\n",
            r#"{"id": "a4", "address": "10690001", "body": "A4 别装死,接电话", "ts": "2026-03-11T10:00:00+08:00"}"#,
            "\n",
        ),
    )
    .unwrap();
    v.cmd(&["import", "--format", "jsonl"]).arg(&file).ok();
    v
}

#[test]
fn import_stores_classified_messages() {
    let v = vault_with_messages();
    let m = stored(&v);
    let a1 = by_origin(&m, "A1");
    assert_eq!(a1["collection"], true);
    assert_eq!(labels(a1), ["threat"]);
    assert_eq!(a1["creditor"], "速借宝");
    assert_eq!(labels(by_origin(&m, "A2")), ["night_contact"]);
    assert_eq!(by_origin(&m, "A3")["collection"], false);
    // Sender history and the number's signature.
    let a4 = by_origin(&m, "A4");
    assert_eq!(a4["collection"], true);
    assert_eq!(a4["creditor"], "速借宝");
}

#[test]
fn corrections_survive_reclassify() {
    let v = vault_with_messages();
    let m = stored(&v);
    let id = by_origin(&m, "A1")["id"].to_string();
    let out = v
        .cmd(&[
            "--lang",
            "en",
            "correct",
            &id,
            "--add",
            "insult",
            "--remove",
            "threat",
            "--note",
            "my reading",
        ])
        .ok();
    assert!(out.contains("insult"), "{out}");
    let a1 = by_origin(&stored(&v), "A1").clone();
    assert_eq!(labels(&a1), ["insult"]);
    let out = v.cmd(&["--lang", "en", "reclassify"]).ok();
    assert!(out.contains("rules-v1-bundled-"), "{out}");
    let a1 = by_origin(&stored(&v), "A1").clone();
    assert_eq!(labels(&a1), ["insult"], "the correction is kept");
    // The classifier's own findings stay stored for the labels not removed.
    assert!(a1["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["label"] != "threat"));
}

#[test]
fn correct_rejects_bad_labels_and_ids() {
    let v = vault_with_messages();
    let out = v.cmd(&["correct", "1", "--add", "rude"]).output();
    let (code, err) = fails(&out);
    assert_eq!(code, 2);
    assert!(err.contains("rude"));
    let out = v.cmd(&["correct", "999", "--add", "insult"]).output();
    assert_eq!(fails(&out).0, 2);
    let out = v.cmd(&["correct", "1"]).output();
    assert_eq!(fails(&out).0, 2);
    let out = v
        .cmd(&["correct", "1", "--add", "insult"])
        .env("QUZHENG_PASSPHRASE", "wrong")
        .output();
    assert_eq!(fails(&out).0, 3);
}

#[test]
fn creditors_can_be_renamed_and_merged() {
    let v = vault_with_messages();
    let out = v.cmd(&["--lang", "en", "creditors"]).ok();
    assert!(out.contains("速借宝\t3"), "{out}");
    v.cmd(&["creditors", "--rename", "速借宝", "速借宝科技"])
        .ok();
    let m = stored(&v);
    assert_eq!(by_origin(&m, "A1")["creditor"], "速借宝科技");
    let out = v
        .cmd(&[
            "--lang",
            "en",
            "creditors",
            "--merge",
            "速借宝科技",
            "某资产管理",
        ])
        .ok();
    assert!(out.contains("某资产管理\t3"), "{out}");
    assert_eq!(by_origin(&stored(&v), "A4")["creditor"], "某资产管理");
}

#!/usr/bin/env python3
"""Generates the synthetic demo case (one borrower, three creditors, ~200 messages and calls,
2025-10 to 2026-02, crossing 2026-01-01) as an SMS Backup & Restore export, its call log,
and expected.jsonl (the same records as PackMessage JSON with template labels and findings,
used by report tests and benchmarks before the classifier runs). All text is invented.
Deterministic: python3 make_sample.py rewrites identical files."""
import json, random, datetime as dt
from xml.sax.saxutils import quoteattr
random.seed(20260101)
TZ = dt.timezone(dt.timedelta(hours=8))
CRED = {
    "速借宝": ["10690571234", "10690575678"],
    "易分期": ["10655123888"],
    "金满仓": ["17150012345", "17150012399"],
}
T = [  # (creditor or None for any, text, labels, triggers)
    (None, "【{c}】您的借款已逾期{d}天，欠款{a}元，请于今日18点前还款，避免影响您的征信记录。", [], []),
    (None, "【{c}】尊敬的客户，您的账单已逾期{d}天，应还{a}元。如有困难可申请分期，请联系客服。", [], []),
    (None, "【{c}】再不还款，我们将安排人员上门找你，后果自负！", ["threat"], ["上门找你", "后果自负"]),
    (None, "【{c}】今天不还，明天就去你公司门口拉横幅，让你后悔！", ["threat"], ["去你公司门口拉横幅", "让你后悔"]),
    ("易分期", "【{c}】你这个老赖，欠钱不还，真不要脸！", ["insult"], ["老赖", "不要脸"]),
    ("易分期", "【{c}】骗子！{a}元都不还，你就是个人渣。", ["insult"], ["骗子", "人渣"]),
    ("金满仓", "【{c}】今天下午将通知你的亲友和单位，爆通讯录，让大家都知道你欠钱不还。", ["third_party_disclosure"], ["通知你的亲友和单位", "爆通讯录"]),
    ("金满仓", "【{c}】您的朋友李明欠款{a}元已逾期，请转告其尽快还款。", ["third_party_disclosure"], ["请转告"]),
    ("金满仓", "【{c}】我是城东区人民法院的工作人员，你的案件已立案，请立即联系承办人13912345678。", ["deception", "impersonation"], ["我是城东区人民法院的工作人员", "已立案"]),
    ("速借宝", "【{c}】你已涉嫌诈骗，如不处理将被拘留，还会影响子女上学。", ["deception"], ["涉嫌诈骗", "拘留", "影响子女上学"]),
    ("速借宝", "【{c}】最后通知：逾期{d}天，将上报失信名单，坐高铁、飞机都会受限。", ["deception"], ["失信名单", "坐高铁、飞机都会受限"]),
]
start = dt.datetime(2025, 10, 6, tzinfo=TZ)
end = dt.datetime(2026, 2, 27, tzinfo=TZ)
recs = []  # (datetime, creditor, address, kind, body, labels, triggers, status, duration)
day = start
while day < end:
    for c, nums in CRED.items():
        p = {"速借宝": 0.26, "易分期": 0.2, "金满仓": 0.17}[c]
        if random.random() > p:
            continue
        burst = random.random() < 0.12
        k = random.randint(4, 6) if burst else random.randint(1, 2)
        for _ in range(k):
            hour = random.choice([9, 10, 11, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 6, 7]) if random.random() < 0.35 else random.randint(9, 20)
            t = day.replace(hour=hour, minute=random.randint(0, 59), second=random.randint(0, 59))
            opts = [x for x in T if x[0] in (None, c)]
            tpl = random.choice(opts)
            body = tpl[1].format(c=c, d=(t - start).days + 12, a=random.choice([1280, 3650, 5200, 860]))
            recs.append((t, c, random.choice(nums), "sms", body, list(tpl[2]), tpl[3], "normal", None))
        if random.random() < 0.3:
            t = day.replace(hour=random.choice([8, 12, 21, 22]), minute=random.randint(0, 59), second=random.randint(0, 59))
            st = random.choice(["normal", "missed", "rejected"])
            recs.append((t, c, random.choice(nums), "call", "", [], [], st, 0 if st != "normal" else random.randint(20, 180)))
    day += dt.timedelta(days=1)
recs.sort(key=lambda r: r[0])
# Time labels as the contract defines them (collection messages only).
per_day = {}
for r in recs:
    if r[3] == "sms":
        per_day.setdefault((r[1], r[0].date()), 0)
        per_day[(r[1], r[0].date())] += 1
out_sms, out_calls, expected = [], [], []
for i, (t, c, addr, kind, body, labels, trig, st, dur) in enumerate(recs, 1):
    ms = int(t.timestamp() * 1000)
    if kind == "sms":
        if t.hour >= 22 or t.hour < 8:
            labels = labels + ["night_contact"]
        if per_day[(c, t.date())] > 3:
            labels = labels + ["excessive_frequency"]
        order = ["threat", "insult", "third_party_disclosure", "impersonation", "deception", "night_contact", "excessive_frequency"]
        labels = sorted(set(labels), key=order.index)
        findings = []
        for w in trig:
            s = body.find(w)
            if s >= 0:
                lab = next((l for l in labels if l not in ("night_contact", "excessive_frequency")), "threat")
                findings.append({"label": lab, "rule": "sample." + lab, "start": s, "end": s + len(w), "text": w})
        out_sms.append(f'  <sms protocol="0" address={quoteattr(addr)} date="{ms}" type="1" subject="null" body={quoteattr(body)} toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" date_sent="{ms}" sub_id="1" readable_date="{t.strftime("%Y年%m月%d日 %H:%M:%S")}" contact_name="(Unknown)" />')
    else:
        findings = []
        ctype = {"normal": 1, "missed": 3, "rejected": 5}[st]
        out_calls.append(f'  <call number={quoteattr(addr)} duration="{dur}" date="{ms}" type="{ctype}" presentation="1" subscription_id="1" post_dial_digits="" readable_date="{t.strftime("%Y年%m月%d日 %H:%M:%S")}" contact_name="(Unknown)" />')
    msg = {"kind": kind, "direction": "in", "status": st, "address": addr, "contact_name": None, "body": body,
           "instant": {"utc": dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "raw": ms, "unit": "unix_ms", "text": None},
           "duration_s": dur, "service": None, "attachments": [], "origin": f"<{kind}> #{i}"}
    verdict = {"collection": True, "labels": labels if kind == "sms" else [], "creditor": c, "findings": findings}
    expected.append({"id": i, "message": msg, "verdict": verdict, "corrections": [], "source": 0 if kind == "sms" else 1})
hdr = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
open("sms-backup.xml", "w").write(hdr + f'<!--Synthetic demo data for Quzheng; invented, no real person.-->\n<smses count="{len(out_sms)}" backup_set="quzheng-demo" backup_date="1772246400000" type="full">\n' + "\n".join(out_sms) + "\n</smses>\n")
open("calls-backup.xml", "w").write(hdr + f'<!--Synthetic demo data for Quzheng; invented, no real person.-->\n<calls count="{len(out_calls)}" backup_set="quzheng-demo" backup_date="1772246400000">\n' + "\n".join(out_calls) + "\n</calls>\n")
with open("expected.jsonl", "w") as f:
    for e in expected:
        f.write(json.dumps(e, ensure_ascii=False) + "\n")
print(len(out_sms), "sms", len(out_calls), "calls")

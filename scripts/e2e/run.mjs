// End-to-end test of the real app window, driven over WebDriver (tauri-driver on :4444,
// which starts WebKitWebDriver and the app). Plain fetch calls, no client library: fewer
// moving parts on a 2-core CI box. Generous timeouts for the same reason.
//
//   node scripts/e2e/run.mjs APP_BINARY SAVE_DIR SCREENSHOT_DIR
//
// Flow: create vault → import two files → overview numbers and charts (checked against what
// the CLI lists for the same files, E2E_EXPECT_JSONL) → rename and merge creditors → flagged
// messages → correct one label → layout at 1280×800 and 390×844 → build a pack → save the
// PDF; then a second start: cold start to the unlock screen, a wrong passphrase, and
// keyboard-only unlock and navigation. The shell script checks the PDF with `quzheng verify`.
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const [app, saveDir, shotDir] = process.argv.slice(2);
const WD = process.env.WEBDRIVER_URL ?? 'http://127.0.0.1:4444';
const ELEM = 'element-6066-11e4-a52e-4f735466cecf';
const T = Number(process.env.E2E_TIMEOUT_MS ?? 60000);
const REQ_MS = Number(process.env.E2E_REQ_MS ?? 120000);
const SHOT_MS = Number(process.env.E2E_SHOT_MS ?? 20000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('[e2e]', ...a);

async function wd(method, path, body, timeoutMs = REQ_MS) {
  // tauri-driver sometimes drops a kept-alive connection ("fetch failed"); the request never
  // reached the app then, so sending it again is safe.
  let res;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await fetch(WD + path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A request the driver never answers must fail the run, not hang it (and a hang
        // of 10 minutes ends in the app's auto-lock, which hides the real cause).
        signal: AbortSignal.timeout(timeoutMs),
      });
      break;
    } catch (e) {
      if (attempt >= 4 || e.name === 'TimeoutError') throw e;
      await sleep(500 * attempt);
    }
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json).slice(0, 400)}`);
  return json.value;
}

let sid;
const s = (p) => `/session/${sid}${p}`;
async function find(css, timeout = T) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await wd('POST', s('/element'), { using: 'css selector', value: css });
      return v[ELEM];
    } catch (e) {
      last = e;
      await sleep(250);
    }
  }
  throw new Error(`element ${css} not found: ${last}`);
}
async function text(css) {
  return wd('GET', s(`/element/${await find(css)}/text`));
}
async function click(css) {
  await wd('POST', s(`/element/${await find(css)}/click`), {});
}
async function type(css, value) {
  const e = await find(css);
  await wd('POST', s(`/element/${e}/clear`), {}).catch(() => undefined);
  await wd('POST', s(`/element/${e}/value`), { text: value });
}
async function js(script, ...args) {
  return wd('POST', s('/execute/sync'), { script, args });
}
async function waitFor(what, f, timeout = T) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      if (await f()) return;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}
// WebKitWebDriver answers a screenshot only after the page's next paint (WebKit takes it
// "after the next presentation update"). A page that is completely idle — no caret blinking,
// no animation: right after the import summary, or after the wrong-passphrase sentence
// selects the field's text — never paints again, so the request hung. Cause found: a
// 1-pixel, practically invisible change every 50 ms for 3 s makes the next paint happen.
const NUDGE = `(() => {
  const el = document.createElement('div');
  el.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:99';
  document.body.appendChild(el);
  let n = 0;
  const iv = setInterval(() => {
    el.style.background = n++ % 2 ? 'rgba(0,0,0,0.01)' : 'rgba(0,0,0,0.02)';
    if (n > 60) { clearInterval(iv); el.remove(); }
  }, 50);
})()`;
async function shot(name) {
  let png;
  try {
    if (!process.env.E2E_NO_NUDGE) await js(NUDGE);
    png = Buffer.from(await wd('GET', s('/screenshot'), undefined, SHOT_MS), 'base64');
  } catch (e) {
    // Fallback: grab the window from the X server (Xvfb has no window manager, so the
    // window rect WebDriver reports is where it sits on the root window).
    try {
      const r = await wd('GET', s('/window/rect'));
      png = execFileSync('sh', ['-c', `xwd -root -silent | convert xwd:- -crop ${r.width}x${r.height}+${Math.max(0, r.x)}+${Math.max(0, r.y)} +repage png:-`], { maxBuffer: 64 << 20 });
      log('screenshot', name, 'from the X server (WebDriver:', e.message, ')');
    } catch (x) {
      if (process.env.E2E_STRICT_SHOTS) throw e;
      log('screenshot', name, 'NOT TAKEN:', e.message, '/', x.message);
      return;
    }
  }
  writeFileSync(join(shotDir, `app-${name}.png`), png);
  log('screenshot', name);
}
async function size(width, height) {
  await wd('POST', s('/window/rect'), { width, height }).catch((e) => log('resize not supported:', e.message));
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  log('ok:', what);
}

/** What the CLI lists for the same files: the numbers the overview must show. */
function expected() {
  const lines = readFileSync(process.env.E2E_EXPECT_JSONL, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const coll = lines.filter((m) => m.collection);
  const days = new Map();
  for (const m of coll) {
    const d = days.get(m.ts.slice(0, 10)) ?? { n: 0, night: 0 };
    d.n++;
    if (m.labels.includes('night_contact')) d.night++;
    days.set(m.ts.slice(0, 10), d);
  }
  const sorted = [...days.keys()].sort();
  let worst = null;
  for (const day of sorted) if (!worst || days.get(day).n > worst.n) worst = { day, n: days.get(day).n };
  const span = sorted.length ? Math.round((Date.parse(sorted.at(-1)) - Date.parse(sorted[0])) / 864e5) + 1 : 0;
  const creditors = new Map();
  for (const m of coll) if (m.creditor) creditors.set(m.creditor, (creditors.get(m.creditor) ?? 0) + 1);
  const hours = new Set(coll.map((m) => Number(m.ts.slice(11, 13))));
  return {
    total: lines.length, collection: coll.length, night: coll.filter((m) => m.labels.includes('night_contact')).length,
    worst, span, nightDays: [...days.values()].filter((d) => d.night > 0).length, creditors, hours: hours.size,
  };
}
const hasNumber = (text, n) => new RegExp(`(^|\\D)${n}(\\D|$)`).test(text);

/** No horizontal scrolling and nothing sticking out of the window. */
async function layoutOk(where) {
  const r = await js(`const w = document.documentElement.clientWidth;
    const out = [...document.querySelectorAll('body *')].filter((e) => {
      const b = e.getBoundingClientRect();
      if (!b.width || !b.height) return false;
      for (let p = e.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'hidden' || o === 'auto' || o === 'scroll') { if (p !== document.documentElement && p !== document.body) return false; }
      }
      return b.right > w + 1 || b.left < -1;
    }).slice(0, 5).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
    return { sw: document.documentElement.scrollWidth, w, out };`);
  check(r.sw <= r.w && r.out.length === 0, `${where}: no horizontal scroll (${r.sw} ≤ ${r.w}) and nothing cut off ${JSON.stringify(r.out)}`);
}

// Keyboard through WebDriver actions: real key events, as a user's keyboard sends them.
const KEY = { Tab: '\uE004', Enter: '\uE007', ArrowRight: '\uE014', ArrowDown: '\uE015' };
async function keys(...seq) {
  const actions = [];
  for (const k of seq) for (const ch of KEY[k] ? [KEY[k]] : [...k]) actions.push({ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch });
  await wd('POST', s('/actions'), { actions: [{ type: 'key', id: 'keyboard', actions }] });
}
const active = () => js('const a = document.activeElement; return { id: a.id, cls: a.className, tag: a.tagName, outline: getComputedStyle(a).outlineStyle, ow: parseFloat(getComputedStyle(a).outlineWidth) };');
async function focusVisible(what) {
  const a = await active();
  check(a.outline !== 'none' && a.ow >= 2, `${what}: focus ring visible on ${a.tag}#${a.id} (${a.outline} ${a.ow}px)`);
  return a;
}

async function main() {
  const t0 = Date.now();
  const exp = expected();
  log('expected from the CLI:', JSON.stringify({ ...exp, creditors: [...exp.creditors] }));
  const session = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: app } } },
  });
  sid = session.sessionId;
  log('session', sid, 'after', Date.now() - t0, 'ms');
  await size(1280, 800);

  // First run: create the vault.
  await find('#first-run');
  log('first-run screen interactive after', Date.now() - t0, 'ms');
  await shot('first-run');
  await type('#new-pass', 'e2e correct horse battery staple');
  await type('#new-pass2', 'e2e correct horse battery staple');
  await click('#create-vault');

  // Import the files (the shell reads QUZHENG_E2E_OPEN_FILES instead of a native dialog).
  await find('#screen-import');
  await click('#choose-files');
  await find('#import-summary', 180000);
  log('import summary:', (await text('#import-summary')).replace(/\s+/g, ' ').slice(0, 200));
  await shot('import');

  // Overview: the numbers and both charts, against the CLI's listing of the same files.
  await click('#nav-overview');
  await find('#totals');
  const totals = await text('#totals');
  check(hasNumber(totals, exp.total) && hasNumber(totals, exp.collection), `totals "${totals}" say ${exp.total} / ${exp.collection}`);
  const night = await text('#night-count');
  check(hasNumber(night, exp.night), `"${night}": ${exp.night} at night`);
  const worst = await text('#worst-day');
  check(worst.includes(exp.worst.day) && hasNumber(worst.replace(exp.worst.day, ''), exp.worst.n), `"${worst}": worst day ${exp.worst.day}, ${exp.worst.n}`);
  const charts = await js(`return [...document.querySelectorAll('svg.chart')].map((c) => ({
    w: c.getBoundingClientRect().width, bars: c.querySelectorAll('rect.bar').length,
    tall: [...c.querySelectorAll('rect.bar')].filter((r) => +r.getAttribute('height') > 0).length,
    night: c.querySelectorAll('rect.night').length, nightBars: c.querySelectorAll('rect.bar-night').length }))`);
  log('charts:', JSON.stringify(charts));
  check(charts.length === 2 && charts.every((c) => c.w > 100), 'two charts drawn');
  check(charts[0].bars === exp.span && charts[0].nightBars === exp.nightDays, `per-day chart: ${exp.span} days, ${exp.nightDays} with a night part`);
  check(charts[1].bars === 24 && charts[1].tall === exp.hours && charts[1].night === 10, `hour chart: 24 bars, ${exp.hours} non-empty, 10 night hours shaded (22:00-08:00)`);
  await layoutOk('overview 1280×800');
  await shot('overview');

  // Creditors: rename one, merge the other into it; the overview and the list follow.
  const names = [...exp.creditors.keys()];
  check(names.length >= 2, `two creditors to rename and merge (${names})`);
  const [first, second] = names;
  const renamed = `${first}（已改名）`;
  await click('#nav-creditors');
  await find(`tr[data-creditor="${first}"] .creditor-new`);
  await type(`tr[data-creditor="${first}"] .creditor-new`, renamed);
  await click(`tr[data-creditor="${first}"] .creditor-apply`);
  await find(`tr[data-creditor="${renamed}"]`);
  await type(`tr[data-creditor="${second}"] .creditor-new`, renamed);
  await click(`tr[data-creditor="${second}"] .creditor-apply`);
  await waitFor('merged row', async () => (await js(`return document.querySelectorAll('tr[data-creditor]').length`)) === names.length - 1);
  const merged = exp.creditors.get(first) + exp.creditors.get(second);
  const row = await text(`tr[data-creditor="${renamed}"]`);
  check(row.includes(first) && row.includes(second) && hasNumber(row.replace(renamed, ''), merged), `creditors: "${row.replace(/\s+/g, ' ')}"`);
  await layoutOk('creditors 1280×800');
  await shot('creditors');
  await click('#nav-overview');
  await find('#by-creditor');
  const byCreditor = await text('#by-creditor');
  check(byCreditor.includes(renamed) && !byCreditor.includes(second) && hasNumber(byCreditor, merged), `overview per creditor: "${byCreditor.replace(/\s+/g, ' ')}"`);

  // Messages: flagged ones are listed with their matched words marked; correct one.
  await click('#nav-messages');
  await find('#filter-label');
  await js("const s=document.querySelector('#filter-label'); s.value='threat'; s.dispatchEvent(new Event('change'));");
  await waitFor('flagged rows', async () => (await js("return document.querySelectorAll('.row[data-id]').length")) > 0);
  const flagged = await text('#filter-status');
  log('flagged:', flagged);
  const marks = await js("return [...document.querySelectorAll('.row[data-id] .body mark')].map((m) => m.textContent)");
  check(marks.length > 0, `matched words marked in the list rows: ${JSON.stringify(marks)}`);
  check((await js("return [...document.querySelectorAll('.row[data-id] .meta b')].map((b) => b.textContent)")).includes(renamed), 'the list shows the renamed creditor');
  await layoutOk('messages 1280×800');
  await shot('messages');
  await click('.row[data-id]');
  await find('#save-correction');
  await js("const b=document.querySelector('input[data-label=\"insult\"]'); b.checked=!b.checked;");
  await type('#correct-note', 'e2e: checked by hand');
  await click('#save-correction');
  await waitFor('correction listed', async () => (await text('#detail')).includes('e2e: checked by hand'));
  await shot('correction');

  // Phone size: every main screen fits (no horizontal scroll, nothing cut off).
  await size(390, 844);
  await layoutOk('messages 390×844');
  await shot('messages-phone');
  for (const screen of ['overview', 'creditors', 'pack', 'settings', 'import']) {
    await click(`#nav-${screen}`);
    await find(`#screen-${screen}`);
    if (screen === 'overview') await find('#totals');
    await layoutOk(`${screen} 390×844`);
    if (screen === 'overview') await shot('overview-phone');
  }
  await size(1280, 800);

  // Evidence pack: build, save the PDF, verify in the app.
  await click('#nav-pack');
  await type('#pack-complainant', '张三');
  await click('#build-pack');
  await find('#save-pdf', 180000);
  await click('#save-pdf');
  await find('.saved-line', 60000);
  await click('#verify-saved');
  await waitFor('in-app verification', async () => (await text('#verify-result')).length > 0);
  log('in-app verify:', await text('#verify-result'));
  await layoutOk('pack 1280×800');
  await shot('pack');

  await waitFor('saved PDF on disk', async () => existsSync(join(saveDir, 'quzheng-evidence.pdf')));
  await wd('DELETE', `/session/${sid}`);
  sid = undefined;

  // Second start of the app on the existing vault: cold start to an interactive unlock
  // screen (includes WebDriver's own start-up, so it over-states the app's time; the
  // release figure comes from scripts/coldstart.sh), then keyboard only: a wrong
  // passphrase (one clear sentence), the right one, and the main screens.
  const t1 = Date.now();
  sid = (await wd('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: app } } } })).sessionId;
  await find('#unlock-form');
  await waitFor('ready mark', async () => (await js('return document.body.dataset.ready')) === 'unlock');
  log(`cold start to unlock screen: ${Date.now() - t1} ms (debug build, via WebDriver)`);
  check((await active()).id === 'unlock-pass', 'the passphrase field has the focus');
  await keys('not the passphrase', 'Enter');
  await waitFor('wrong-passphrase sentence', async () => (await text('#unlock-error')).length > 0);
  log('wrong passphrase says:', await text('#unlock-error'));
  await shot('unlock');
  await size(390, 844);
  await layoutOk('unlock 390×844');
  await size(1280, 800);
  await js("document.querySelector('#unlock-pass').focus()"); // the resize may move focus
  await keys('e2e correct horse battery staple', 'Enter');
  await find('#screen-import');
  await keys('Tab');
  check((await focusVisible('Tab after unlock')).id === 'nav-import', 'Tab reaches the navigation bar');
  await keys('ArrowRight', 'Enter');
  await find('#totals');
  check((await active()).id === 'nav-overview', 'Right + Enter opened the overview, focus stays in the bar');
  await keys('ArrowRight', 'Enter');
  await find('#screen-messages');
  await waitFor('rows', async () => (await js("return document.querySelectorAll('.row[data-id]').length")) > 1);
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await keys('Tab');
    reached = (await active()).cls.includes('row');
  }
  check(reached, 'Tab reaches the message list rows');
  const firstRow = await js('return document.activeElement.dataset.id');
  await keys('ArrowDown');
  const a2 = await focusVisible('ArrowDown in the list');
  const secondRow = await js('return document.activeElement.dataset.id');
  check(a2.cls.includes('row') && secondRow !== firstRow, `ArrowDown moved from row ${firstRow} to row ${secondRow}`);
  await keys('Enter');
  await waitFor('detail by keyboard', async () => (await js("return !document.querySelector('#detail').hidden")) === true);
  log('keyboard-only: unlock, navigation bar, list rows and detail reached');
  await wd('DELETE', `/session/${sid}`);
  log('done in', Date.now() - t0, 'ms');
}

main().catch(async (e) => {
  console.error('[e2e] FAILED:', e.message);
  if (sid) {
    await shot('failure').catch(() => undefined);
    console.error('[e2e] lock diagnostics:', await js('return document.body.dataset.lockedAt').catch(() => '?'));
    await wd('DELETE', `/session/${sid}`).catch(() => undefined);
  }
  process.exit(1);
});

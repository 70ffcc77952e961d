// Opens each report in headless Chromium and fails on anything a reader would notice: a console
// error, a page error, a request for anything but the file itself, or a chart without its data.
// A compliance report named in the --expect file must also show the BOM hash, the counts, the
// prepared-by and reviewed-by fields and a citations appendix every line's numbers resolve in,
// and print to at most max_pages A4 pages (the count is printed).
// Usage: node check_reports.mjs --shots DIR [--expect FILE.json] FILE.html [FILE.html …]
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const shotsAt = args.indexOf('--shots');
const shots = shotsAt >= 0 ? args.splice(shotsAt, 2)[1] : null;
const expectAt = args.indexOf('--expect');
const expected = expectAt >= 0 ? JSON.parse(readFileSync(args.splice(expectAt, 2)[1], 'utf8')) : {};
const executablePath = process.env.CAMSCOPE_CHROMIUM || '/usr/bin/chromium';

// What each report must show: selector → minimum count.
const expectations = {
  proposal: { 'svg.chart.line .series polyline': 2, 'svg.chart.line .series circle': 4, 'svg.chart.bars rect.bar': 1, 'svg.chart.stacked rect.segment': 2, 'table.cost-kinds tbody tr': 2, '.option': 2, '.callout li, .callout b': 1,
    'table.schedule tbody tr': 1, 'table.priced-bom tbody tr': 2, 'table.priced-bom tr.bom-total': 1,
    '#assumptions tbody tr': 1 },
  compliance: { 'svg.chart.bars rect.bar': 6, 'tbody tr': 1, '.card': 6 },
  rig: { 'svg.chart.line .series polyline': 1, 'tbody tr': 1 },
};

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let passed = 0;
let failed = 0;
for (const file of args) {
  const problems = [];
  const url = 'file://' + path.resolve(file);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== url) problems.push(`network request: ${r.url()}`); });
  await page.goto(url, { waitUntil: 'load' });
  const kind = Object.keys(expectations).find((k) => path.basename(file).includes(k));
  if (!kind) problems.push('unknown report kind (file name must contain proposal, compliance or rig)');
  for (const [selector, min] of Object.entries(expectations[kind] || {})) {
    const n = await page.locator(selector).count();
    if (n < min) problems.push(`${selector}: ${n} element(s), expected at least ${min}`);
  }
  // Every chart has a visible, non-empty box and no NaN coordinates.
  const charts = await page.evaluate(() => [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    return { w: box.width, h: box.height, nan: svg.outerHTML.includes('NaN') || svg.outerHTML.includes('inf') };
  }));
  if (charts.length === 0) problems.push('no chart rendered');
  charts.forEach((c, i) => {
    if (c.w < 100 || c.h < 50) problems.push(`chart ${i} renders at ${c.w}x${c.h}`);
    if (c.nan) problems.push(`chart ${i} has NaN or infinite coordinates`);
  });
  // Every line of a line chart is stroked (a polyline without a stroke colour shows only its
  // dots), every series has a legend entry, and the x axis stays readable.
  const lines = await page.evaluate(() => [...document.querySelectorAll('svg.chart.line')].map((svg) => ({
    strokes: [...svg.querySelectorAll('.series polyline')].map((p) => {
      const st = getComputedStyle(p);
      return { stroke: st.stroke, width: parseFloat(st.strokeWidth), length: p.getTotalLength(), cls: p.getAttribute('class') };
    }),
    legend: svg.nextElementSibling ? svg.nextElementSibling.querySelectorAll('span').length : 0,
    series: svg.querySelectorAll('.series').length,
    xLabels: [...svg.querySelectorAll(':scope > text[text-anchor="middle"]')].length,
    bands: svg.querySelectorAll('rect.band').length,
  })));
  lines.forEach((c, i) => {
    c.strokes.forEach((s) => {
      if (s.stroke === 'none' || s.stroke === '' || !(s.width > 0) || !(s.length > 0)) {
        problems.push(`line chart ${i}: series ${s.cls} is not drawn (stroke ${s.stroke}, width ${s.width}, length ${s.length})`);
      }
    });
    if (c.legend < c.series) problems.push(`line chart ${i}: ${c.series} series but ${c.legend} legend entries`);
    if (c.xLabels > 13) problems.push(`line chart ${i}: ${c.xLabels} x-axis labels (at most about a dozen)`);
  });
  // Stacked charts: every segment is filled in its kind's colour, every kind drawn has a legend
  // key, and no label runs out of the chart's box (long kind names are where it would).
  const stacks = await page.evaluate(() => [...document.querySelectorAll('svg.chart.stacked')].map((svg) => {
    const width = svg.viewBox.baseVal.width;
    const segments = [...svg.querySelectorAll('rect.segment')];
    return {
      unfilled: segments.filter((r) => { const f = getComputedStyle(r).fill; return !f || f === 'none' || f === 'rgb(0, 0, 0)'; }).length,
      kinds: new Set(segments.map((r) => r.getAttribute('data-kind'))).size,
      keys: svg.querySelectorAll('g.key').length,
      overflowing: [...svg.querySelectorAll('text')].filter((t) => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > width + 0.5; }).map((t) => t.textContent),
    };
  }));
  stacks.forEach((c, i) => {
    if (c.unfilled) problems.push(`stacked chart ${i}: ${c.unfilled} segment(s) without their colour`);
    if (c.keys !== c.kinds) problems.push(`stacked chart ${i}: ${c.kinds} kinds drawn but ${c.keys} legend keys`);
    if (c.overflowing.length) problems.push(`stacked chart ${i}: text outside the chart: ${c.overflowing.join(', ')}`);
  });
  if (kind === 'proposal') {
    // The design and its price: every priced line's extended price adds up to the subtotals
    // and the total, to the cent; and no reason code or verdict code shows outside the appendix.
    const bom = await page.evaluate(() => {
      const cents = (t) => Math.round(parseFloat(t.replace(/[^0-9.-]/g, '')) * 100);
      const ext = [...document.querySelectorAll('table.priced-bom td.extended')].map((td) => td.textContent.trim()).filter((t) => t);
      const subs = [...document.querySelectorAll('table.priced-bom tr.subtotal td')].map((td) => cents(td.textContent));
      const total = document.querySelector('table.priced-bom tr.bom-total td');
      const codes = [...document.querySelectorAll('#codes code')].map((c) => c.textContent.trim());
      const body = document.body.cloneNode(true);
      body.querySelector('#codes')?.remove();
      const text = body.innerText || body.textContent;
      const asCode = [...body.querySelectorAll('code')].map((c) => c.textContent.trim()).filter((t) => codes.includes(t));
      const inText = codes.filter((c) => c.includes('-') && text.includes(c));
      return {
        lines: ext.length, sum: ext.map(cents).reduce((a, b) => a + b, 0), subs: subs.reduce((a, b) => a + b, 0),
        total: total ? cents(total.textContent) : NaN, leaked: [...new Set([...asCode, ...inText])],
        snake: /\b(not_covered|needs_review)\b/.test(text), schedule: document.querySelectorAll('table.schedule tbody tr td:nth-child(2)').length,
      };
    });
    // Both options and the cloud are drawn, except an option that cannot be built.
    const drawn = await page.locator('svg.chart.line .series polyline').count();
    const infeasible = await page.locator('.option p.bad', { hasText: 'Not feasible' }).count();
    if (drawn !== 3 - infeasible) problems.push(`proposal: ${drawn} cost line(s) for ${2 - infeasible} buildable option(s) and the cloud`);
    if (bom.lines < 2) problems.push(`proposal: ${bom.lines} priced line(s)`);
    if (bom.sum !== bom.total) problems.push(`proposal: priced lines add up to ${bom.sum / 100}, the total says ${bom.total / 100}`);
    if (bom.subs !== bom.total) problems.push(`proposal: subtotals add up to ${bom.subs / 100}, the total says ${bom.total / 100}`);
    const reasons = await page.locator('.callout li').count();
    const appendix = await page.locator('#codes code').count();
    if (appendix !== reasons) problems.push(`proposal: ${reasons} reason(s) but ${appendix} code(s) in the appendix`);
    if (bom.leaked.length) problems.push(`proposal: reason code(s) in the body: ${bom.leaked.join(', ')}`);
    if (bom.snake) problems.push('proposal: a verdict code (not_covered, needs_review) in the customer text');
    if (bom.schedule < 1) problems.push('proposal: the design schedule names no recorder');
  }
  if (kind === 'rig') {
    if (!lines.some((c) => c.bands > 0)) problems.push('rig: the outage in the results is not shaded');
    const context = await page.locator('table.context tr').count();
    if (context < 6) problems.push(`rig: run context has ${context} rows`);
    const text = await page.locator('body').innerText();
    if (/(^|[^\w])-0(\.0+)?([^\d.]|$)/m.test(text)) problems.push('rig: a negative zero is printed');
  }
  const want = expected[path.basename(file)];
  if (want) {
    const hash = await page.locator('code.bom-hash').innerText().catch(() => '');
    if (hash.trim() !== want.hash) problems.push(`BOM hash: "${hash}", expected ${want.hash}`);
    const rows = await page.locator('table.lines tbody tr').count();
    if (rows !== want.lines) problems.push(`${rows} line rows, expected ${want.lines}`);
    const card = async (label) => {
      const texts = await page.locator('.card').allInnerTexts();
      const hit = texts.find((t) => t.replace(/\s+/g, ' ').trim().endsWith(label));
      return hit ? parseInt(hit, 10) : NaN;
    };
    for (const [label, value] of [['lines checked', want.lines], ['at deny level', want.denied],
      ['Section 889 covered', want.covered], ['rows not checked', want.skipped]]) {
      const n = await card(label);
      if (n !== value) problems.push(`card "${label}": ${n}, expected ${value}`);
    }
    const signatures = await page.locator('table.signatures').innerText();
    for (const who of [want.prepared_by, want.reviewed_by]) {
      if (!signatures.includes(who)) problems.push(`signature block lacks "${who}"`);
    }
    const entries = await page.locator('ol.citations li[id^="cite-"]').count();
    if (entries < 5) problems.push(`appendix has ${entries} entries`);
    const unresolved = await page.evaluate(() => {
      const numbers = [];
      for (const cell of document.querySelectorAll('table.lines td.cites')) {
        for (const m of cell.textContent.matchAll(/(\d+)(?:–(\d+))?/g)) {
          for (let n = Number(m[1]); n <= Number(m[2] || m[1]); n++) numbers.push(n);
        }
      }
      // An appendix reference follows a space ("… Ltd. [76]"); "components[0]" is not one.
      for (const m of document.querySelector('table.lines tbody').textContent.matchAll(/ \[(\d+(?:, \d+)*)\]/g)) {
        numbers.push(...m[1].split(', ').map(Number));
      }
      return numbers.filter((n) => !document.getElementById(`cite-${n}`));
    });
    if (unresolved.length) problems.push(`line references without an appendix entry: ${unresolved.slice(0, 5)}`);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    const letter = await page.pdf({ format: 'Letter', preferCSSPageSize: true });
    const letterPages = (letter.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    console.log(`${path.basename(file)}: A4 ${pages} page(s), Letter ${letterPages} page(s)`);
    if (!(pages >= 1 && pages <= want.max_pages)) problems.push(`prints to ${pages} A4 pages, expected at most ${want.max_pages}`);
  }
  if (shots) {
    await page.screenshot({ path: path.join(shots, `${path.basename(file, '.html')}.png`), fullPage: true });
  }
  await page.close();
  if (problems.length) {
    failed += 1;
    console.log(`FAIL ${file}\n  ${problems.join('\n  ')}`);
  } else {
    passed += 1;
    console.log(`ok   ${file} (${charts.length} chart(s))`);
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

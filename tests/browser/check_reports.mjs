// Opens each report in headless Chromium and fails on anything a reader would notice: a console
// error, a page error, a request for anything but the file itself, or a chart without its data.
// Usage: node check_reports.mjs --shots DIR FILE.html [FILE.html …]
// Prints "N passed, N failed" and exits non-zero on any failure.
import { chromium } from 'playwright-core';
import path from 'node:path';

const args = process.argv.slice(2);
const shotsAt = args.indexOf('--shots');
const shots = shotsAt >= 0 ? args.splice(shotsAt, 2)[1] : null;
const executablePath = process.env.CAMSCOPE_CHROMIUM || '/usr/bin/chromium';

// What each report must show: selector → minimum count.
const expectations = {
  proposal: { 'svg.chart.line .series polyline': 3, 'svg.chart.line .series circle': 6, 'svg.chart.bars rect.bar': 1, '.option': 2, '.callout li, .callout b': 1 },
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

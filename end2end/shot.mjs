// One-off: a README screenshot (run from end2end/ against a running server).
// PAGE picks the page; CLICK names a button to press there first, WAIT how
// long to let the server act on it before reloading.
import { chromium } from '@playwright/test';
const base = process.env.BASE ?? 'http://127.0.0.1:3124';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`${base}/sign-in`);
await page.waitForSelector('section.sign-in[data-ready="true"]');
await page.getByLabel('Email').fill('admin@logbook.demo');
await page.getByLabel('Password').fill('logbook-demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL(`${base}/`);
await page.goto(`${base}${process.env.PAGE ?? '/?tenant=keyforge&action=license.*,balance.*&range=7d'}`);
await page.waitForTimeout(1500);
if (process.env.CLICK) {
  await page.getByRole('button', { name: process.env.CLICK }).first().click();
  await page.waitForTimeout(Number(process.env.WAIT ?? 1000));
  await page.reload();
  await page.waitForTimeout(1500);
}
await page.screenshot({ path: process.argv[2] ?? 'screenshot.png' });
await browser.close();

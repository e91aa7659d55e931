import { test, expect } from '@playwright/test';
import { DEMO_PASSWORD, rows, signIn } from './helpers';

test('a partner sees only their tenant and cannot open another tenant\'s event by URL', async ({ browser }) => {
  // An event of another tenant, found as the admin.
  const admin = await browser.newPage();
  await signIn(admin, 'admin@logbook.demo', '/?tenant=stampy');
  await expect(admin.locator(rows).first()).toBeVisible();
  const foreignId = await admin.locator(rows).first().getAttribute('data-id');
  await admin.close();

  const page = await browser.newPage();
  await signIn(page, 'partner@keyforge.demo');
  await expect(page.locator('.tenant-badge')).toHaveText('KeyForge Licences');
  await expect(page.locator(rows)).toHaveCount(50);
  // No tenant column and no tenant switcher.
  await expect(page.locator('.log-table th', { hasText: 'Tenant' })).toHaveCount(0);
  await expect(page.locator('select[name="tenant"]')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Team' })).toHaveCount(0);

  await page.goto(`/events/${foreignId}`);
  await expect(page.getByRole('alert')).toHaveText('No such event, or it is not yours to see.');
  // Asking for the other tenant in the URL shows nothing of it.
  await page.goto('/?tenant=stampy');
  await expect(page.getByText(/No events match this filter/)).toBeVisible();
  await page.close();
});

test('an admin switches between tenants', async ({ page }) => {
  await signIn(page, 'admin@logbook.demo');
  await expect(page.locator(`${rows} td.tenant`).first()).toBeVisible();
  await page.locator('select[name="tenant"]').selectOption('luckyspin');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/tenant=luckyspin/);
  await expect(page.locator(rows)).toHaveCount(50);
  const tenants = await page.locator(`${rows} td.tenant`).allTextContents();
  expect(new Set(tenants)).toEqual(new Set(['luckyspin']));
});

test('repeated wrong passwords are throttled with a clear message and appear in Logbook\'s own log', async ({ page, browser }) => {
  await page.goto('/sign-in');
  await expect(page.locator('section.sign-in[data-ready="true"]')).toBeVisible();
  await page.getByLabel('Email').fill('customer@keyforge.demo');
  for (let i = 1; i <= 4; i++) {
    await page.getByLabel('Password').fill(`wrong-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Email or password is wrong.');
  }
  await page.getByLabel('Password').fill('wrong-5');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Too many failed sign-ins for this account. Try again in 15 minutes.');
  // The right password is refused too while the block lasts.
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Too many failed sign-ins');

  const admin = await browser.newPage();
  await signIn(admin, 'admin@logbook.demo', '/?tenant=logbook&action=auth.sign_in.failed');
  await expect(admin.locator(rows)).toHaveCount(6);
  await expect(admin.locator(rows).first()).toContainText('customer@keyforge.demo');
  await expect(admin.locator(rows).first()).toContainText('127.0.0.1');
  await admin.close();
});

test('staff are told they have no access, and signing out ends the session', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.locator('section.sign-in[data-ready="true"]')).toBeVisible();
  await page.getByLabel('Email').fill('staff@keyforge.demo');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/no-access$/);
  await expect(page.getByRole('heading', { name: 'No access' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
});

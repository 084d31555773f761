// First run: the one-time setup link that `liyan serve` prints on an empty data directory.
//
//   LIYAN_E2E_SETUP_URL=https://127.0.0.1:9444/setup?token=... npm run e2e
//
// Missing variables fail the test: it never skips silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { env, tid, withBrowser } from './support.mjs'

test('first run: the setup link creates the admin, then login is the way in', { timeout: 120_000 }, async (t) => {
  assert.ok(env.LIYAN_E2E_SETUP_URL, 'missing environment variable: LIYAN_E2E_SETUP_URL')
  const link = new URL(env.LIYAN_E2E_SETUP_URL)
  await withBrowser(t, async (page, s) => {
    s.step = 'an app with no users sends every page to setup'
    await page.goto(`${link.origin}/customers`)
    await page.waitForURL(/\/setup/)

    s.step = 'create the first admin through the link'
    await page.goto(link.href)
    await page.locator(tid('setup-username')).fill('boss')
    await page.locator(tid('setup-display-name')).fill('院长')
    await page.locator(tid('setup-password')).fill('Clinic-Head-2026')
    await page.locator(tid('setup-confirm')).fill('Clinic-Head-2026')
    await page.locator(tid('setup-submit')).click()

    s.step = 'the app moves on to login'
    await page.waitForURL(/\/login/)
    await page.locator(tid('login-username')).fill('boss')
    await page.locator(tid('login-password')).fill('Clinic-Head-2026')
    await page.locator(tid('login-submit')).click()
    await page.locator(tid('quick-search')).waitFor()

    s.step = 'the link cannot be used twice'
    const again = await page.request.post(`${link.origin}/api/v1/setup`, {
      data: { token: link.searchParams.get('token'), username: 'boss2', display_name: 'x', password: 'Clinic-Head-2026' },
    })
    assert.ok(again.status() >= 400 && again.status() < 500, `second setup answered ${again.status()}`)
  })
})

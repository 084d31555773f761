// Front-desk journey against a running Liyan server, in the system's headless Chromium.
//
//   LIYAN_E2E_URL=https://127.0.0.1:9443 LIYAN_E2E_USER=... LIYAN_E2E_PASSWORD=... \
//   LIYAN_E2E_CUSTOMER_NAME=张三 LIYAN_E2E_CUSTOMER_INITIALS=zs LIYAN_E2E_CUSTOMER_TAIL4=5678 \
//   [LIYAN_E2E_NEW_PASSWORD=...] [LIYAN_E2E_CHROMIUM=/usr/bin/chromium] npm run e2e
//
// Missing variables fail the test: it never skips silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { env, login, need, tid, withBrowser } from './support.mjs'

/** The name as the server may send it to this role: plain, or masked to its first character (张*). */
function nameMatcher(name) {
  const first = name.slice(0, 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const full = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`${full}|${first}\\*`)
}

function freshMobile() {
  // 199 + 8 digits from the clock: valid (^1[3-9]\d{9}$) and new on every run.
  return `199${String(Date.now()).slice(-8)}`
}

test('front desk: log in, quick search, masked mobile, create, duplicate mobile', { timeout: 180_000 }, async (t) => {
  const base = need('LIYAN_E2E_USER', 'LIYAN_E2E_PASSWORD', 'LIYAN_E2E_CUSTOMER_NAME', 'LIYAN_E2E_CUSTOMER_INITIALS', 'LIYAN_E2E_CUSTOMER_TAIL4')
  const name = env.LIYAN_E2E_CUSTOMER_NAME
  const initials = env.LIYAN_E2E_CUSTOMER_INITIALS
  const tail4 = env.LIYAN_E2E_CUSTOMER_TAIL4
  const nameRe = nameMatcher(name)

  await withBrowser(t, async (page, s) => {
    // Either the app, or the forced password change first (the account is new in every run).
    s.step = 'login and forced password change'
    await login(page, base, env.LIYAN_E2E_USER, env.LIYAN_E2E_PASSWORD)

    s.step = 'quick search by pinyin initials'
    const qs = page.locator(tid('quick-search'))
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur())
    await page.keyboard.press('/')
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'quick-search')
    await page.keyboard.type(initials)
    const results = page.locator(tid('quick-search-results'))
    await page.locator(`${tid('quick-search-results')}[data-query="${initials.toLowerCase()}"]`).waitFor()
    await results.locator(tid('quick-search-result')).filter({ hasText: nameRe }).first().waitFor()

    s.step = 'a part of a masked mobile that would tell its hidden digits is refused with a hint'
    await qs.fill('13912')
    await page.locator(tid('quick-search-failed')).filter({ hasText: '前 7 位' }).waitFor()

    s.step = 'quick search by mobile tail'
    await qs.fill(tail4)
    await page.locator(`${tid('quick-search-results')}[data-query="${tail4}"]`).waitFor()
    const rows = results.locator(tid('quick-search-result'))
    await rows.filter({ hasText: nameRe }).first().waitFor()
    // Walk to the customer with the arrow keys and open it with Enter.
    const texts = await rows.allInnerTexts()
    let index = texts.findIndex((x) => nameRe.test(x) && x.includes(tail4))
    if (index < 0) index = texts.findIndex((x) => nameRe.test(x))
    assert.ok(index >= 0, `customer with tail ${tail4} not among: ${texts.join(' | ')}`)
    for (let i = 0; i < index; i++) await qs.press('ArrowDown')
    await qs.press('Enter')

    s.step = 'customer detail shows masked mobile'
    await page.waitForURL(/\/customers\/\d+$/)
    const mobile = page.locator(tid('field-mobile'))
    await mobile.waitFor()
    const mobileText = await mobile.innerText()
    assert.match(mobileText, /\*\*\*\*/, `mobile should be masked, got ${mobileText}`)
    assert.ok(mobileText.replace(/\s/g, '').endsWith(tail4), `masked mobile ${mobileText} should end with ${tail4}`)

    s.step = 'create a customer'
    const newMobile = freshMobile()
    const newName = `测试${newMobile.slice(-4)}`
    await openNewCustomerForm(page)
    await fillCustomer(page, newName, newMobile)
    await page.locator(tid('customer-save')).click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator(tid('field-mobile')).waitFor()
    const created = page.url()

    s.step = 'Enter while a search is still loading opens the customer typed, not the previous result'
    // Slow searches down, so Enter comes while the previous text's results are still shown.
    const slow = async (route) => {
      await new Promise((r) => setTimeout(r, 700))
      // The app aborts a search the next keystroke replaced: that route is gone by now.
      await route.continue().catch(() => {})
    }
    await page.route('**/api/v1/customers?*', slow)
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur())
    await page.keyboard.press('/')
    await page.keyboard.type(tail4)
    await page.locator(`${tid('quick-search-results')}[data-query="${tail4}"]`).waitFor()
    await qs.fill(newMobile)
    // Past the typing pause, so the search for the new text is on its way but not back.
    await page.waitForTimeout(400)
    await qs.press('Enter')
    await page.waitForURL(created)
    await page.unroute('**/api/v1/customers?*', slow)

    s.step = 'duplicate mobile is refused'
    await openNewCustomerForm(page)
    await fillCustomer(page, `${newName}重复`, newMobile)
    await page.locator(tid('customer-save')).click()
    const formError = page.locator(tid('form-error'))
    await formError.waitFor({ state: 'visible' })
    const errText = await formError.innerText()
    assert.match(errText, /已存在|already/i, `duplicate error should be shown, got: ${errText}`)
    assert.match(page.url(), /\/customers\/new$/)
  })
})

async function openNewCustomerForm(page) {
  await page.locator(tid('menu-customers')).click()
  await page.waitForURL(/\/customers$/)
  await page.locator(tid('customer-new')).click()
  await page.waitForURL(/\/customers\/new$/)
  await page.locator(tid('input-name')).waitFor()
}

async function fillCustomer(page, name, mobile) {
  await page.locator(tid('input-name')).fill(name)
  await page.locator(tid('input-mobile')).fill(mobile)
  // Record the privacy consent when the form offers it.
  const privacy = page.locator(`${tid('input-consent-privacy')} input[type="checkbox"]`)
  if ((await privacy.count()) > 0 && !(await privacy.isChecked())) {
    await page.locator(tid('input-consent-privacy')).click()
  }
}

// Customer 360° journey against a running Liyan server, in the system's headless Chromium:
// the front desk finds a new customer by pinyin, opens the 360° page and triages them to a
// consultant; the consultant records an on-site consultation with two plan lines (exact total),
// sees it in the timeline, the stage change and their follow-up worklist, and records the follow-up; the front desk tags two
// customers in bulk from the list and sees the chips.
//
//   LIYAN_E2E_URL=https://127.0.0.1:9443 \
//   LIYAN_E2E_360_DESK_USER=... LIYAN_E2E_360_DESK_PASSWORD=... \
//   LIYAN_E2E_360_CONSULTANT_USER=... LIYAN_E2E_360_CONSULTANT_PASSWORD=... \
//   [LIYAN_E2E_NEW_PASSWORD=...] [LIYAN_E2E_CHROMIUM=/usr/bin/chromium] npm run e2e
//
// Both accounts must be in the same store; the test creates its own customers (fresh mobiles).
// Missing variables fail the test: it never skips silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs, choose, env, field, login, need, tid, withBrowser } from './support.mjs'

/** 龚雪梅 / 龚雪兰: no polyphonic characters, so the initials are certain. */
const NAME_A = '龚雪梅'
const INITIALS_A = 'gxm'
const NAME_B = '龚雪兰'

function nameMatcher(name) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`${esc(name)}|${esc(name.slice(0, 1))}\\*`)
}

test('customer 360°: triage, consultation with an exact plan total, timeline, stage, bulk tags', { timeout: 240_000 }, async (t) => {
  const base = need('LIYAN_E2E_360_DESK_USER', 'LIYAN_E2E_360_DESK_PASSWORD', 'LIYAN_E2E_360_CONSULTANT_USER', 'LIYAN_E2E_360_CONSULTANT_PASSWORD')

  await withBrowser(t, async (desk, s) => {
    const consultant = await s.newPage()
    s.step = 'consultant logs in'
    s.page = consultant
    await login(consultant, base, env.LIYAN_E2E_360_CONSULTANT_USER, env.LIYAN_E2E_360_CONSULTANT_PASSWORD)
    const role = await consultant.locator(tid('current-role')).innerText()
    const consultantName = (await consultant.locator(tid('current-user')).innerText()).replace(role, '').trim()
    assert.ok(consultantName, 'consultant display name')

    s.step = 'front desk logs in'
    s.page = desk
    const deskPassword = await login(desk, base, env.LIYAN_E2E_360_DESK_USER, env.LIYAN_E2E_360_DESK_PASSWORD)

    s.step = 'two new customers (API, as the front desk)'
    const { api, headers } = await apiAs(base, env.LIYAN_E2E_360_DESK_USER, deskPassword)
    s.api = api
    const prefix = `199${String(Date.now()).slice(-7)}` // 10 digits shared by both mobiles
    const ids = []
    for (const [name, last] of [[NAME_A, '0'], [NAME_B, '1']]) {
      const r = await api.post('/api/v1/customers', { headers, data: { name, mobile: prefix + last } })
      assert.equal(r.status(), 201, await r.text())
      ids.push((await r.json()).id)
    }
    const tailA = `${prefix}0`.slice(-4)

    s.step = 'find the customer by pinyin initials'
    await desk.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur())
    await desk.keyboard.press('/')
    await desk.keyboard.type(INITIALS_A)
    await desk.locator(`${tid('quick-search-results')}[data-query="${INITIALS_A}"]`).waitFor()
    const rows = desk.locator(tid('quick-search-result'))
    await rows.filter({ hasText: nameMatcher(NAME_A) }).first().waitFor()
    const hit = rows.filter({ hasText: nameMatcher(NAME_A) }).filter({ hasText: tailA })
    await hit.first().waitFor()
    await hit.first().dispatchEvent('mousedown')

    s.step = '360° page'
    await desk.waitForURL(new RegExp(`/customers/${ids[0]}$`))
    await desk.locator(tid('header-name')).filter({ hasText: nameMatcher(NAME_A) }).waitFor()
    await desk.locator(`${tid('customer-stage')}[data-stage="lead"]`).waitFor()
    assert.match(await desk.locator(tid('header-mobile')).innerText(), /\*\*\*\*/)

    s.step = 'triage to the consultant'
    await desk.locator(tid('customer-triage')).click()
    await desk.locator(tid('triage-dialog')).waitFor()
    await choose(desk, 'triage-consultant', consultantName)
    await desk.locator(tid('triage-submit')).click()
    await desk.locator(`${tid('customer-stage')}[data-stage="triage"]`).waitFor()

    s.step = 'consultant records an on-site consultation'
    s.page = consultant
    await consultant.goto(`${base}/customers/${ids[0]}`)
    await consultant.locator(`${tid('customer-stage')}[data-stage="triage"]`).waitFor()
    await consultant.locator(tid('consultation-new')).click()
    await consultant.locator(tid('consultation-dialog')).waitFor()
    await consultant.locator(tid('way-onsite')).click()
    await field(consultant, 'consultation-needs').fill('淡斑、补水')
    await field(consultant, 'plan-project-0').fill('光子嫩肤')
    await field(consultant, 'plan-sessions-0').fill('1')
    await field(consultant, 'plan-price-0').fill('1980')
    await consultant.locator(tid('plan-add')).click()
    await field(consultant, 'plan-project-1').fill('水光针')
    // A wrong amount is named on its own line, not on the whole plan.
    await field(consultant, 'plan-price-1').fill('12.345')
    await consultant.locator(tid('consultation-save')).click()
    await consultant.locator(tid('plan-line-error-1')).waitFor()
    assert.equal(await consultant.locator(tid('plan-line-error-0')).count(), 0)
    await field(consultant, 'plan-price-1').fill('1280.5')
    await consultant.locator(tid('plan-total')).filter({ hasText: '¥3,260.50' }).waitFor()
    await consultant.locator(tid('outcome-thinking')).click()
    const today = await consultant.evaluate(() => {
      const d = new Date()
      const p = (n) => String(n).padStart(2, '0')
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
    })
    const follow = field(consultant, 'consultation-follow-up')
    await follow.fill(today)
    await follow.press('Enter')
    await consultant.locator(tid('consultation-save')).click()
    await consultant.locator(tid('consultation-dialog')).waitFor({ state: 'hidden' })

    s.step = 'consultation, timeline and stage on the 360° page'
    await consultant.locator(`${tid('customer-stage')}[data-stage="consultation"]`).waitFor()
    await consultant.locator(tid('tab-consultations')).click()
    await consultant.locator(tid('consultation-total')).filter({ hasText: '¥3,260.50' }).waitFor()
    const plan = await consultant.locator(tid('consultation-plan')).innerText()
    assert.match(plan, /光子嫩肤/)
    assert.match(plan, /水光针/)
    await consultant.locator(tid('tab-timeline')).click()
    await consultant.locator(`${tid('timeline-item')}[data-kind="consultation.created"]`).filter({ hasText: '¥3,260.50' }).waitFor()
    await consultant.locator(`${tid('timeline-item')}[data-kind="consultation.created"]`).filter({ hasText: '到院面诊' }).waitFor()
    await consultant.locator(`${tid('timeline-item')}[data-kind="stage.changed"]`).filter({ hasText: '现场咨询' }).first().waitFor()
    await consultant.locator(`${tid('timeline-item')}[data-kind="customer.arrived"]`).filter({ hasText: consultantName }).waitFor()
    await consultant.locator(tid('tab-stages')).click()
    const history = await consultant.locator(tid('stage-history')).innerText()
    for (const stage of ['网电咨询', '分诊', '现场咨询']) assert.match(history, new RegExp(stage))
    // Who moved the stage is named as a person, not by login name.
    assert.match(history, new RegExp(consultantName))

    s.step = "consultant's follow-up worklist"
    await consultant.locator(tid('menu-follow-ups')).click()
    await consultant.waitForURL(/\/follow-ups$/)
    await consultant.locator(`${tid('follow-ups')} a[href="/customers/${ids[0]}"]`).waitFor()

    s.step = 'record the follow-up from the worklist, with the next one in a week'
    const dueRow = consultant.locator(`${tid('follow-ups')} .el-table__row`, { has: consultant.locator(`a[href="/customers/${ids[0]}"]`) })
    await dueRow.locator(tid('follow-up-record')).click()
    const dialog = consultant.locator(tid('follow-up-dialog'))
    await dialog.waitFor()
    await consultant.locator(tid('follow-up-save')).click()
    await dialog.locator('.el-form-item__error', { hasText: '请填写回访结果' }).waitFor()
    await field(consultant, 'follow-up-result').fill('电话回访：恢复良好，下周到院复查')
    const nextWeek = await consultant.evaluate(() => {
      const d = new Date(Date.now() + 7 * 86_400_000)
      const p = (n) => String(n).padStart(2, '0')
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
    })
    const next = field(consultant, 'follow-up-next')
    await next.fill(nextWeek)
    await next.press('Enter')
    await consultant.locator(tid('follow-up-save')).click()
    await dialog.waitFor({ state: 'hidden' })
    // Due next week now: gone from today's list.
    await consultant.locator(`${tid('follow-ups')} a[href="/customers/${ids[0]}"]`).waitFor({ state: 'detached' })

    s.step = 'the follow-up on the timeline, by the consultant by name'
    await consultant.goBack()
    await consultant.waitForURL(new RegExp(`/customers/${ids[0]}$`))
    await consultant.locator(tid('tab-timeline')).click()
    const followed = consultant.locator(`${tid('timeline-item')}[data-kind="consultation.followed_up"]`)
    await followed.filter({ hasText: '恢复良好，下周到院复查' }).filter({ hasText: nextWeek }).waitFor()
    assert.equal((await followed.locator(tid('timeline-actor')).innerText()).trim(), consultantName)

    s.step = 'bulk tag two customers from the list'
    s.page = desk
    await desk.locator(tid('menu-customers')).click()
    await desk.waitForURL(/\/customers$/)
    await field(desk, 'customer-search').fill(prefix)
    // The list pins the selection, member no. and name on the left: el-table-v2 draws those cells
    // in a table of their own beside the main one, so each row is there twice (its own cells each).
    const listRows = desk.locator('.el-table-v2__left .customer-row')
    await desk.waitForFunction(
      (names) => {
        const rs = [...document.querySelectorAll('.el-table-v2__left .customer-row')]
        return rs.length === 2 && names.every((n) => rs.some((r) => r.textContent.includes(n.slice(0, 1))))
      },
      [NAME_A, NAME_B],
    )
    for (let i = 0; i < 2; i++) await listRows.nth(i).locator(`${tid('row-select')}`).click()
    await desk.locator(tid('bulk-tag')).filter({ hasText: '(2)' }).click()
    await desk.locator(tid('bulk-tag-dialog')).waitFor()
    await choose(desk, 'bulk-tag-add', '高价值')
    await desk.keyboard.press('Escape').catch(() => {})
    await desk.locator(tid('bulk-tag-submit')).click()
    await desk.locator(tid('bulk-tag-dialog')).waitFor({ state: 'hidden' })
    await desk.waitForFunction(() => {
      const rs = [...document.querySelectorAll('.el-table-v2__main .customer-row')]
      return rs.length === 2 && rs.every((r) => r.querySelector('[data-testid="cell-tags"]')?.textContent.includes('高价值'))
    })

    s.step = 'chips on the 360° page'
    await desk.goto(`${base}/customers/${ids[1]}`)
    await desk.locator(`${tid('customer-tags')} ${tid('tag-chip')}`).filter({ hasText: '高价值' }).waitFor()
  })
})

import { describe, expect, it } from 'vitest'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { STAGES, type TimelineEvent } from '../src/api/types'
import { describeEvent, registerTimelineKind, registeredKinds, type TimelineContext } from '../src/lib/timeline'
import { isStage, stageColor, stageLabel } from '../src/lib/stages'

function ctx(messages: object): TimelineContext {
  const get = (key: string): unknown =>
    key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), messages)
  return {
    t: (k) => (typeof get(k) === 'string' ? (get(k) as string) : k),
    te: (k) => typeof get(k) === 'string',
    userName: (id) => (id === 3 ? '陈咨询' : `#${id}`),
  }
}
const zhCtx = ctx(zh)

function ev(kind: string, data: Record<string, unknown>, extra: Partial<TimelineEvent> = {}): TimelineEvent {
  return { id: 1, at: 0, kind, entity: 'customer', entity_id: 7, actor_id: null, actor: 'frontdesk', data, ...extra }
}

describe('timeline registry', () => {
  it('has a title in both languages for every registered kind', () => {
    for (const k of registeredKinds()) {
      expect(describeEvent(ev(k, {}), ctx(zh)).title, k).not.toBe(k)
      expect(describeEvent(ev(k, {}), ctx(en)).title, k).not.toBe(k)
    }
  })
  it('renders the known kinds with labels', () => {
    const st = describeEvent(ev('stage.changed', { stage: 'triage' }), zhCtx)
    expect(st.title).toBe('阶段变更')
    expect(st.details).toEqual([{ key: 'stage', label: '阶段', text: '分诊' }])

    const arrived = describeEvent(ev('customer.arrived', { consultant_id: 3 }), zhCtx)
    expect(arrived.title).toBe('到店分诊')
    expect(arrived.details[0].text).toBe('陈咨询')

    const c = describeEvent(
      ev('consultation.created', { way: 'onsite', outcome: 'thinking', plan_total: '3260.50', consultant_id: 3, needs: null }, { entity: 'consultation' }),
      zhCtx,
    )
    expect(c.details.map((d) => `${d.label}:${d.text}`)).toEqual(['方式:到院面诊', '结果:考虑中', '方案合计:¥3,260.50', '咨询师:陈咨询'])

    const tags = describeEvent(ev('tags.changed', { tags: { added: ['高价值', '敏感肌'], removed: ['待激活'] } }), zhCtx)
    expect(tags.details.map((d) => d.text)).toEqual(['高价值、敏感肌', '待激活'])

    const brought = describeEvent(ev('referral.brought', { name: '张*' }, { entity_id: 42 }), zhCtx)
    expect(brought.link).toEqual({ name: 'customer', params: { id: '42' } })
    expect(brought.details[0].text).toBe('张*')
  })
  it('shows only the data keys the policy let through', () => {
    const hidden = describeEvent(ev('consultation.updated', { outcome: 'deal' }), zhCtx)
    expect(hidden.details).toEqual([{ key: 'outcome', label: '结果', text: '成交' }])
    expect(describeEvent(ev('consultation.created', {}), zhCtx).details).toEqual([])
    expect(describeEvent(ev('customer.arrived', {}), zhCtx).details).toEqual([])
    expect(describeEvent(ev('referral.referred_by', {}), zhCtx).link).toBeUndefined()
    expect(describeEvent(ev('tags.changed', {}), zhCtx).details).toEqual([])
  })
  it('falls back to a generic rendering for unknown kinds', () => {
    const v = describeEvent(
      ev('order.paid', { paid: '1280.00', at_store: 'main', lines: ['a', 'b'], done: true, refunded_at: null, extra: { x: 1 } }, { entity: 'order' }),
      zhCtx,
    )
    expect(v.title).toBe('order.paid')
    expect(v.type).toBe('info')
    expect(v.details.map((d) => `${d.label}=${d.text}`)).toEqual(['paid=¥1,280.00', 'at_store=main', 'lines=a、b', 'done=是', 'extra={"x":1}'])
    expect(describeEvent(ev('weird', {}), zhCtx).details).toEqual([])
  })
  it('lets a later area register its kinds without touching the page', () => {
    registerTimelineKind('appointment.booked', {
      color: '#123456',
      title: 'timeline.kinds.appointment.booked',
      details: (e) => [{ key: 'slot', label: 'slot', text: String(e.data.slot) }],
    })
    const v = describeEvent(ev('appointment.booked', { slot: '10:00' }), zhCtx)
    expect(v.color).toBe('#123456')
    expect(v.title).toBe('appointment.booked') // no translation yet: the kind itself
    expect(v.details[0].text).toBe('10:00')
  })
})

describe('stages', () => {
  it('names every stage in both languages, in funnel order', () => {
    expect(STAGES).toEqual(['lead', 'triage', 'consultation', 'deal', 'in_treatment', 'repeat', 'dormant', 'lost'])
    expect(STAGES.map((s) => stageLabel(ctx(zh).t, s))).toEqual(['网电咨询', '分诊', '现场咨询', '成交', '治疗中', '复购/活跃', '沉睡', '流失'])
    expect(STAGES.map((s) => stageLabel(ctx(en).t, s))).toEqual(['Lead', 'Triage', 'Consultation', 'Deal', 'In treatment', 'Repeat', 'Dormant', 'Lost'])
  })
  it('keeps unknown stages readable', () => {
    expect(stageLabel(zhCtx.t, 'vip')).toBe('vip')
    expect(stageLabel(zhCtx.t, null)).toBe('')
    expect(isStage('deal')).toBe(true)
    expect(isStage('vip')).toBe(false)
    expect(stageColor('vip')).toBe('#909399')
    expect(new Set(STAGES.map(stageColor)).size).toBe(STAGES.length)
  })
})

describe('the kinds the server records', () => {
  // Every `kind: "area.what"` / `timeline_event(.., "area.what", ..)` in the Rust sources.
  const RUST = import.meta.glob<string>('../../src/**/*.rs', { query: '?raw', import: 'default', eager: true })
  const kinds = new Set(
    Object.values(RUST).flatMap((src) =>
      [...src.matchAll(/(?:kind: |timeline_event\([^"]*|event\()"([a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]),
    ),
  )

  it('are found in the sources', () => {
    expect(kinds).toContain('photo.added')
    expect(kinds).toContain('customer.created')
  })
  it('each have a registered rendering with labels in both languages', () => {
    for (const k of kinds) expect(registeredKinds(), k).toContain(k)
  })
  it('show photo and consent events in words', () => {
    const p = describeEvent(ev('photo.added', { area: 'face', kind: 'after', taken_date: '2026-11-24' }, { entity: 'photo' }), zhCtx)
    expect(p.title).toBe('上传照片')
    expect(p.details.map((d) => `${d.label}:${d.text}`)).toEqual(['部位:全脸', '类型:术后', '拍摄日期:2026-11-24'])
    const c = describeEvent(ev('consent.signed', { category: 'energy', title: '光电治疗知情同意书', version: 1 }), ctx(en))
    expect(c.title).toBe('Consent form signed')
    expect(c.details.map((d) => d.text)).toEqual(['光电治疗知情同意书', 'Energy devices', '1'])
  })
  it('show a follow-up with its result and the next date, or that follow-ups ended', () => {
    const data = { notes: '2026-11-24 回访：恢复良好', follow_up_date: '2026-12-01' }
    const next = describeEvent(ev('consultation.followed_up', data, { entity: 'consultation' }), zhCtx)
    expect(next.title).toBe('完成回访')
    expect(next.details.map((d) => `${d.label}:${d.text}`)).toEqual(['回访结果:2026-11-24 回访：恢复良好', '下次回访:2026-12-01'])
    const ended = describeEvent(ev('consultation.followed_up', { ...data, follow_up_date: null }, { entity: 'consultation' }), ctx(en))
    expect(ended.details.map((d) => d.text)).toEqual(['2026-11-24 回访：恢复良好', 'None (follow-ups ended)'])
    // A role that may not read the notes gets neither key: the bare fact.
    expect(describeEvent(ev('consultation.followed_up', {}, { entity: 'consultation' }), zhCtx).details).toEqual([])
  })
})

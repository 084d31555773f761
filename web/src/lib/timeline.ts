// The customer timeline: ONE registry of event kinds (kind -> colour, i18n title, detail
// formatter). A later area (appointments, orders, treatments ...) registers its kinds here or from
// its own module with `registerTimelineKind`; the page renders whatever `describeEvent` returns and
// unknown kinds get a readable generic rendering. Data keys may be absent (hidden by the reader's
// field policy): formatters show only what is there.
import type { TimelineEvent } from '../api/types'
import { formatDateTime, formatMoney } from './format'
import { stageLabel } from './stages'

export interface TimelineContext {
  t: (key: string) => string
  te: (key: string) => boolean
  /** Staff name for an id (consultant_id and the like). */
  userName?: (id: number | null | undefined) => string
}

export interface TimelineDetail {
  key: string
  label: string
  text: string
}

/** Where an event points to, as a vue-router location. */
export interface TimelineLink {
  name: string
  params: Record<string, string>
}

export interface TimelineView {
  color: string
  /** Element Plus timeline item type (dot colour family). */
  type: 'primary' | 'success' | 'warning' | 'danger' | 'info'
  title: string
  details: TimelineDetail[]
  link?: TimelineLink
}

export interface TimelineKind {
  color: string
  type?: TimelineView['type']
  /** i18n key of the title. */
  title: string
  /** Details from `data`; default: the generic formatter over every key. */
  details?: (ev: TimelineEvent, ctx: TimelineContext) => TimelineDetail[]
  link?: (ev: TimelineEvent) => TimelineLink | undefined
}

const registry = new Map<string, TimelineKind>()

export function registerTimelineKind(kind: string, def: TimelineKind): void {
  registry.set(kind, def)
}

export function registeredKinds(): string[] {
  return [...registry.keys()]
}

function has(data: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(data, key)
}

function label(ctx: TimelineContext, prefix: string, key: string): string {
  const k = `${prefix}.${key}`
  return ctx.te(k) ? ctx.t(k) : key
}

function keyLabel(ctx: TimelineContext, key: string): string {
  if (ctx.te(`timeline.keys.${key}`)) return ctx.t(`timeline.keys.${key}`)
  if (ctx.te(`customer.fields.${key}`)) return ctx.t(`customer.fields.${key}`)
  return key
}

function staff(ctx: TimelineContext, v: unknown): string {
  if (typeof v !== 'number') return v == null ? '—' : String(v)
  return ctx.userName ? ctx.userName(v) : `#${v}`
}

const MONEY_KEY = /(^|_)(total|amount|price|paid|balance)$/

/** One value for people: labels for known enumerations, money, times; never raw JSON when avoidable. */
export function formatValue(ctx: TimelineContext, key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return ctx.t(v ? 'common.yes' : 'common.no')
  if (Array.isArray(v)) return v.length ? v.map((x) => formatValue(ctx, key, x)).join('、') : '—'
  if (key === 'stage' || key.endsWith('_stage')) return stageLabel(ctx.t, String(v))
  if (key === 'way') return label(ctx, 'consultation.way', String(v))
  if (key === 'outcome') return label(ctx, 'consultation.outcome', String(v))
  if (key === 'source') return label(ctx, 'customer.source', String(v))
  if (key === 'area') return label(ctx, 'timeline.areas', String(v))
  if (key === 'category') return label(ctx, 'timeline.categories', String(v))
  if (key === 'consultant_id' || key === 'doctor_id' || key === 'staff_id') return staff(ctx, v)
  if (typeof v === 'number' && key.endsWith('_at')) return formatDateTime(v)
  if (typeof v === 'string' && MONEY_KEY.test(key) && /^-?\d+(\.\d+)?$/.test(v)) return formatMoney(v)
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** Every key of `data` (in the order given, nulls skipped) as label: value. */
export function genericDetails(ev: TimelineEvent, ctx: TimelineContext, keys?: string[]): TimelineDetail[] {
  const data = ev.data || {}
  const out: TimelineDetail[] = []
  for (const k of keys ?? Object.keys(data)) {
    if (!has(data, k)) continue
    const v = data[k]
    if (v === null || v === undefined || v === '') continue
    out.push({ key: k, label: keyLabel(ctx, k), text: formatValue(ctx, k, v) })
  }
  return out
}

function customerLink(id: unknown): TimelineLink | undefined {
  return typeof id === 'number' ? { name: 'customer', params: { id: String(id) } } : undefined
}

// ---- the kinds of the customer and consultation areas ----

registerTimelineKind('customer.created', {
  color: '#909399',
  type: 'info',
  title: 'timeline.kinds.customer.created',
  details: (ev, ctx) => genericDetails(ev, ctx, ['source']),
})
registerTimelineKind('customer.arrived', {
  color: '#e6a23c',
  type: 'warning',
  title: 'timeline.kinds.customer.arrived',
  details: (ev, ctx) => genericDetails(ev, ctx, ['consultant_id']),
})
registerTimelineKind('stage.changed', {
  color: '#409eff',
  type: 'primary',
  title: 'timeline.kinds.stage.changed',
  details: (ev, ctx) => genericDetails(ev, ctx, ['stage', 'reason']),
})
registerTimelineKind('tags.changed', {
  color: '#b2457a',
  type: 'primary',
  title: 'timeline.kinds.tags.changed',
  details: (ev, ctx) => {
    const tags = (ev.data?.tags ?? {}) as { added?: unknown; removed?: unknown }
    const out: TimelineDetail[] = []
    for (const k of ['added', 'removed'] as const) {
      const v = tags[k]
      if (Array.isArray(v) && v.length) out.push({ key: k, label: ctx.t(`timeline.keys.${k}`), text: v.map(String).join('、') })
    }
    return out
  },
})
registerTimelineKind('referral.referred_by', {
  color: '#67c23a',
  type: 'success',
  title: 'timeline.kinds.referral.referred_by',
  details: (ev, ctx) => {
    const id = ev.data?.referrer_id
    if (id === undefined) return []
    return [{ key: 'referrer_id', label: ctx.t('timeline.keys.referrer_id'), text: typeof id === 'number' ? `#${id}` : ctx.t('common.none') }]
  },
  link: (ev) => customerLink(ev.data?.referrer_id),
})
registerTimelineKind('referral.brought', {
  color: '#67c23a',
  type: 'success',
  title: 'timeline.kinds.referral.brought',
  details: (ev, ctx) => genericDetails(ev, ctx, ['name']),
  link: (ev) => customerLink(ev.entity_id),
})
const CONSULTATION_KEYS = ['way', 'outcome', 'plan_total', 'consultant_id', 'needs']
registerTimelineKind('consultation.created', {
  color: '#409eff',
  type: 'primary',
  title: 'timeline.kinds.consultation.created',
  details: (ev, ctx) => genericDetails(ev, ctx, CONSULTATION_KEYS),
})
registerTimelineKind('consultation.updated', {
  color: '#409eff',
  type: 'primary',
  title: 'timeline.kinds.consultation.updated',
  details: (ev, ctx) => genericDetails(ev, ctx, CONSULTATION_KEYS),
})

registerTimelineKind('consultation.followed_up', {
  color: '#67c23a',
  type: 'success',
  title: 'timeline.kinds.consultation.followed_up',
  details: (ev, ctx) => {
    // Each key only when the reader may see it; a next date of null says the follow-ups ended.
    const data = ev.data ?? {}
    const out: TimelineDetail[] = []
    if (typeof data.notes === 'string') out.push({ key: 'notes', label: ctx.t('followUps.result'), text: data.notes })
    if (has(data, 'follow_up_date')) {
      const next = data.follow_up_date
      out.push({ key: 'follow_up_date', label: ctx.t('followUps.next'), text: typeof next === 'string' ? next : ctx.t('followUps.noNext') })
    }
    return out
  },
})

registerTimelineKind('customer.merged', {
  color: '#909399',
  type: 'info',
  title: 'timeline.kinds.customer.merged',
  details: (ev, ctx) => genericDetails(ev, ctx, ['member_no']),
})
registerTimelineKind('photo.added', {
  color: '#67c23a',
  type: 'success',
  title: 'timeline.kinds.photo.added',
  details: (ev, ctx) => {
    const out = genericDetails(ev, ctx, ['area', 'taken_date'])
    const kind = ev.data?.kind
    // `kind` of a photo is before / after / progress.
    if (typeof kind === 'string') out.splice(1, 0, { key: 'kind', label: ctx.t('timeline.keys.kind'), text: label(ctx, 'photos.kinds', kind) })
    return out
  },
})
registerTimelineKind('consent.signed', {
  color: '#67c23a',
  type: 'success',
  title: 'timeline.kinds.consent.signed',
  details: (ev, ctx) => genericDetails(ev, ctx, ['title', 'category', 'version']),
})

/** How one event is shown: the registered kind, or the generic fallback. */
export function describeEvent(ev: TimelineEvent, ctx: TimelineContext): TimelineView {
  const def = registry.get(ev.kind)
  if (!def) {
    const key = `timeline.kinds.${ev.kind}`
    return {
      color: '#c0c4cc',
      type: 'info',
      title: ctx.te(key) ? ctx.t(key) : ev.kind,
      details: genericDetails(ev, ctx),
    }
  }
  return {
    color: def.color,
    type: def.type ?? 'primary',
    title: ctx.te(def.title) ? ctx.t(def.title) : ev.kind,
    details: def.details ? def.details(ev, ctx) : genericDetails(ev, ctx),
    link: def.link?.(ev),
  }
}

// Customer list filters (筛选) and saved segments (客户分群): one model for the filter bar, the URL
// query (so a filtered list can be bookmarked), the API query of GET /customers (and its export)
// and the `filter` object a segment stores. The server validates again; this only keeps what is
// well-formed, so a hand-edited URL cannot send garbage.
import { SOURCES, STAGES } from '../api/types'
import { isCustomName } from './customFields'

export interface CustomerFilter {
  stage?: string
  tag_id?: number
  store_id?: number
  consultant_id?: number
  source?: string
  /** 1–12 */
  birthday_month?: number
  /** Last visit on or after this local date (YYYY-MM-DD). */
  visited_from?: string
  /** Last visit before this local date (exclusive, YYYY-MM-DD). */
  visited_before?: string
  /**
   * Custom fields by name (`cf_<key>`): text by part, a number or date or a range `from..to`, an
   * option, `true`/`false`. In URLs and API queries these are top-level `cf_*` parameters.
   */
  custom?: Record<string, string>
}

/** The filter keys, in the order they are written to URLs and segments. */
export const FILTER_KEYS = [
  'stage',
  'tag_id',
  'store_id',
  'consultant_id',
  'source',
  'birthday_month',
  'visited_from',
  'visited_before',
] as const
export type FilterKey = (typeof FILTER_KEYS)[number]

/** The customer field each filter reads: a role that cannot see the field gets no control for it. */
export const FILTER_FIELD: Record<FilterKey, string> = {
  stage: 'stage',
  tag_id: 'tags',
  store_id: 'store_id',
  consultant_id: 'consultant_id',
  source: 'source',
  birthday_month: 'birthday',
  visited_from: 'last_visit_at',
  visited_before: 'last_visit_at',
}

const ID_KEYS: FilterKey[] = ['tag_id', 'store_id', 'consultant_id']

/** The list a filter's choices come from, by the entity that must be readable for it. */
const FILTER_LIST: Partial<Record<FilterKey, string>> = { tag_id: 'tag', consultant_id: 'staff', store_id: 'store' }

/**
 * Whether the list offers a filter to this role: it must see the field filtered by (the server
 * refuses the rest with 403) and, for a pick list (tags, consultants, stores), read that list —
 * without it the control could offer nothing to pick.
 */
export function filterShown(
  key: FilterKey,
  fieldPolicy: (entity: string, field: string) => string,
  can: (entity: string, action: string) => boolean,
): boolean {
  const list = FILTER_LIST[key]
  return fieldPolicy('customer', FILTER_FIELD[key]) !== 'hidden' && (!list || can(list, 'read'))
}
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v
}

function positiveInt(v: unknown): number | undefined {
  v = first(v)
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : undefined
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) {
    const n = Number(v.trim())
    return Number.isSafeInteger(n) && n > 0 ? n : undefined
  }
  return undefined
}

/** A real calendar date as YYYY-MM-DD (2026-02-30 is not one). */
export function isDate(v: unknown): v is string {
  if (typeof v !== 'string') return false
  const m = DATE_RE.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/** The date `days` after a YYYY-MM-DD date (negative goes back). */
export function addDays(date: string, days: number): string {
  const m = DATE_RE.exec(date)
  if (!m) return date
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days))
  return d.toISOString().slice(0, 10)
}

/**
 * Keeps only well-formed filter values, as numbers and strings, in FILTER_KEYS order: from a URL
 * query (strings, arrays), a segment's stored filter or the filter bar's model (nulls, '').
 */
export function normalizeFilter(raw: Record<string, unknown> | null | undefined): CustomerFilter {
  const out: CustomerFilter = {}
  if (!raw) return out
  for (const key of FILTER_KEYS) {
    const v = first(raw[key])
    if (v === undefined || v === null || v === '') continue
    if (ID_KEYS.includes(key)) {
      const n = positiveInt(v)
      if (n !== undefined) (out as Record<string, unknown>)[key] = n
    } else if (key === 'birthday_month') {
      const n = positiveInt(v)
      if (n !== undefined && n <= 12) out.birthday_month = n
    } else if (key === 'stage') {
      if ((STAGES as readonly unknown[]).includes(v)) out.stage = v as string
    } else if (key === 'source') {
      if ((SOURCES as readonly unknown[]).includes(v)) out.source = v as string
    } else if (isDate(v)) {
      (out as Record<string, unknown>)[key] = v
    }
  }
  const custom = customOf(raw)
  if (Object.keys(custom).length) out.custom = custom
  return out
}

/** Custom-field conditions from a `custom` object (bar, segment) and `cf_*` keys (URL), sorted. */
function customOf(raw: Record<string, unknown>): Record<string, string> {
  const found: Record<string, string> = {}
  const nested = raw.custom && typeof raw.custom === 'object' ? (raw.custom as Record<string, unknown>) : {}
  for (const [k, v] of [...Object.entries(nested), ...Object.entries(raw)]) {
    const s = first(v)
    if (isCustomName(k) && typeof s === 'string' && s.trim() !== '') found[k] = s.trim()
  }
  const out: Record<string, string> = {}
  for (const k of Object.keys(found).sort()) out[k] = found[k]
  return out
}

export function isEmptyFilter(f: CustomerFilter): boolean {
  return Object.keys(normalizeFilter(f as Record<string, unknown>)).length === 0
}

export function sameFilter(a: CustomerFilter, b: CustomerFilter): boolean {
  const na = normalizeFilter(a as Record<string, unknown>)
  const nb = normalizeFilter(b as Record<string, unknown>)
  return FILTER_KEYS.every((k) => na[k] === nb[k]) && JSON.stringify(na.custom ?? {}) === JSON.stringify(nb.custom ?? {})
}

/** How many conditions are set (the date range counts once). */
export function filterCount(f: CustomerFilter): number {
  const n = normalizeFilter(f as Record<string, unknown>)
  let c = 0
  for (const k of FILTER_KEYS) if (n[k] !== undefined && k !== 'visited_before') c++
  if (n.visited_before !== undefined && n.visited_from === undefined) c++
  return c + Object.keys(n.custom ?? {}).length
}

/** The list's state in the URL: the filter, the search text and the segment it came from. */
export interface ListState {
  filter: CustomerFilter
  q: string
  segment: number | null
}

type QueryValue = string | null | (string | null)[] | undefined

export function stateFromQuery(query: Record<string, QueryValue>): ListState {
  const q = first(query.q)
  return {
    filter: normalizeFilter(query as Record<string, unknown>),
    q: typeof q === 'string' ? q : '',
    segment: positiveInt(query.segment) ?? null,
  }
}

/** The URL query for a list state: only what is set, as strings, in a stable order. */
export function stateToQuery(s: ListState): Record<string, string> {
  const out: Record<string, string> = {}
  const q = s.q.trim()
  if (q) out.q = q
  const f = normalizeFilter(s.filter as Record<string, unknown>)
  for (const k of FILTER_KEYS) if (f[k] !== undefined) out[k] = String(f[k])
  Object.assign(out, f.custom ?? {})
  if (s.segment) out.segment = String(s.segment)
  return out
}

/** The filter as query parameters of GET /customers and /customers/export.xlsx. */
export function filterToApi(f: CustomerFilter): Record<string, string | number> {
  const { custom, ...named } = normalizeFilter(f as Record<string, unknown>)
  return { ...named, ...(custom ?? {}) } as Record<string, string | number>
}

/**
 * The last-visit condition as the inclusive range a date picker shows: the server's
 * `visited_before` is exclusive, so the range ends the day before it.
 */
export function visitRange(f: CustomerFilter): [string, string] | null {
  const from = f.visited_from && isDate(f.visited_from) ? f.visited_from : ''
  const to = f.visited_before && isDate(f.visited_before) ? addDays(f.visited_before, -1) : ''
  if (!from && !to) return null
  return [from, to]
}

/** An inclusive picker range back to `visited_from` / `visited_before` (the day after the end). */
export function withVisitRange(f: CustomerFilter, range: (string | null | undefined)[] | null | undefined): CustomerFilter {
  const out: CustomerFilter = { ...f }
  delete out.visited_from
  delete out.visited_before
  const [from, to] = range ?? []
  if (from && isDate(from)) out.visited_from = from
  if (to && isDate(to)) out.visited_before = addDays(to, 1)
  return out
}

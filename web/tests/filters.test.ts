import { describe, expect, it } from 'vitest'
import {
  addDays,
  filterCount,
  filterShown,
  filterToApi,
  isDate,
  isEmptyFilter,
  normalizeFilter,
  sameFilter,
  stateFromQuery,
  stateToQuery,
  visitRange,
  withVisitRange,
} from '../src/lib/filters'

describe('filter normalisation', () => {
  it('keeps well-formed values as numbers and strings, in a fixed order', () => {
    const f = normalizeFilter({
      visited_before: '2026-03-01',
      source: 'wechat',
      tag_id: '7',
      stage: 'dormant',
      birthday_month: '12',
      store_id: 2,
      consultant_id: ['5', '6'],
    })
    expect(f).toEqual({ stage: 'dormant', tag_id: 7, store_id: 2, consultant_id: 5, source: 'wechat', birthday_month: 12, visited_before: '2026-03-01' })
    expect(Object.keys(f)).toEqual(['stage', 'tag_id', 'store_id', 'consultant_id', 'source', 'birthday_month', 'visited_before'])
  })
  it('drops empty, unknown and malformed values', () => {
    expect(
      normalizeFilter({
        stage: 'vip', tag_id: '-1', store_id: '1.5', consultant_id: 0, source: '', birthday_month: '13',
        visited_from: '2026-02-30', visited_before: '2026/03/01', q: 'x', segment: '3', extra: 1,
      }),
    ).toEqual({})
    expect(normalizeFilter({ tag_id: null, stage: undefined })).toEqual({})
    expect(normalizeFilter(null)).toEqual({})
    expect(normalizeFilter({ birthday_month: '0' })).toEqual({})
    expect(normalizeFilter({ birthday_month: ' 3 ' })).toEqual({ birthday_month: 3 })
  })
  it('reads a segment filter as stored by the server', () => {
    const stored = { stage: 'lead', tag_id: 3, birthday_month: 5 }
    expect(normalizeFilter(stored)).toEqual(stored)
    expect(sameFilter(stored, { birthday_month: 5, tag_id: 3, stage: 'lead' })).toBe(true)
    expect(sameFilter(stored, { stage: 'lead', tag_id: 3 })).toBe(false)
  })
  it('counts and recognises empty filters', () => {
    expect(isEmptyFilter({})).toBe(true)
    expect(isEmptyFilter({ stage: 'nope' } as never)).toBe(true)
    expect(isEmptyFilter({ stage: 'lead' })).toBe(false)
    expect(filterCount({ stage: 'lead', visited_from: '2026-01-01', visited_before: '2026-02-01' })).toBe(2)
    expect(filterCount({ visited_before: '2026-02-01' })).toBe(1)
  })
  it('gives the API query of the list and the export', () => {
    expect(filterToApi({ stage: 'lead', tag_id: 4, source: undefined })).toEqual({ stage: 'lead', tag_id: 4 })
  })
})

describe('URL query', () => {
  it('round-trips the list state', () => {
    const s = { filter: { stage: 'deal', store_id: 1, visited_from: '2026-01-01' }, q: ' zxh ', segment: 9 }
    const query = stateToQuery(s)
    expect(query).toEqual({ q: 'zxh', stage: 'deal', store_id: '1', visited_from: '2026-01-01', segment: '9' })
    expect(stateFromQuery(query)).toEqual({ filter: s.filter, q: 'zxh', segment: 9 })
  })
  it('reads what vue-router gives: arrays, nulls, junk', () => {
    expect(stateFromQuery({ stage: ['lead', 'deal'], q: null, segment: 'abc', tag_id: '' })).toEqual({
      filter: { stage: 'lead' }, q: '', segment: null,
    })
    expect(stateFromQuery({})).toEqual({ filter: {}, q: '', segment: null })
  })
  it('writes nothing for an empty state', () => {
    expect(stateToQuery({ filter: {}, q: '  ', segment: null })).toEqual({})
  })
})

describe('last-visit range', () => {
  it('checks calendar dates', () => {
    expect(isDate('2028-02-29')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2026-1-05')).toBe(false)
  })
  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
  it('maps the inclusive picker range to the exclusive visited_before and back', () => {
    const f = withVisitRange({ stage: 'repeat' }, ['2026-01-01', '2026-01-31'])
    expect(f).toEqual({ stage: 'repeat', visited_from: '2026-01-01', visited_before: '2026-02-01' })
    expect(visitRange(f)).toEqual(['2026-01-01', '2026-01-31'])
    expect(withVisitRange(f, null)).toEqual({ stage: 'repeat' })
    expect(visitRange({})).toBeNull()
    expect(visitRange({ visited_before: '2026-01-01' })).toEqual(['', '2025-12-31'])
  })
})

describe('custom-field conditions', () => {
  it('come from URL keys and from a segment object, and go back out the same way', () => {
    const fromUrl = normalizeFilter({ stage: 'deal', cf_blood_type: 'A', cf_height_cm: [' 160..170 '], cf_: 'x', other: 'y' })
    expect(fromUrl).toEqual({ stage: 'deal', custom: { cf_blood_type: 'A', cf_height_cm: '160..170' } })
    const fromSegment = normalizeFilter({ custom: { cf_height_cm: '160..170', cf_blood_type: 'A', 'cf_Bad!': 'x' }, stage: 'deal' })
    expect(sameFilter(fromUrl, fromSegment)).toBe(true)
    expect(filterCount(fromUrl)).toBe(3)
    expect(filterToApi(fromUrl)).toEqual({ stage: 'deal', cf_blood_type: 'A', cf_height_cm: '160..170' })
    const state = { filter: fromUrl, q: '', segment: null }
    expect(stateFromQuery(stateToQuery(state))).toEqual(state)
  })

  it('ignore empty values', () => {
    expect(isEmptyFilter({ custom: { cf_blood_type: '  ' } })).toBe(true)
    expect(sameFilter({ custom: { cf_a: '1' } }, { custom: { cf_a: '2' } })).toBe(false)
  })
})

describe('which filters a role is offered', () => {
  const policy = (fields: Record<string, string>) => (_e: string, f: string) => fields[f] ?? 'hidden'
  const can = (entities: string[]) => (e: string, a: string) => a === 'read' && entities.includes(e)

  it('hides a pick list the role cannot read, even when it sees the field', () => {
    // The partner sees tags on customers but may not list the tags.
    const partner = policy({ tags: 'read', stage: 'read', source: 'read', store_id: 'read' })
    expect(filterShown('tag_id', partner, can(['customer', 'store']))).toBe(false)
    expect(filterShown('stage', partner, can(['customer', 'store']))).toBe(true)
    expect(filterShown('store_id', partner, can(['customer', 'store']))).toBe(true)
    expect(filterShown('consultant_id', partner, can(['customer', 'store']))).toBe(false)
  })

  it('hides a filter on a hidden field', () => {
    expect(filterShown('birthday_month', policy({}), can(['customer', 'tag', 'staff']))).toBe(false)
    expect(filterShown('tag_id', policy({ tags: 'write' }), can(['tag']))).toBe(true)
    expect(filterShown('consultant_id', policy({ consultant_id: 'read' }), can(['staff']))).toBe(true)
  })
})

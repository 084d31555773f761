import { describe, expect, it } from 'vitest'
import { apiPath, defaultPair, groupByArea, orderedPair, toggleChoice, type Photo } from '../src/lib/photos'

const img = (id: number) => ({ thumb: `/api/v1/photos/${id}/image?size=thumb`, display: `/api/v1/photos/${id}/image?size=display`, original: `/x/${id}` })
const p = (id: number, area: string, kind: Photo['kind'], date: string, preview = true): Photo => ({
  id, area, kind, taken_date: date, preview, image: preview ? img(id) : { original: `/x/${id}` },
})
const areas = [
  { id: 'face', zh: '全脸', en: 'Face' },
  { id: 'nose', zh: '鼻部', en: 'Nose' },
]

describe('groupByArea', () => {
  it('orders groups like the area list and photos oldest first', () => {
    const g = groupByArea([p(3, 'nose', 'after', '2026-03-01'), p(1, 'face', 'before', '2026-01-01'), p(2, 'nose', 'before', '2026-01-05')], areas)
    expect(g.map((x) => x.area.id)).toEqual(['face', 'nose'])
    expect(g[1].photos.map((x) => x.id)).toEqual([2, 3])
  })
  it('keeps an unknown area under its own id', () => {
    expect(groupByArea([p(1, 'knee', 'before', '2026-01-01')], areas)[0].area.zh).toBe('knee')
  })
})

describe('defaultPair', () => {
  it('takes the earliest before and the latest after', () => {
    const list = [p(1, 'face', 'before', '2026-01-01'), p(2, 'face', 'before', '2026-02-01'), p(3, 'face', 'after', '2026-03-01'), p(4, 'face', 'after', '2026-04-01'), p(5, 'face', 'progress', '2026-05-01')]
    expect(defaultPair(list)!.map((x) => x.id)).toEqual([1, 4])
  })
  it('falls back to the first and last photo, skipping ones without preview', () => {
    const list = [p(1, 'face', 'progress', '2026-01-01'), p(2, 'face', 'progress', '2026-02-01', false), p(3, 'face', 'progress', '2026-03-01')]
    expect(defaultPair(list)!.map((x) => x.id)).toEqual([1, 3])
  })
  it('needs two comparable photos', () => {
    expect(defaultPair([p(1, 'face', 'before', '2026-01-01'), p(2, 'face', 'after', '2026-02-01', false)])).toBeNull()
  })
  it('puts the earlier photo left even when the after is older', () => {
    const list = [p(1, 'face', 'after', '2026-01-01'), p(2, 'face', 'before', '2026-02-01')]
    expect(defaultPair(list)!.map((x) => x.id)).toEqual([1, 2])
  })
})

describe('choosing two photos', () => {
  it('toggles and keeps the two most recent clicks', () => {
    let c: number[] = []
    c = toggleChoice(c, 1)
    c = toggleChoice(c, 2)
    expect(c).toEqual([1, 2])
    c = toggleChoice(c, 3)
    expect(c).toEqual([2, 3])
    c = toggleChoice(c, 2)
    expect(c).toEqual([3])
  })
  it('orders the pair by date', () => {
    const list = [p(1, 'face', 'after', '2026-05-01'), p(2, 'face', 'before', '2026-01-01')]
    expect(orderedPair(list, [1, 2])!.map((x) => x.id)).toEqual([2, 1])
    expect(orderedPair(list, [1])).toBeNull()
    expect(orderedPair(list, [1, 9])).toBeNull()
  })
  it('turns API links into client paths', () => {
    expect(apiPath('/api/v1/photos/3/image?size=thumb')).toBe('/photos/3/image?size=thumb')
  })
})

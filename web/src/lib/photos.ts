// Before/after photos: grouping for the gallery and the choice of the two pictures compared.

export interface PhotoImage {
  thumb?: string
  display?: string
  original: string
  width?: number
  height?: number
}

export interface Photo {
  id: number
  area?: string
  kind?: 'before' | 'after' | 'progress'
  taken_date?: string
  media_type?: string
  preview?: boolean
  note?: string | null
  /** Absent for roles that see the metadata but not the picture. */
  image?: PhotoImage
}

export interface Area {
  id: string
  zh: string
  en: string
}

export interface PhotoList {
  items: Photo[]
  areas: Area[]
  kinds: string[]
}

/** Photos by area in the order of `areas`, each group oldest first (how progress reads). */
export function groupByArea(photos: Photo[], areas: Area[]): { area: Area; photos: Photo[] }[] {
  const order = new Map(areas.map((a, i) => [a.id, i]))
  const groups = new Map<string, Photo[]>()
  for (const p of photos) {
    const k = p.area ?? ''
    groups.set(k, [...(groups.get(k) ?? []), p])
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (order.get(a) ?? 99) - (order.get(b) ?? 99))
    .map(([id, list]) => ({
      area: areas.find((a) => a.id === id) ?? { id, zh: id, en: id },
      photos: [...list].sort(byDate),
    }))
}

function byDate(a: Photo, b: Photo): number {
  return (a.taken_date ?? '').localeCompare(b.taken_date ?? '') || a.id - b.id
}

/** Only photos with a preview can be compared (HEIC has none). */
export function comparable(p: Photo): boolean {
  return !!p.image?.display
}

/**
 * The default pair for an area: the earliest "before" and the latest "after" (else the
 * earliest and the latest photo), left to right in time. Null when fewer than two exist.
 */
export function defaultPair(photos: Photo[]): [Photo, Photo] | null {
  const list = photos.filter(comparable).sort(byDate)
  if (list.length < 2) return null
  const before = list.find((p) => p.kind === 'before') ?? list[0]
  const after = [...list].reverse().find((p) => p.kind === 'after' && p.id !== before.id) ?? list[list.length - 1]
  if (after.id === before.id) return [list[0], list[list.length - 1]]
  return byDate(before, after) <= 0 ? [before, after] : [after, before]
}

/** Clicking a photo selects it; a third click replaces the older of the two chosen. */
export function toggleChoice(chosen: number[], id: number): number[] {
  if (chosen.includes(id)) return chosen.filter((c) => c !== id)
  return [...chosen, id].slice(-2)
}

/** The two chosen photos, earlier taken on the left. */
export function orderedPair(photos: Photo[], chosen: number[]): [Photo, Photo] | null {
  if (chosen.length !== 2) return null
  const pair = chosen.map((id) => photos.find((p) => p.id === id))
  if (!pair[0] || !pair[1]) return null
  return (byDate(pair[0], pair[1]) <= 0 ? [pair[0], pair[1]] : [pair[1], pair[0]]) as [Photo, Photo]
}

/** An API link (`/api/v1/...`) as a path for the client. */
export function apiPath(url: string): string {
  return url.replace(/^\/api\/v1/, '')
}

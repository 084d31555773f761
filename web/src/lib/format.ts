// zh-CN display conventions: YYYY-MM-DD, 24-hour time, ¥1,234.50, mobiles 138 0013 8000.
import { normalizeMobile } from './search'

/** `13800138000` -> `138 0013 8000`; masked values (`138****5678`) and anything else are returned as-is. */
export function formatMobile(value: string | null | undefined): string {
  if (value == null) return ''
  if (value.includes('*')) return value
  const d = normalizeMobile(value)
  if (/^1\d{10}$/.test(d)) return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`
  return value
}

/** Valid mainland mobile after removing spaces/dashes/+86. Convenience only: the server decides. */
export function isValidMobile(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(normalizeMobile(value))
}

/**
 * Money from a decimal string (never a float on the wire): `"1234.5"` -> `¥1,234.50`.
 * Rounds half-up to the fen using string arithmetic.
 */
export function formatMoney(value: string | number | null | undefined, symbol = '¥'): string {
  if (value == null || value === '') return ''
  let s = typeof value === 'number' ? String(value) : value.trim()
  let negative = false
  if (s.startsWith('-')) {
    negative = true
    s = s.slice(1)
  } else if (s.startsWith('+')) s = s.slice(1)
  if (!/^\d*(\.\d*)?$/.test(s) || s === '' || s === '.') return String(value)
  let [intPart, frac = ''] = s.split('.')
  if (intPart === '') intPart = '0'
  // Round half-up to 2 decimals.
  let cents = BigInt(intPart) * 100n + BigInt((frac + '00').slice(0, 2))
  if (frac.length > 2 && frac.charCodeAt(2) >= 53 /* '5' */) cents += 1n
  const yuan = (cents / 100n).toString()
  const fen = (cents % 100n).toString().padStart(2, '0')
  const grouped = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const sign = negative && cents !== 0n ? '-' : ''
  return `${sign}${symbol}${grouped}.${fen}`
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** ms since epoch -> `YYYY-MM-DD` in the browser's (clinic's) time zone. */
export function formatDate(ms: number | null | undefined): string {
  if (ms == null) return ''
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** ms since epoch -> `YYYY-MM-DD HH:mm` (24-hour). */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms == null) return ''
  const d = new Date(ms)
  return `${formatDate(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** To the second, where rows a minute apart must be told apart (the audit log). */
export function formatDateTimeSeconds(ms: number | null | undefined): string {
  if (ms == null) return ''
  return `${formatDateTime(ms)}:${pad(new Date(ms).getSeconds())}`
}

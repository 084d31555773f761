// Classifies what a person typed into the quick search box (DESIGN.md, "Keyboard-first front desk").
//   11 digits        -> a mobile number (spaces, dashes and a +86 / 0086 prefix are ignored)
//   4 digits         -> the last four digits of a mobile
//   5-10 digits      -> the start of a mobile
//   Latin letters    -> pinyin, full (zhangsan) or initials (zs)
//   Han characters   -> a name or part of one (1-2 characters included)
//   M + digits       -> a member number (M000123)
//   O + digits       -> an order number
export type QueryKind =
  | 'empty'
  | 'mobile'
  | 'tail4'
  | 'mobile_prefix'
  | 'pinyin'
  | 'name'
  | 'member_no'
  | 'order_no'
  | 'unknown'

export interface ClassifiedQuery {
  kind: QueryKind
  /** The normalised value to send as `q`. */
  value: string
}

const HAN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·•]+$/u

export function normalizeMobile(input: string): string {
  let s = input.replace(/[\s\-()（）]/g, '')
  if (s.startsWith('+86')) s = s.slice(3)
  else if (s.startsWith('0086')) s = s.slice(4)
  else if (s.startsWith('86') && s.length === 13) s = s.slice(2)
  return s
}

export function classifyQuery(raw: string): ClassifiedQuery {
  const trimmed = raw.trim()
  if (trimmed === '') return { kind: 'empty', value: '' }

  const compact = trimmed.replace(/\s+/g, '')
  const digits = normalizeMobile(compact)
  if (/^\d+$/.test(digits)) {
    if (digits.length === 11) return { kind: 'mobile', value: digits }
    if (digits.length === 4) return { kind: 'tail4', value: digits }
    if (digits.length >= 5 && digits.length < 11) return { kind: 'mobile_prefix', value: digits }
    return { kind: 'unknown', value: digits }
  }
  if (/^m\d{1,}$/i.test(compact)) return { kind: 'member_no', value: compact.toUpperCase() }
  if (/^o\d{1,}$/i.test(compact)) return { kind: 'order_no', value: compact.toUpperCase() }
  // Pinyin: letters, optionally separated by spaces or apostrophes (xi'an, zhang san).
  if (/^[a-z][a-z' ]*$/i.test(trimmed)) {
    return { kind: 'pinyin', value: trimmed.replace(/[' ]/g, '').toLowerCase() }
  }
  if (HAN.test(compact)) return { kind: 'name', value: compact }
  return { kind: 'unknown', value: compact }
}

/** Kinds that are sent to the server (order numbers wait for the orders area). */
export function isSearchable(kind: QueryKind): boolean {
  return kind !== 'empty' && kind !== 'unknown' && kind !== 'order_no'
}

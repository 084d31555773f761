import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTimeSeconds, formatMobile, formatMoney, isValidMobile } from '../src/lib/format'

describe('formatMobile', () => {
  it('groups a plain mobile 3-4-4', () => {
    expect(formatMobile('13800138000')).toBe('138 0013 8000')
    expect(formatMobile('+8613800138000')).toBe('138 0013 8000')
  })
  it('leaves masked and odd values as they are', () => {
    expect(formatMobile('138****5678')).toBe('138****5678')
    expect(formatMobile('010-12345678')).toBe('010-12345678')
    expect(formatMobile(null)).toBe('')
    expect(formatMobile(undefined)).toBe('')
  })
})

describe('isValidMobile', () => {
  it('accepts mainland mobiles with spaces, dashes or +86', () => {
    expect(isValidMobile('13800138000')).toBe(true)
    expect(isValidMobile('138 0013 8000')).toBe(true)
    expect(isValidMobile('+86 139-0000-0000')).toBe(true)
  })
  it('rejects others', () => {
    expect(isValidMobile('12800138000')).toBe(false)
    expect(isValidMobile('1380013800')).toBe(false)
    expect(isValidMobile('abc')).toBe(false)
  })
})

describe('formatMoney', () => {
  it.each([
    ['1234.5', '¥1,234.50'],
    ['1280.00', '¥1,280.00'],
    ['0', '¥0.00'],
    ['0.005', '¥0.01'],
    ['0.004', '¥0.00'],
    ['1234567.891', '¥1,234,567.89'],
    ['999.995', '¥1,000.00'],
    ['-50.5', '-¥50.50'],
    ['12', '¥12.00'],
    ['.5', '¥0.50'],
  ])('%s -> %s', (input, out) => {
    expect(formatMoney(input)).toBe(out)
  })
  it('handles empty and invalid input', () => {
    expect(formatMoney(null)).toBe('')
    expect(formatMoney('')).toBe('')
    expect(formatMoney('abc')).toBe('abc')
  })
})

describe('formatDate', () => {
  it('is YYYY-MM-DD', () => {
    const ms = new Date(2026, 0, 5, 9, 3).getTime()
    expect(formatDate(ms)).toBe('2026-01-05')
  })
  it('goes to the second where the audit log needs it', () => {
    expect(formatDateTimeSeconds(new Date(2026, 0, 5, 9, 3, 7).getTime())).toBe('2026-01-05 09:03:07')
    expect(formatDateTimeSeconds(null)).toBe('')
  })
})

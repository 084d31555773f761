import { describe, expect, it } from 'vitest'
import { encode } from 'uqr'
import { groupSecret, isCompleteCode, normalizeCode, qrPath } from '../src/lib/totp'

describe('groupSecret', () => {
  it('groups a base32 secret in fours', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP')
    expect(groupSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ')
  })
  it('leaves a short last group and drops padding, spaces and case', () => {
    expect(groupSecret('abcdefg')).toBe('ABCD EFG')
    expect(groupSecret('JBSW Y3DP==')).toBe('JBSW Y3DP')
    expect(groupSecret('')).toBe('')
    expect(groupSecret(null)).toBe('')
    expect(groupSecret(undefined)).toBe('')
  })
  it('takes another group size', () => {
    expect(groupSecret('ABCDEFGH', 3)).toBe('ABC DEF GH')
  })
})

describe('normalizeCode', () => {
  it('keeps ASCII digits only, at most six', () => {
    expect(normalizeCode('123 456')).toBe('123456')
    expect(normalizeCode('123-4567')).toBe('123456')
    expect(normalizeCode(' 12a3 ')).toBe('123')
    expect(normalizeCode('')).toBe('')
    expect(normalizeCode(null)).toBe('')
  })
  it('turns full-width digits into ASCII', () => {
    expect(normalizeCode('１２３４５６')).toBe('123456')
    expect(normalizeCode('０1２3')).toBe('0123')
  })
})

describe('isCompleteCode', () => {
  it('wants exactly six digits', () => {
    expect(isCompleteCode('123456')).toBe(true)
    expect(isCompleteCode('012345')).toBe(true)
    expect(isCompleteCode('12345')).toBe(false)
    expect(isCompleteCode('1234567')).toBe(false)
    expect(isCompleteCode('12345a')).toBe(false)
  })
})

describe('qrPath', () => {
  it('draws runs of dark modules as one rectangle each', () => {
    expect(
      qrPath([
        [true, true, false, true],
        [false, false, false, false],
        [false, true, true, true],
      ]),
    ).toBe('M0 0h2v1h-2zM3 0h1v1h-1zM1 2h3v1h-3z')
    expect(qrPath([])).toBe('')
  })
  it('covers exactly the dark modules of a real code', () => {
    const qr = encode('otpauth://totp/Liyan:frontdesk?secret=JBSWY3DPEHPK3PXP&issuer=Liyan', { ecc: 'M', border: 0 })
    const path = qrPath(qr.data)
    const dark = qr.data.flat().filter(Boolean).length
    let covered = 0
    for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
      const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])]
      for (let i = x; i < x + w; i++) expect(qr.data[y][i]).toBe(true)
      covered += w
    }
    expect(covered).toBe(dark)
  })
})

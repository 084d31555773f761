import { describe, expect, it } from 'vitest'
import { fenToDecimal, lineFen, parseFen, planTotalFen } from '../src/lib/money'
import { formatMoney } from '../src/lib/format'

describe('parseFen', () => {
  it('reads yuan amounts exactly as integer fen', () => {
    expect(parseFen('1280')).toBe(128000)
    expect(parseFen('1280.5')).toBe(128050)
    expect(parseFen('1280.50')).toBe(128050)
    expect(parseFen('0.1')).toBe(10)
    expect(parseFen('.5')).toBe(50)
    expect(parseFen('¥1,980.00')).toBe(198000)
    expect(parseFen(' 12. ')).toBe(1200)
    expect(parseFen('0')).toBe(0)
  })
  it('refuses bad inputs instead of rounding', () => {
    for (const bad of ['', ' ', 'abc', '-1', '1.234', '1e3', '1,2.3.4', '12..0', '.', null, undefined, 'NaN', '9999999999999999']) {
      expect(parseFen(bad as string), String(bad)).toBeNull()
    }
  })
})

describe('plan total', () => {
  it('sums the line prices in fen (a line price covers its sessions, as on the server)', () => {
    const lines = [
      { project: '光子嫩肤', sessions: 1, price: '1980.00' },
      { project: '水光针', sessions: 1, price: '1280.50' },
    ]
    expect(planTotalFen(lines)).toBe(326050)
    expect(fenToDecimal(planTotalFen(lines)!)).toBe('3260.50')
    expect(formatMoney(fenToDecimal(planTotalFen(lines)!))).toBe('¥3,260.50')
    expect(planTotalFen([{ sessions: 3, price: '1980' }, { sessions: 1, price: '1280.5' }])).toBe(326050)
    expect(lineFen({ sessions: 3, price: '1980.00' })).toBe(198000)
  })
  it('has no float drift: 0.1 + 0.2 = 0.30', () => {
    expect(fenToDecimal(planTotalFen([{ sessions: 1, price: '0.1' }, { sessions: 1, price: '0.2' }])!)).toBe('0.30')
    expect(fenToDecimal(planTotalFen(Array.from({ length: 10 }, () => ({ sessions: 1, price: '0.10' })))!)).toBe('1.00')
  })
  it('is null while a line is invalid, 0 for an empty plan', () => {
    expect(planTotalFen([])).toBe(0)
    expect(planTotalFen([{ sessions: 1, price: '1.234' }])).toBeNull()
    expect(planTotalFen([{ sessions: 0, price: '10' }])).toBeNull()
    expect(planTotalFen([{ sessions: 101, price: '10' }])).toBeNull()
    expect(planTotalFen([{ sessions: 1.5, price: '10' }])).toBeNull()
    expect(planTotalFen([{ sessions: null, price: '10' }])).toBeNull()
    expect(lineFen({ sessions: '2', price: '' })).toBeNull()
  })
  it('writes fen back as the wire decimal string', () => {
    expect(fenToDecimal(0)).toBe('0.00')
    expect(fenToDecimal(5)).toBe('0.05')
    expect(fenToDecimal(128050)).toBe('1280.50')
    expect(fenToDecimal(-150)).toBe('-1.50')
  })
})

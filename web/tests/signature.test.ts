import { describe, expect, it } from 'vitest'
import { inkLength, isSigned, toCanvasPoint } from '../src/lib/signature'

describe('signature pad geometry', () => {
  it('maps client coordinates onto a canvas bitmap of another size', () => {
    const box = { left: 100, top: 50, width: 400, height: 100 }
    expect(toCanvasPoint(300, 100, box, 800, 200)).toEqual({ x: 400, y: 100 })
    expect(toCanvasPoint(100, 50, box, 800, 200)).toEqual({ x: 0, y: 0 })
  })
  it('clamps points outside the box to its edge', () => {
    const box = { left: 0, top: 0, width: 100, height: 50 }
    expect(toCanvasPoint(-20, 80, box, 200, 100)).toEqual({ x: 0, y: 100 })
  })
  it('measures ink and refuses a dot or a tiny scratch', () => {
    const line = [{ x: 0, y: 0 }, { x: 30, y: 40 }, { x: 60, y: 80 }]
    expect(inkLength([line])).toBe(100)
    expect(isSigned([[{ x: 5, y: 5 }]], 600)).toBe(false)
    expect(isSigned([line], 1000)).toBe(false)
    expect(isSigned([line, line], 600)).toBe(true)
  })
})

// The signature pad's geometry: pointer positions to canvas pixels, and whether enough was drawn.

export interface Point {
  x: number
  y: number
}

export interface Rect {
  left: number
  top: number
  width: number
  height: number
}

/**
 * A pointer position (client coordinates) as a point on the canvas bitmap, whose size differs
 * from its box on screen (device pixel ratio, CSS scaling).
 */
export function toCanvasPoint(clientX: number, clientY: number, box: Rect, canvasWidth: number, canvasHeight: number): Point {
  const x = ((clientX - box.left) / box.width) * canvasWidth
  const y = ((clientY - box.top) / box.height) * canvasHeight
  return { x: clamp(x, 0, canvasWidth), y: clamp(y, 0, canvasHeight) }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

/** Total length of the drawn strokes, in canvas pixels. */
export function inkLength(strokes: Point[][]): number {
  let total = 0
  for (const s of strokes) {
    for (let i = 1; i < s.length; i++) total += Math.hypot(s[i].x - s[i - 1].x, s[i].y - s[i - 1].y)
  }
  return total
}

/** A tap or a stray dot is no signature: ask for some real ink relative to the pad's width. */
export function isSigned(strokes: Point[][], canvasWidth: number): boolean {
  return inkLength(strokes) >= canvasWidth * 0.15
}

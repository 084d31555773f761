// Exact money in the browser: decimal strings on the wire ("1280.00"), integer fen (分) for sums.
// Never a float: "0.1" + "0.2" is 30 fen, shown "0.30".

/** Largest amount accepted in a form: 100 million yuan, in fen (well inside Number's safe integers). */
export const MAX_FEN = 100_000_000_00

/**
 * A typed yuan amount as integer fen: "1280" -> 128000, "1280.5" -> 128050, "0.1" -> 10,
 * "¥1,280.50" -> 128050. Null for anything that is not a non-negative amount with at most two
 * decimals (no rounding: the person typed what they meant, or it is an error).
 */
export function parseFen(input: string | number | null | undefined): number | null {
  if (input === null || input === undefined) return null
  const s = String(input).trim().replace(/^[¥￥]/, '').replace(/,/g, '').trim()
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(s) ?? /^()\.(\d{1,2})$/.exec(s)
  if (!m) return null
  const yuan = m[1] === '' ? 0 : Number(m[1])
  const fen = Number(((m[2] ?? '') + '00').slice(0, 2))
  const total = yuan * 100 + fen
  return Number.isSafeInteger(total) && total <= MAX_FEN ? total : null
}

/** Integer fen as the wire's decimal string: 326050 -> "3260.50". */
export function fenToDecimal(fen: number): string {
  const neg = fen < 0
  const a = Math.abs(Math.trunc(fen))
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

export interface PlanLineInput {
  project?: string
  sessions: number | string | null | undefined
  price: string | number | null | undefined
}

/**
 * One plan line's amount in fen: its `price` is the price of the line (all its sessions together),
 * as the server sums it into `plan_total`. Null when the price or the session count (1–100) is
 * not valid.
 */
export function lineFen(line: PlanLineInput): number | null {
  const n = Number(line.sessions)
  if (line.sessions === null || line.sessions === undefined || line.sessions === '') return null
  if (!Number.isInteger(n) || n < 1 || n > 100) return null
  return parseFen(line.price)
}

/**
 * The plan total in fen (the sum of the line prices, as the server computes it), or null when a
 * line is invalid (the form shows which). Empty plan: 0.
 */
export function planTotalFen(lines: readonly PlanLineInput[]): number | null {
  let total = 0
  for (const l of lines) {
    const f = lineFen(l)
    if (f === null) return null
    total += f
  }
  return Number.isSafeInteger(total) ? total : null
}

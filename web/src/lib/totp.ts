// Two-step verification (TOTP) helpers: display of the shared secret, clean-up of typed codes and
// the QR code as one SVG path. Pure functions, no DOM.

/** Base32 secret for typing into an authenticator app: upper case, groups of 4 (`JBSW Y3DP EHPK 3PXP`). */
export function groupSecret(secret: string | null | undefined, size = 4): string {
  if (!secret) return ''
  const s = secret.replace(/[\s=-]/g, '').toUpperCase()
  const groups: string[] = []
  for (let i = 0; i < s.length; i += size) groups.push(s.slice(i, i + size))
  return groups.join(' ')
}

/**
 * What was typed or pasted into a code box, as ASCII digits: full-width digits (a Chinese IME)
 * become ASCII, spaces and other characters go, at most `length` digits are kept.
 */
export function normalizeCode(input: string | null | undefined, length = 6): string {
  if (!input) return ''
  return input
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48))
    .replace(/\D/g, '')
    .slice(0, length)
}

/** A complete 6-digit code. */
export function isCompleteCode(code: string): boolean {
  return /^\d{6}$/.test(code)
}

/**
 * The dark modules of a QR matrix (`matrix[row][col]`, true = dark) as one SVG path in module
 * units; runs of dark modules in a row become one rectangle. Draw it in a
 * `viewBox="0 0 size size"` with `shape-rendering="crispEdges"`.
 */
export function qrPath(matrix: readonly (readonly boolean[])[]): string {
  const parts: string[] = []
  matrix.forEach((row, y) => {
    let x = 0
    while (x < row.length) {
      if (!row[x]) {
        x++
        continue
      }
      const start = x
      while (x < row.length && row[x]) x++
      parts.push(`M${start} ${y}h${x - start}v1h-${x - start}z`)
    }
  })
  return parts.join('')
}

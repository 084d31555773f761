/** Helpers for the customer import screen. */

export type ImportAction = 'create' | 'update' | 'merge' | 'unchanged' | 'error'

/** The mapping as the server takes it: only the columns given a field. */
export function mappingBody(selected: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [column, field] of Object.entries(selected)) {
    if (field) out[column] = field
  }
  return out
}

/** Fields chosen for more than one column (the server refuses those). */
export function duplicateTargets(selected: Record<string, string | null | undefined>): string[] {
  const seen = new Map<string, number>()
  for (const f of Object.values(selected)) if (f) seen.set(f, (seen.get(f) ?? 0) + 1)
  return [...seen].filter(([, n]) => n > 1).map(([f]) => f)
}

/** Element Plus tag type for a row's outcome. */
export function actionTag(a: ImportAction): 'success' | 'primary' | 'warning' | 'info' | 'danger' {
  return ({ create: 'success', update: 'primary', merge: 'warning', unchanged: 'info', error: 'danger' } as const)[a]
}

/**
 * The i18n key of a target field's label. Some targets contain a dot (`consents.health_data`),
 * which a plain `io.targets.${f}` path would read as nesting: the bracket form keeps it one key.
 */
export function targetLabelKey(field: string): string {
  return `io.targets['${field.replace(/['\\]/g, '')}']`
}

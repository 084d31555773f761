import type { FieldPolicy } from '../api/types'
import { isWritable } from '../api/types'

/** How much of a field's value a policy shows: nothing, masked, or whole. */
const SHOWN: Record<FieldPolicy, number> = { hidden: 0, masked: 1, write_masked: 1, read: 2, write: 2 }

/** Sensitivity classes whose wider access an admin confirms before it is saved. */
const GUARDED_CLASSES = ['contact', 'identity', 'health', 'finance']

/** Actions whose grant an admin confirms: each lets a role take data out or remove it. */
const GUARDED_ACTIONS = ['export', 'reveal', 'delete']

/** Whether moving from `from` to `to` lets the role see more of the field, or change it. */
export function widens(from: FieldPolicy, to: FieldPolicy): boolean {
  return SHOWN[to] > SHOWN[from] || (isWritable(to) && !isWritable(from))
}

/** Whether a field policy change needs the admin's confirmation before it is saved. */
export function confirmsPolicy(sensitivity: string, from: FieldPolicy, to: FieldPolicy): boolean {
  return GUARDED_CLASSES.includes(sensitivity) && widens(from, to)
}

/** Whether switching an action on or off needs the admin's confirmation. */
export function confirmsAction(action: string, on: boolean): boolean {
  return on && GUARDED_ACTIONS.includes(action)
}

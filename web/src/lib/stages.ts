import { STAGES, type Stage } from '../api/types'

// Lifecycle stages (DOMAIN.md): names come from i18n `stage.<id>`, colours from here.

/** Element Plus tag type and a colour per stage, in funnel order. */
const COLORS: Record<Stage, string> = {
  lead: '#909399',
  triage: '#e6a23c',
  consultation: '#409eff',
  deal: '#67c23a',
  in_treatment: '#b2457a',
  repeat: '#2e8b57',
  dormant: '#a0a4ad',
  lost: '#f56c6c',
}

export function isStage(v: unknown): v is Stage {
  return typeof v === 'string' && (STAGES as readonly string[]).includes(v)
}

export function stageColor(stage: string | null | undefined): string {
  return isStage(stage) ? COLORS[stage] : '#909399'
}

/** The stage's name in the current language; an unknown identifier is shown as it is. */
export function stageLabel(t: (key: string) => string, stage: string | null | undefined): string {
  if (!stage) return ''
  return isStage(stage) ? t(`stage.${stage}`) : stage
}

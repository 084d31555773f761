// Pictures behind the API need the bearer token, which an <img src> cannot send: fetch them as
// blobs and show object URLs (allowed by the CSP's `img-src blob:`), released when done.

import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { api } from '../api/client'
import { apiPath } from './photos'

export function useApiImage(url: Ref<string | undefined>) {
  const src = ref<string>()
  const failed = ref(false)
  let current: string | undefined
  const release = () => {
    if (current) URL.revokeObjectURL(current)
    current = undefined
  }
  watch(
    url,
    async (u) => {
      release()
      src.value = undefined
      failed.value = false
      if (!u) return
      try {
        const blob = await api.request<Blob>('GET', apiPath(u), { blob: true })
        if (u !== url.value) return
        current = URL.createObjectURL(blob)
        src.value = current
      } catch {
        failed.value = true
      }
    },
    { immediate: true },
  )
  onBeforeUnmount(release)
  return { src, failed }
}

import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import { formatBytes, formatRate, progressBar } from '../../node/control/api/format.js'
import type { JobView } from '../../node/control/api/jobs.js'
import type { ChurtenStatus } from '../../node/control/api/model.js'
import { innerRows, Pane } from '../components/pane.js'
import { VirtualList } from '../components/virtual-list.js'

/** Churten's state and its jobs with progress bars and rates. */
export function ChurtenPane (props: { churten: ChurtenStatus | null, jobs: ReadonlyMap<number, JobView>, selected: number, focused: boolean, height: number, width: number | string }): ReactNode {
  const c = props.churten
  const state = c == null ? 'loading…' : `${c.running ? 'running' : 'stopped'}, ${c.jobs} job${c.jobs === 1 ? '' : 's'}`
  const jobs = [...props.jobs.values()]
  const row = (i: number): string => {
    const j = jobs[i]
    if (j == null) return ''
    const fraction = j.total > 0 ? j.bytes / j.total : 0
    // Bar first, path last: a narrow terminal cuts the path, not the progress.
    const progress = j.job.state === 'pending' ? 'pending' : `${progressBar(fraction, 8)} ${String(Math.floor(fraction * 100)).padStart(3)}% ${formatBytes(j.bytes)}/${formatBytes(j.total)} ${formatRate(j.rate)}`
    return `${progress} ${j.action ?? j.job.kind} ${j.job.arena}:${j.job.path}`
  }
  return (
    <Pane title={`4 Churten  ${state}`} focused={props.focused} height={props.height} width={props.width}>
      <Box flexDirection='column'>
        <VirtualList count={jobs.length} selected={props.selected} rows={innerRows(props.height)} focused={props.focused} row={row} empty='no jobs' />
      </Box>
    </Pane>
  )
}

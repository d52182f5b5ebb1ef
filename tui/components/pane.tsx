import { Box, Text } from 'ink'
import type { ReactNode } from 'react'

/** A bordered pane with a title; the focused one is highlighted. */
export function Pane (props: { title: string, focused: boolean, width?: number | string, height: number, children?: ReactNode }): ReactNode {
  return (
    <Box flexDirection='column' borderStyle='round' borderColor={props.focused ? 'cyan' : 'gray'} width={props.width} height={props.height} overflow='hidden'>
      <Text bold color={props.focused ? 'cyan' : undefined} wrap='truncate'>{`${props.focused ? '»' : ' '} ${props.title}`}</Text>
      {props.children}
    </Box>
  )
}

/** Rows inside a pane of `height`: minus the border (2) and the title (1). */
export function innerRows (height: number, extra = 0): number {
  return Math.max(1, height - 3 - extra)
}

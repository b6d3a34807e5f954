/**
 * The layering of eslint.config.js, enforced in `npm test` (lint itself is not part of it): no source file
 * breaks an import-boundary rule today, and each rule fails on a deliberate violation.
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './support/paths.ts'

const eslint = new ESLint({ cwd: repoRoot })

async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('import boundaries', () => {
  it('hold across packages/, server/ and apps/xr today', async () => {
    const results = await eslint.lintFiles([
      'packages/*/src/**/*.ts',
      'server/src/**/*.ts',
      'apps/cli/src/**/*.ts',
      'apps/xr/src/**/*.{ts,tsx}',
    ])
    const broken = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'no-restricted-imports')
        .map((m) => `${r.filePath}:${m.line} ${m.message}`),
    )
    expect(broken).toEqual([])
    expect(results.length).toBeGreaterThan(100)
  }, 120_000)

  it.each([
    [
      'a library importing the server',
      "import { startServer } from '@fastsam-xr/server'\n",
      'packages/mesh/src/x.ts',
      /library/,
    ],
    [
      'a library reaching into server/src',
      "import { x } from '../../../server/src/rooms/rooms.ts'\n",
      'packages/session/src/x.ts',
      /library/,
    ],
    [
      'the server importing the CLI',
      "import { main } from '@fastsam-xr/cli'\n",
      'server/src/x.ts',
      /never imports an app/,
    ],
    [
      'the client importing node:fs',
      "import { readFileSync } from 'node:fs'\n",
      'apps/xr/src/controller/x.ts',
      /client bundle/,
    ],
    [
      'the client importing the Node runtime',
      "import { SHIPPED_MODEL_DIR } from '@fastsam-xr/runtime/node'\n",
      'apps/xr/src/state/x.ts',
      /client bundle/,
    ],
    [
      'a component opening a socket',
      "import { io } from 'socket.io-client'\n",
      'apps/xr/src/ui/X.tsx',
      /components never touch the socket/,
    ],
    [
      'a component importing controller/socket',
      "import { socket } from '../controller/socket.ts'\n",
      'apps/xr/src/scene/X.tsx',
      /components never touch the socket/,
    ],
  ])('fails on %s', async (_what, code, file, message) => {
    const errors = await boundaryErrors(code, file)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
  })

  it('lets the allowed directions through', async () => {
    expect(
      await boundaryErrors("import { maskToMesh } from '@fastsam-xr/mesh'\n", 'packages/session/src/x.ts'),
    ).toEqual([])
    expect(
      await boundaryErrors("import { foldPrompts } from '@fastsam-xr/session'\n", 'server/src/x.ts'),
    ).toEqual([])
    expect(
      await boundaryErrors("import { decodeMesh } from '@fastsam-xr/mesh/wire'\n", 'apps/xr/src/ui/X.tsx'),
    ).toEqual([])
  })
})

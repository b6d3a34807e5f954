import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { startClient } from './controller/connect.ts'
import { TEST_BUILD } from './testBuild.ts'
import { installTestHooks } from './testHooks.ts'

if (TEST_BUILD) installTestHooks()
startClient()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

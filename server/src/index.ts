/** The edge server: `startServer(loadConfig(argv))`. The CLI's `serve` and `start` call this. */
export { startServer, type RunningServer, type StartOptions } from './server.ts'
export {
  loadConfig,
  resolveModelDir,
  ConfigError,
  DEFAULT_DATA_DIR,
  DEFAULT_MODEL_DIR,
  type ServerConfig,
} from './config.ts'
export { lanUrls } from './transport/urls.ts'
export { newSiteKey, storedSiteKey, SITE_KEY_FILE } from './transport/siteKey.ts'

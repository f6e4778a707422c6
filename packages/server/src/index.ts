export { buildApp, type AppDependencies } from './app.js';
export { type Config, ConfigError, loadConfig } from './config/config.js';
export { type RunningServer, startServer } from './server.js';

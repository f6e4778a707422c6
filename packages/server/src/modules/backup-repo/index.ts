export { type BackupRepoModuleOptions, createBackupRepoModule } from './backup-repo.module.js';
export { backupRepoRoutes } from './backup-repo.routes.js';
export { BackupRepoService } from './backup-repo.service.js';

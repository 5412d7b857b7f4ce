import { Command } from 'commander';
import { VERSION } from '../core/identity.js';
import { registerStatus } from './commands/status.js';
import { registerRun } from './commands/run.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerControlCommands } from './commands/control.js';
import { registerApprovalCommands } from './commands/approval.js';
import { registerDoctor } from './commands/doctor.js';
import { registerService } from './commands/service.js';
import { registerInit } from './commands/init.js';
import { registerPermissionServer } from './commands/permission-server.js';
import { registerPermissionCommands } from './commands/permissions.js';
import { registerLogin } from './commands/login.js';
import { registerDashboard } from './commands/dashboard.js';
import { reportCliError } from './errors.js';

/** `beacon`: the headless CLI. Each command family lives in its own file under commands/. */
const program = new Command('beacon')
  .description('Beacon: claims queued agent commands and runs them on this machine')
  .version(`${VERSION}`, '-V, --version', 'print the version')
  .showHelpAfterError();

registerStatus(program);
registerRun(program);
registerEnqueue(program);
registerQueueCommands(program); // list, show, logs
registerControlCommands(program); // cancel, pause, resume
registerApprovalCommands(program); // approve, reject
registerPermissionCommands(program); // requests, allow, deny
registerDoctor(program);
registerService(program);
registerInit(program);
registerPermissionServer(program); // hidden: started by the claude CLI
registerLogin(program); // login, logout
registerDashboard(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportCliError(error);
});

/**
 * What a service file needs to start `beacon run`, decided once by the CLI and handed to the pure
 * generators. The home folder is part of it so tests never write into a real home.
 */
export interface ServiceSpec {
  /** The Node binary that runs the CLI (process.execPath). */
  nodePath: string;
  /** Absolute path of dist-cli/beacon.cjs. */
  cliPath: string;
  /** The user's home folder (where LaunchAgents / .config/systemd live). */
  homeDir: string;
  /** MENTU_HOME when the user set one (passed on to the service), else null. */
  mentuHome: string | null;
  /** Where launchd writes the executor's stdout and stderr (paths.beaconLog). */
  logPath: string;
}

/** One platform's service: the file to write and the commands that load and unload it. */
export interface ServicePlan {
  platform: 'darwin' | 'linux';
  file: string;
  content: string;
  /** Shell commands to run after writing the file. */
  loadCommands: string[];
  /** Shell commands that stop the service once its file is removed. */
  unloadCommands: string[];
  /** Links the platform's own enable step made, removed on uninstall so nothing dangles. */
  enableLinks: string[];
}

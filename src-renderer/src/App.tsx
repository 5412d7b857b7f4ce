import { useEffect, useMemo, useState } from 'react';
import type { CommandView } from '../../src-main/core/contract/types.js';
import type { UiClient } from './transport/index.js';
import { useBeacon, useNow } from './use-beacon.js';
import { errorMessage, firstLine } from './format.js';
import { Header } from './components/Header.js';
import { CommandList, orderCommands } from './components/CommandList.js';
import { CommandDetail } from './components/CommandDetail.js';
import { OutputView } from './components/OutputView.js';
import { ConfirmDialog } from './components/ConfirmDialog.js';
import { LockPanel, StandbyBanner } from './components/LockPanel.js';
import { SettingsPanel } from './components/SettingsPanel.js';
import { FleetPanel } from './components/FleetPanel.js';
import { PermissionRequests } from './components/PermissionRequests.js';
import { CommandToolbar } from './components/CommandToolbar.js';
import { NewCommandForm } from './components/NewCommandForm.js';
import { filterCommands, isFiltering, NO_FILTER, type CommandFilter } from './command-filter.js';
import { waitingView } from './status-view.js';
import { useNarrow } from './use-narrow.js';
import { configNotices } from '../../src-main/core/contract/config-notices.js';

type Tab = 'commands' | 'locks' | 'settings' | 'fleet';
type Confirming = { kind: 'cancel' | 'requeue'; command: CommandView } | null;
/** Until the user picks a command, the view follows the newest running one. */
type Selection = { mode: 'auto' } | { mode: 'pinned'; id: string };

export function App({ client }: { client: UiClient }) {
  const { snapshot, link, loadError, notices, dismissNotice, addNotice } = useBeacon(client);
  const now = useNow();
  const [chosenTab, setTab] = useState<Tab>('commands');
  const [selection, setSelection] = useState<Selection>({ mode: 'auto' });
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState<CommandFilter>(NO_FILTER);
  const [composing, setComposing] = useState(false);
  // In the popover one pane shows at a time: the list, or the chosen command (or the New command form).
  const narrow = useNarrow();
  const [pane, setPane] = useState<'list' | 'work'>('list');

  // The shell asks for a command (a notification was clicked): show it.
  useEffect(
    () =>
      client.shell?.onOpenCommand?.((id) => {
        setTab('commands');
        setSelection({ mode: 'pinned', id });
      }),
    [client],
  );

  // The Fleet tab disappears when Supabase stops reporting machines.
  const tab: Tab = chosenTab === 'fleet' && !snapshot?.fleet.length ? 'commands' : chosenTab;

  const allCommands = useMemo(() => (snapshot ? orderCommands(snapshot.commands) : []), [snapshot]);
  const commands = useMemo(() => filterCommands(allCommands, filter), [allCommands, filter]);
  const selected =
    (selection.mode === 'pinned' ? commands.find((c) => c.id === selection.id) : undefined) ?? (selection.mode === 'auto' ? commands[0] : undefined) ?? null;
  const configNotice = configNotices(snapshot);
  const waiting = waitingView(link, loadError);

  const decideApproval = client.decideApproval?.bind(client);
  const followUp = client.followUp?.bind(client);
  const awaitingApproval = snapshot?.commands.filter((c) => c.status === 'awaiting_approval').length ?? 0;

  const run = async (label: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      const result = (await action()) as { ok?: boolean; message?: string } | undefined;
      if (result && result.ok === false) addNotice('error', result.message ?? `${label} failed.`);
      else if (result?.message) addNotice('info', result.message);
    } catch (error) {
      addNotice('error', `${label} failed: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const tabs: { id: Tab; label: string }[] = [
    { id: 'commands', label: `Commands${snapshot ? ` (${snapshot.commands.length}${awaitingApproval ? `, ${awaitingApproval} to approve` : ''})` : ''}` },
    { id: 'locks', label: 'Lock holders' },
    { id: 'settings', label: 'Settings' },
    ...(snapshot && snapshot.fleet.length > 0 ? [{ id: 'fleet' as const, label: 'Fleet' }] : []),
  ];

  return (
    <div className="app">
      <Header
        snapshot={snapshot}
        link={link}
        busy={busy}
        onRetry={() => client.reconnect()}
        shell={client.shell}
        onShellAction={(label, action) => void run(label, action)}
        onTogglePause={() => snapshot && void run(snapshot.paused ? 'Resume' : 'Pause', () => (snapshot.paused ? client.resume() : client.pause()))}
      />
      {snapshot && <StandbyBanner snapshot={snapshot} />}
      {snapshot?.problem && (
        <div className="banner banner-error" role="alert" data-testid="problem-banner">
          {snapshot.problem}
        </div>
      )}
      {snapshot?.skippedCommands && snapshot.skippedCommands.length > 0 && (
        <div className="banner banner-error" role="status" data-testid="skipped-banner">
          {snapshot.skippedCommands.length === 1 ? 'One row is' : `${snapshot.skippedCommands.length} rows are`} left out of the list because
          Beacon cannot read {snapshot.skippedCommands.length === 1 ? 'it' : 'them'}: {snapshot.skippedCommands[0]!.reason}
        </div>
      )}
      {configNotice.invalid && (
        <div className="banner banner-error long-text" role="alert" data-testid="config-error-banner">
          {configNotice.invalid}
        </div>
      )}
      {configNotice.restart && (
        <div className="banner banner-restart" data-testid="restart-banner">
          {configNotice.restart}
        </div>
      )}
      {snapshot?.paused && (
        <div className="banner banner-paused" data-testid="paused-banner">
          Paused: Beacon is not claiming new commands. Running commands continue.
        </div>
      )}
      {snapshot && (
        <PermissionRequests
          snapshot={snapshot}
          now={now}
          selectedCommandId={selected?.id ?? null}
          answer={client.answerPermission?.bind(client)}
          onSelectCommand={(id) => {
            setTab('commands');
            setSelection({ mode: 'pinned', id });
          }}
          onAnswered={(message, ok) => addNotice(ok ? 'info' : 'error', message)}
        />
      )}
      <nav
        className="tabs"
        role="tablist"
        aria-label="Views"
        onKeyDown={(event) => {
          // Arrow keys move between tabs, as in any tab list.
          if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
          const index = tabs.findIndex((t) => t.id === tab);
          const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
          setTab(next.id);
          document.getElementById(`tab-${next.id}`)?.focus();
        }}
      >
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={tab === t.id ? 'active' : undefined}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </nav>
      {!snapshot && (
        <div className="empty-state" role={loadError ? 'alert' : undefined} data-testid="waiting-state">
          <p className="empty-title">{waiting.title}</p>
          <p className="muted">{waiting.detail}</p>
        </div>
      )}
      {snapshot && (
        <main className="content">
          <section
            id="panel-commands"
            role="tabpanel"
            aria-labelledby="tab-commands"
            hidden={tab !== 'commands'}
            className={`commands-layout${narrow ? ` narrow show-${pane}` : ''}`}
          >
            <div className="list-pane">
              <CommandToolbar
                filter={filter}
                onFilter={setFilter}
                shown={commands.length}
                total={allCommands.length}
                onNew={
                  client.enqueue
                    ? () => {
                        setComposing(true);
                        setPane('work');
                      }
                    : undefined
                }
              />
              <CommandList
                commands={commands}
                selectedId={composing ? null : (selected?.id ?? null)}
                now={now}
                paused={snapshot.paused}
                filtered={isFiltering(filter) && allCommands.length > 0}
                onSelect={(id) => {
                  setComposing(false);
                  setSelection({ mode: 'pinned', id });
                  setPane('work');
                }}
              />
            </div>
            <div className="work-pane">
              {narrow && (
                <div className="back-bar">
                  <button type="button" className="link-button" onClick={() => setPane('list')} data-testid="back-to-list">
                    ‹ All commands
                  </button>
                </div>
              )}
              {composing && (
                <NewCommandForm
                  client={client}
                  connected={link.state === 'connected'}
                  onClose={() => {
                    setComposing(false);
                    setPane('list');
                  }}
                  onQueued={(id, message) => {
                    setComposing(false);
                    setFilter(NO_FILTER);
                    setSelection({ mode: 'pinned', id });
                    addNotice('info', message);
                  }}
                />
              )}
              {!composing && selected && (
                <CommandDetail
                  command={selected}
                  now={now}
                  busy={busy}
                  onCancel={() => setConfirming({ kind: 'cancel', command: selected })}
                  onRequeue={() => setConfirming({ kind: 'requeue', command: selected })}
                  onFollowUp={followUp && ((prompt) => run('Follow up', () => followUp(selected.id, prompt)))}
                  decideApproval={decideApproval && ((decision) => decideApproval(selected.id, decision))}
                  onApprovalDecided={(message) => addNotice('info', message)}
                  readCommandText={client.readCommandText && (() => client.readCommandText!(selected.id))}
                />
              )}
              {!composing && <OutputView client={client} command={selected} linkGeneration={link.generation} />}
            </div>
          </section>
          <section id="panel-locks" role="tabpanel" aria-labelledby="tab-locks" hidden={tab !== 'locks'} className="panel">
            <LockPanel holders={snapshot.lockHolders} />
          </section>
          <section id="panel-settings" role="tabpanel" aria-labelledby="tab-settings" hidden={tab !== 'settings'} className="panel">
            {tab === 'settings' && <SettingsPanel client={client} connected={link.state === 'connected'} auth={snapshot.source.auth ?? null} />}
          </section>
          {snapshot.fleet.length > 0 && (
            <section id="panel-fleet" role="tabpanel" aria-labelledby="tab-fleet" hidden={tab !== 'fleet'} className="panel">
              <FleetPanel fleet={snapshot.fleet} />
            </section>
          )}
        </main>
      )}
      <div className="notices" aria-live="polite">
        {notices.map((notice) => (
          <div key={notice.id} className={`notice notice-${notice.level}`} data-testid="notice">
            <span>{notice.message}</span>
            <button type="button" className="link-button" aria-label="Dismiss" onClick={() => dismissNotice(notice.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
      {confirming && (
        <ConfirmDialog
          title={confirming.kind === 'cancel' ? 'Cancel this command?' : 'Run this command again?'}
          body={
            confirming.kind === 'cancel'
              ? `“${firstLine(confirming.command.prompt, 80)}” will be stopped${confirming.command.status === 'running' ? ' (its process is killed)' : ''} and marked cancelled.`
              : `A new command with the same prompt and directory is queued: “${firstLine(confirming.command.prompt, 80)}”.`
          }
          confirmLabel={confirming.kind === 'cancel' ? 'Cancel command' : 'Re-queue'}
          danger={confirming.kind === 'cancel'}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const { kind, command } = confirming;
            setConfirming(null);
            void run(kind === 'cancel' ? 'Cancel' : 'Re-queue', () => (kind === 'cancel' ? client.cancel(command.id) : client.requeue(command.id)));
          }}
        />
      )}
    </div>
  );
}

/**
 * `recover completion bash|zsh|fish`: a completion script generated from the commander table
 * itself, so a new command or flag is completed without editing this file. Static lists (no
 * call back into recover at each TAB): completing stays instant.
 *
 *   bash: recover completion bash > ~/.local/share/bash-completion/completions/recover
 *   zsh:  recover completion zsh > "${fpath[1]}/_recover"
 *   fish: recover completion fish > ~/.config/fish/completions/recover.fish
 */
import type { Command } from 'commander';
import type { CliIO } from '../context.js';
import { badValue } from '../errors.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

interface Entry {
  /** "onboard stripe", "status", "" for the root. */
  path: string;
  subcommands: string[];
  flags: Array<{ flag: string; description: string }>;
}

function walk(cmd: Command, prefix: string[], out: Entry[]): void {
  out.push({
    path: prefix.join(' '),
    subcommands: cmd.commands.map((c) => c.name()),
    flags: cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({ flag: o.long ?? o.short ?? '', description: o.description }))
      .filter((f) => f.flag),
  });
  for (const c of cmd.commands) walk(c, [...prefix, c.name()], out);
}

export function completionScript(shell: (typeof SHELLS)[number], program: Command): string {
  const entries: Entry[] = [];
  walk(program, [], entries);
  const root = (e: Entry) => (e.path ? [] : ['--help', '--version']);
  const words = (e: Entry) => [...e.subcommands, ...e.flags.map((f) => f.flag), ...root(e)].join(' ');
  if (shell === 'bash' || shell === 'zsh') {
    const cases = entries.map((e) => `    "${e.path}") words="${words(e)}" ;;`).join('\n');
    const body = [
      '_recover() {',
      '  local cur path="" w i',
      '  cur="${COMP_WORDS[COMP_CWORD]}"',
      '  # The command path: the words before the cursor that are not flags or flag values.',
      '  for ((i = 1; i < COMP_CWORD; i++)); do',
      '    w="${COMP_WORDS[i]}"',
      '    case "$w" in -*) continue ;; esac',
      '    case " $(_recover_words "$path") " in *" $w "*) path="${path:+$path }$w" ;; esac',
      '  done',
      '  COMPREPLY=($(compgen -W "$(_recover_words "$path")" -- "$cur"))',
      '}',
      '_recover_words() {',
      '  local words=""',
      '  case "$1" in',
      cases,
      '  esac',
      '  echo "$words"',
      '}',
    ].join('\n');
    if (shell === 'bash') return `# recover bash completion\n${body}\ncomplete -F _recover recover\n`;
    const head = '#compdef recover\n# recover zsh completion (bash-style, through bashcompinit)\n';
    return `${head}autoload -U +X bashcompinit && bashcompinit\n${body}\ncomplete -F _recover recover\n`;
  }
  const lines = ['# recover fish completion', 'complete -c recover -f'];
  const esc = (s: string) => s.replace(/'/g, "\\'");
  for (const e of entries) {
    const parts = e.path ? e.path.split(' ') : [];
    // Fish: a word applies once the path's words are seen and none of the path's subcommands yet.
    const seen = parts.length ? `__fish_seen_subcommand_from ${parts.at(-1)}` : '__fish_use_subcommand';
    const notDeeper = e.subcommands.length ? `; and not __fish_seen_subcommand_from ${e.subcommands.join(' ')}` : '';
    const cond = parts.length ? `${seen}${notDeeper}` : '__fish_use_subcommand';
    for (const sub of e.subcommands) lines.push(`complete -c recover -n '${cond}' -a ${sub}`);
    for (const f of e.flags) {
      if (!f.flag.startsWith('--')) continue;
      lines.push(`complete -c recover -n '${cond}' -l ${f.flag.slice(2)} -d '${esc(f.description)}'`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function runCompletion(shell: string, program: Command, io: CliIO): Promise<void> {
  if (!(SHELLS as readonly string[]).includes(shell)) throw badValue('shell', shell, SHELLS.join(' | '));
  const { Output } = await import('../ui/output.js');
  const out = new Output({ stdout: io.stdout, stderr: io.stderr, env: io.env });
  out.document(completionScript(shell as (typeof SHELLS)[number], program));
}

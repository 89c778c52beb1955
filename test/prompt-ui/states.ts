// View states for the renderer tests: a plausible request, varied by phase, locale,
// protection and length of the machine texts.
import type { PromptViewState } from '../../prompt-ui/src/state.js';
import { secretArt } from '../../prompt-ui/src/secret-art.js';

export const ACTION_TEXT: Readonly<Record<string, { description: string; message: string }>> = {
  'en-US': { description: 'Install package', message: 'Authentication is required to install software' },
  'de-DE': { description: 'Paket installieren', message: 'Zum Installieren von Software ist eine Authentifizierung erforderlich' },
  'ja-JP': { description: 'パッケージのインストール', message: 'ソフトウェアをインストールするには認証が必要です' },
  'ar-EG': { description: 'تثبيت حزمة', message: 'المصادقة مطلوبة لتثبيت البرمجيات' },
  'fr-FR': { description: 'Installer un paquet', message: 'Authentification requise pour installer un logiciel' },
  'es-ES': { description: 'Instalar paquete', message: 'Se requiere autenticación para instalar software' },
};

export function baseState(over: Partial<PromptViewState> = {}): PromptViewState {
  const lang = over.lang ?? 'en-US';
  const text = ACTION_TEXT[lang] ?? ACTION_TEXT['en-US']!;
  return {
    windowKey: 'trustpath-prompt-5f1c9a0e',
    lang,
    phase: 'password',
    protectedDisplay: true,
    action: { id: 'org.freedesktop.packagekit.package-install', description: text.description, message: text.message, iconName: 'package-x-generic' },
    requester: {
      pid: 4242, exe: '/usr/bin/pkexec', cmdline: ['pkexec', '/usr/bin/apt', 'install', 'hello'], user: 'alice', uid: 1000,
      parents: [
        { pid: 4100, exe: '/usr/bin/bash', cmdline: ['bash'] },
        { pid: 3900, exe: '/usr/bin/gnome-terminal-server', cmdline: ['/usr/libexec/gnome-terminal-server'] },
      ],
    },
    identities: [{ uid: 1000, name: 'alice', realName: 'Alice Example' }],
    selected: 0,
    details: [['polkit.subject-pid', '4242']],
    secret: secretArt(new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff)),
    pam: { kind: 'prompt', text: 'Password: ', echo: false },
    typed: 0,
    retry: null,
    locked: null,
    deadlineMs: Date.now() + 120_000,
    notice: null,
    finished: null,
    ...over,
  };
}

/** A requester whose paths and command line are far wider than any screen. */
export function longState(over: Partial<PromptViewState> = {}): PromptViewState {
  const longPath = `/opt/${'very-long-directory-name-'.repeat(30)}bin/tool`;
  const args = Array.from({ length: 60 }, (_, i) => `--option-${i}=${'x'.repeat(120)}`);
  const b = baseState(over);
  return {
    ...b,
    requester: {
      ...b.requester, exe: longPath, cmdline: [longPath, ...args, 'a'.repeat(1000)],
      parents: Array.from({ length: 12 }, (_, i) => ({ pid: 100 + i, exe: longPath, cmdline: [longPath, ...args.slice(0, 5)] })),
    },
    details: Array.from({ length: 20 }, (_, i) => [`detail-key-${i}-${'k'.repeat(80)}`, 'v'.repeat(900)] as const),
    ...over,
  };
}

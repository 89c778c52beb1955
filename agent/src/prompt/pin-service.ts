// org.trustpath.Pin1 at /org/trustpath/Pin1 (on trustpathd's connection): a user
// sets or removes the PIN that may stand in for their own password on their own
// auth_self requests (trusted-prompt.ts verifyWithoutPam).
//
//   Set()     the caller's display shows the trusted prompt: SAK, the caller's own
//             password (PAM), then the new PIN twice; it is stored as the argon2id
//             hash trustpath-input computed (the daemon never sees the PIN)
//   Remove()  forgets the caller's PIN
// Only for callers at a local X display the trusted prompt serves: nowhere else can a
// PIN be typed safely. Errors are org.freedesktop.PolicyKit1.Error.Failed.
import type { InterfaceDef } from '../bus/object-server.js';
import { failed } from '../bus/errors.js';
import type { BusDaemon } from '../bus/bus-daemon.js';
import type { AuthenticationManager } from '../auth/authentication-manager.js';
import type { SubjectResolver } from '../authority/subjects.js';
import { processFacts, startTimeOf, unknownProcess, type ExeFacts } from '../identity/proc.js';
import type { UserDatabase } from '../identity/users.js';
import type { DisplayResolver } from './displays.js';
import { bcp47, composeLocale } from './locales.js';
import type { PinEntry, TrustedPrompts } from './trusted-prompt.js';
import type { UserSecrets } from './user-secrets.js';

export const PIN_PATH = '/org/trustpath/Pin1';
export const PIN_IFACE = 'org.trustpath.Pin1';
export const PIN_ACTION = 'org.trustpath.pin.set';
const TRIES = 3;

export interface PinServiceDeps {
  readonly busDaemon: BusDaemon;
  readonly resolver: SubjectResolver;
  readonly displays: DisplayResolver;
  readonly users: UserDatabase;
  readonly prompts: TrustedPrompts;
  readonly manager: AuthenticationManager;
  readonly secrets: UserSecrets;
  readonly exeOf: (pid: number) => Promise<ExeFacts>;
  readonly log: (m: string) => void;
}

/** The set-up's own action texts (it has no .policy file) in the prompt's languages. */
const PIN_TEXTS: Readonly<Record<string, { readonly description: string; readonly message: string }>> = {
  en: { description: 'Set a PIN for your own requests', message: 'Set a PIN that may stand in for your password when you approve your own requests' },
  de: { description: 'Eine PIN für Ihre eigenen Anfragen festlegen', message: 'Legen Sie eine PIN fest, die Ihr Passwort ersetzen kann, wenn Sie Ihre eigenen Anfragen bestätigen' },
  fr: { description: 'Définir un code PIN pour vos propres demandes', message: 'Définissez un code PIN qui pourra remplacer votre mot de passe quand vous approuvez vos propres demandes' },
  es: { description: 'Establecer un PIN para sus propias solicitudes', message: 'Establezca un PIN que pueda sustituir a su contraseña cuando apruebe sus propias solicitudes' },
  ja: { description: '自分の要求のための PIN を設定', message: '自分の要求を承認するとき、パスワードの代わりに使える PIN を設定します' },
  ar: { description: 'تعيين رمز PIN لطلباتك الخاصة', message: 'عيّن رمز PIN يمكن أن يحل محل كلمة المرور عندما توافق على طلباتك الخاصة' },
};

/** The texts for a BCP 47 tag ('de-DE' → de), English for other languages. */
export function pinTexts(lang: string): { readonly description: string; readonly message: string } {
  return PIN_TEXTS[lang.split('-')[0]!] ?? PIN_TEXTS['en']!;
}

/** The PIN the user chose, confirmed once; null when they gave up or the prompt ended. */
async function chooseConfirmed(pin: PinEntry): Promise<string | null> {
  for (let i = 0; i < TRIES; i++) {
    const hash = await pin.choose(i === 0 ? 'pin-new' : 'pin-mismatch');
    if (hash === null) continue;
    const same = await pin.check('pin-again', hash);
    if (same === null) return null;
    if (same) return hash;
  }
  return null;
}

export function pinInterface(d: PinServiceDeps): InterfaceDef {
  return {
    name: PIN_IFACE,
    methods: {
      Set: {
        in: [], out: [],
        handler: async (c) => {
          try {
            await setPin(d, c.sender);
          } catch (e) {
            d.log(`PIN not set for ${c.sender}: ${(e as Error)?.message ?? String(e)}`);
            throw e;
          }
          return [];
        },
      },
      Remove: {
        in: [], out: [],
        handler: async (c) => {
          const uid = await d.busDaemon.uidOf(c.sender);
          d.secrets.removePin(uid);
          d.log(`PIN of unix-user:${uid} removed`);
          return [];
        },
      },
    },
    properties: {},
    signals: {},
  };
}

async function setPin(d: PinServiceDeps, sender: string): Promise<void> {
  const { uid, pid } = await d.busDaemon.credentials(sender);
  const startTime = startTimeOf(pid);
  const subject = { kind: 'unix-process' as const, pid, startTime, uid };
  const user = await d.users.userByUid(uid);
  if (!user) throw failed(`uid ${uid} has no user name`);
  const session = await d.resolver.sessionOf(subject, uid).catch(() => null);
  const target = await d.displays.displayFor(session, uid);
  if (target === null) throw failed('A PIN can only be set at a local X display that shows the trusted prompt');
  const facts = await d.exeOf(pid).catch(() => unknownProcess(pid));
  let stored = false;
  let flowDone!: () => void;
  const flow = new Promise<void>((resolve) => { flowDone = resolve; });
  const lang = bcp47(facts.locale);
  const texts = pinTexts(lang);
  const side = d.prompts.side(target, {
    lang, description: texts.description, composeLocale: composeLocale(facts.ctype),
    afterSuccess: async (authUid, pin) => {
      try {
        if (authUid !== uid) return;
        const hash = await chooseConfirmed(pin);
        if (hash === null) return;
        d.secrets.setPin(uid, hash);
        stored = true;
      } finally {
        flowDone();
      }
    },
  });
  const result = await d.manager.authenticate({
    sessionKey: `pin:${uid}`, candidates: [uid], actionId: PIN_ACTION,
    subject: `unix-process:${pid}:${startTime}`, signal: new AbortController().signal,
    requester: { pid, uid, exe: facts.exe ?? '<unknown>', cmdline: processFacts(pid).argv, busName: sender },
    presentation: { message: texts.message, iconName: '', untrustedDetails: {} },
  }, side);
  if (result.outcome !== 'authenticated') throw failed(`Not authenticated (${result.outcome}); the PIN is unchanged`);
  // the prompt asks for the PIN after the authentication has returned
  await flow;
  if (!stored) throw failed('No PIN was set (too short, not the same twice, or cancelled)');
  d.log(`PIN of unix-user:${uid} set`);
}

// The D-Bus face of the authority: org.freedesktop.PolicyKit1.Authority at
// /org/freedesktop/PolicyKit1/Authority, argument by argument as polkitd declares it.
import type { InterfaceDef } from '../bus/object-server.js';
import type { Authority } from './authority.js';

export const AUTHORITY_PATH = '/org/freedesktop/PolicyKit1/Authority';
export const AUTHORITY_IFACE = 'org.freedesktop.PolicyKit1.Authority';
export const BUS_NAME = 'org.freedesktop.PolicyKit1';

const SUBJECT = '(sa{sv})';

export function authorityInterface(a: Authority, props: { name: string; version: string; features: number }): InterfaceDef {
  const s = (v: unknown): string => v as string;
  const u = (v: unknown): number => v as number;
  return {
    name: AUTHORITY_IFACE,
    methods: {
      EnumerateActions: {
        in: [['locale', 's']], out: [['action_descriptions', 'a(ssssssuuua{ss})']],
        handler: (_c, [locale]) => [a.enumerateActions(s(locale))],
      },
      CheckAuthorization: {
        in: [['subject', SUBJECT], ['action_id', 's'], ['details', 'a{ss}'], ['flags', 'u'], ['cancellation_id', 's']],
        out: [['result', '(bba{ss})']],
        handler: async (c, [subject, action, details, flags, cancel]) =>
          [await a.checkAuthorization(c.sender, subject, s(action), details, u(flags), s(cancel))],
      },
      CancelCheckAuthorization: {
        in: [['cancellation_id', 's']], out: [],
        handler: (c, [id]) => { a.cancelCheckAuthorization(c.sender, s(id)); return []; },
      },
      RegisterAuthenticationAgent: {
        in: [['subject', SUBJECT], ['locale', 's'], ['object_path', 's']], out: [],
        handler: async (c, [subject, locale, path]) => { await a.registerAgent(c.sender, subject, s(locale), s(path), {}); return []; },
      },
      RegisterAuthenticationAgentWithOptions: {
        in: [['subject', SUBJECT], ['locale', 's'], ['object_path', 's'], ['options', 'a{sv}']], out: [],
        handler: async (c, [subject, locale, path, options]) => {
          await a.registerAgent(c.sender, subject, s(locale), s(path), options);
          return [];
        },
      },
      UnregisterAuthenticationAgent: {
        in: [['subject', SUBJECT], ['object_path', 's']], out: [],
        handler: async (c, [subject, path]) => { await a.unregisterAgent(c.sender, subject, s(path)); return []; },
      },
      AuthenticationAgentResponse: {
        in: [['cookie', 's'], ['identity', SUBJECT]], out: [],
        handler: async (c, [cookie, identity]) => { await a.agentResponse(c.sender, undefined, s(cookie), identity); return []; },
      },
      AuthenticationAgentResponse2: {
        in: [['uid', 'u'], ['cookie', 's'], ['identity', SUBJECT]], out: [],
        handler: async (c, [uid, cookie, identity]) => { await a.agentResponse(c.sender, u(uid), s(cookie), identity); return []; },
      },
      AuthenticationAgentResponse3: {
        in: [['cookie', 's'], ['identity', SUBJECT], ['subject', SUBJECT]], out: [],
        handler: async (c, [cookie, identity, subject]) => { await a.agentResponse3(c.sender, s(cookie), identity, subject); return []; },
      },
      EnumerateTemporaryAuthorizations: {
        in: [['subject', SUBJECT]], out: [['temporary_authorizations', 'a(ss(sa{sv})tt)']],
        handler: async (c, [subject]) => [await a.enumerateTemporary(c.sender, subject)],
      },
      RevokeTemporaryAuthorizations: {
        in: [['subject', SUBJECT]], out: [],
        handler: async (c, [subject]) => { await a.revokeTemporary(c.sender, subject); return []; },
      },
      RevokeTemporaryAuthorizationById: {
        in: [['id', 's']], out: [],
        handler: async (c, [id]) => { await a.revokeTemporaryById(c.sender, s(id)); return []; },
      },
    },
    properties: {
      BackendName: { signature: 's', get: () => props.name },
      BackendVersion: { signature: 's', get: () => props.version },
      BackendFeatures: { signature: 'u', get: () => props.features },
    },
    signals: { Changed: [] },
  };
}

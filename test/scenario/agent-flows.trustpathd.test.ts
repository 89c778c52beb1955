// Agent flows against trustpathd: the same tests as polkitd's (agent-flows.ts), plus
// the expiry of a temporary authorization, which polkitd 122 cannot shorten.
import { agentFlowSuite, expirySuite } from './agent-flows.js';

agentFlowSuite('trustpathd');
expirySuite({ expirationSeconds: 2 });

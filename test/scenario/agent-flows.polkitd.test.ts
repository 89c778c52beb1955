// Agent flows against Debian's polkitd (the baseline; see agent-flows.ts).
import { agentFlowSuite } from './agent-flows.js';

agentFlowSuite('polkitd');

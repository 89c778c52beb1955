// pkexec and pkttyagent end to end against Debian's polkitd (see pkexec-suite.ts).
import { pkexecSuite } from './pkexec-suite.js';

pkexecSuite('polkitd');

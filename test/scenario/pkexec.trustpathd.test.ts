// pkexec and pkttyagent end to end against trustpathd (see pkexec-suite.ts).
import { pkexecSuite } from './pkexec-suite.js';

pkexecSuite('trustpathd');

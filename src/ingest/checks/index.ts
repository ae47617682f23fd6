/** 四性检测 of received transfer packages (DA/T 70-2018, 移交与接收). */
export { findingCheck, runChecks, TRANSFER_CHECK_IDS } from './run.js';
export { DAT46_REQUIRED_ELEMENTS } from './metadata.js';
export { ClamdScanner, ClamscanScanner, findScanner, type ScannerOptions } from './virus.js';
export type { CheckConfig, CheckEnv, CheckOutcome, CheckReport, CheckResult, Offending, ScanVerdict, VirusScanner } from './types.js';

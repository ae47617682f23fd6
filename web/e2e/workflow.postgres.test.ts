import { describeWorkflow } from './workflow.js';

describeWorkflow('postgres');

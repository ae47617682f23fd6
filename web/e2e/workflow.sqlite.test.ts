import { describeWorkflow } from './workflow.js';

describeWorkflow('sqlite');

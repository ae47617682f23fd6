import { describeTransferInbox } from './transfer.js';

describeTransferInbox('postgres');

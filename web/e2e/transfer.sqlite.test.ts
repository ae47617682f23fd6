import { describeTransferInbox } from './transfer.js';

describeTransferInbox('sqlite');

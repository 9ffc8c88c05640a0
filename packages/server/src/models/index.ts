export { Account } from './Account.js';
export { AccountBalance } from './AccountBalance.js';
export { AgentTask } from './AgentTask.js';
export { Asset } from './Asset.js';
export { BaseModel, newId } from './BaseModel.js';
export { PlaidItem, type PlaidItemStatus } from './PlaidItem.js';
export { RealEstate } from './RealEstate.js';
export { Transaction } from './Transaction.js';
export { User } from './User.js';

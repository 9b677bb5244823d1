/** What a workflow asks to tell people; recipients are user names or mail addresses. */
export interface NotificationMessage {
  recipients: string[];
  subject: string;
  text: string;
  /** The gate a request or reminder is about: the mail then links to its page in the approval service. */
  gate?: string;
}

export interface NotifyInput extends NotificationMessage {
  workflowId: string;
  /** Deterministic per notification (workflow id, run id, sequence). */
  idempotencyKey: string;
}

export interface NotifyResult {
  delivery: 'mail' | 'audit' | 'already-sent';
  addresses: string[];
}

import sql from 'mssql';
import type { ServerConnection } from '../../../engines/engine';
import type { OpenSqlSession, SqlSession } from '../../../engines/mssql/mssql-session';
import type { SqlValue, TsqlStatement } from '../../../engines/mssql/mssql-statements';

/** One batch as the engine sent it, on which session (1 = first opened) and database. */
export interface SentStatement {
  session: number;
  database: string;
  text: string;
  params: Record<string, SqlValue>;
}

/** Rows to answer with, an error to fail with, or a promise of either (to hold a statement open). */
export type Reply = unknown[] | Error | Promise<unknown[]>;
export type Responder = (statement: TsqlStatement, sent: SentStatement) => Reply | undefined;

/**
 * Captures exactly what the SQL Server engine sends, so tests can assert the T-SQL text and
 * parameters of every step. Not a model of SQL Server: replies are scripted per test.
 */
export class RecordingSqlServer {
  readonly sent: SentStatement[] = [];
  readonly opened: Array<{ session: number; database: string; host: string }> = [];
  closed = 0;

  constructor(private readonly respond: Responder = () => undefined) {}

  readonly open: OpenSqlSession = (connection: ServerConnection, database: string) => {
    const session = this.opened.length + 1;
    this.opened.push({ session, database, host: connection.host });
    const recorder: SqlSession = {
      query: async <Row>(statement: TsqlStatement): Promise<Row[]> => {
        const sent = { session, database, text: statement.text, params: { ...statement.params } };
        this.sent.push(sent);
        const reply = await this.respond(statement, sent);
        if (reply instanceof Error) throw reply;
        return (reply ?? []) as Row[];
      },
      close: async () => {
        this.closed += 1;
      },
    };
    return Promise.resolve(recorder);
  };

  /** Texts sent on one session, in order. */
  texts(session = 1): string[] {
    return this.sent.filter((s) => s.session === session).map((s) => s.text);
  }
}

/** Replies by the start of the statement text; the first matching prefix wins. */
export function replyByPrefix(replies: Array<[string, Reply | ((sent: SentStatement) => Reply)]>): Responder {
  return (statement, sent) => {
    const match = replies.find(([prefix]) => statement.text.startsWith(prefix));
    if (!match) return undefined;
    const reply = match[1];
    return typeof reply === 'function' ? reply(sent) : reply;
  };
}

/** A promise resolved from outside: holds a long statement open while polls happen. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const SERVER: ServerConnection = {
  engine: 'mssql',
  host: 'sql.example.test',
  port: 1433,
  user: 'stagecoach',
  password: 'not-a-real-secret',
  database: 'acme_staging',
};

/** A failed batch as mssql reports it: the last message, the earlier ones in `precedingErrors`. */
export function batchError(...failures: Array<[number, string]>): sql.RequestError {
  const errors = failures.map(([number, message]) => {
    const error = new sql.RequestError(message, 'EREQUEST');
    error.number = number;
    return error;
  });
  const last = errors.pop()!;
  return Object.assign(last, { precedingErrors: errors });
}

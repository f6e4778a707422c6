import assert from 'node:assert/strict';
import { it } from 'node:test';
import Fastify from 'fastify';
import pg from 'pg';
import { AppError } from '../app-error.js';
import { classifyError, handleError } from './error-handler.js';

/** An error as the PostgreSQL driver throws it. */
function databaseError(code: string, message: string): Error {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'ERROR';
  return error;
}

it('answers a transaction that lost a race with a concurrent one with a retryable 409', async () => {
  const deadlock = databaseError('40P01', 'deadlock detected');
  const raced = [
    deadlock,
    databaseError('40001', 'could not serialize access due to concurrent update'),
    databaseError('23503', 'insert or update on table "documents" violates foreign key constraint'),
  ];
  for (const error of raced) assert.equal(classifyError(error).code, 'request.conflict', error.message);

  const app = Fastify();
  app.setErrorHandler(handleError);
  app.get('/raced', () => {
    throw deadlock;
  });
  const res = await app.inject({ method: 'GET', url: '/raced' });
  await app.close();
  assert.equal(res.statusCode, 409);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, 'request.conflict');
  assert.match(body.error.message, /try again/);
  assert.ok(!res.body.includes('deadlock'), 'the database message stays in the log');
});

it('keeps other database failures and unknown errors internal (500), and app errors as they are', () => {
  for (const error of [
    databaseError('23505', 'duplicate key value violates unique constraint'),
    databaseError('22P02', 'invalid input syntax for type uuid'),
    new Error('something broke'),
  ]) {
    assert.equal(classifyError(error).code, 'server.internal', error.message);
  }
  assert.equal(classifyError(new AppError('records.id_erased')).code, 'records.id_erased');
});

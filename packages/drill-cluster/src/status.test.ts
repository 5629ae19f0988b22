import { describe, expect, it } from 'vitest';
import { failureStatus, statusErrors, successStatus } from './status';

const pods = { group: '', plural: 'pods', kind: 'Pod' };
const deployments = { group: 'apps', plural: 'deployments', kind: 'Deployment' };

describe('Status objects', () => {
  it('NotFound names the resource the way kubectl prints it, with details', () => {
    expect(statusErrors.notFound(pods, 'nope').status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
    expect(statusErrors.notFound(deployments, 'x').status).toMatchObject({
      message: 'deployments.apps "x" not found',
      details: { name: 'x', group: 'apps', kind: 'deployments' },
    });
  });

  it('401 says Unauthorized, which kubectl turns into "You must be logged in"', () => {
    expect(statusErrors.unauthorized().status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('409 AlreadyExists and Conflict, 410 Expired, 405, 415 carry their reasons', () => {
    expect(statusErrors.alreadyExists(pods, 'a').status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'pods "a" already exists' });
    expect(statusErrors.conflict(deployments, 'a', 'modified').status).toMatchObject({ code: 409, reason: 'Conflict', details: { name: 'a', group: 'apps' } });
    expect(statusErrors.expired('too old resource version: 1 (5)').status).toMatchObject({ code: 410, reason: 'Expired' });
    expect(statusErrors.methodNotAllowed().status).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    expect(statusErrors.unsupportedMediaType('application/apply-patch+yaml', ['application/json-patch+json']).status).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
    });
    expect(statusErrors.forbidden('no').status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(statusErrors.badRequest('bad').status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'bad' });
  });

  it('422 Invalid lists its causes in the message and in details', () => {
    const status = statusErrors.invalid(deployments, 'codesign-api', [
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
    ]).status;
    expect(status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "codesign-api" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: { name: 'codesign-api', group: 'apps', kind: 'Deployment', causes: [{ field: 'spec.replicas' }] },
    });
    const two = statusErrors.invalid(pods, 'p', [
      { message: 'Required value', field: 'spec.containers[0].image' },
      { message: 'Duplicate value: "a"', field: 'spec.containers[1].name' },
    ]).status;
    expect(two.message).toBe('Pod "p" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Duplicate value: "a"]');
  });

  it('builds plain failures and successes', () => {
    expect(failureStatus(503, 'ServiceUnavailable', 'down')).toMatchObject({ status: 'Failure', code: 503 });
    expect(successStatus({ name: 'a', kind: 'pods' })).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'a', kind: 'pods' },
      code: 200,
    });
  });
});

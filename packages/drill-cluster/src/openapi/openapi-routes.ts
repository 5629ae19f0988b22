/**
 * `GET /openapi/v2` and `/openapi/v3[/<group-version>]` as kube-openapi's handlers answer them:
 * v2 in gnostic protobuf when the Accept asks for it (kubectl does) and JSON otherwise; v3 per
 * group-version with an ETag, `304` on If-None-Match, `Cache-Control: public, immutable` when the
 * request names the current `?hash=`, and a 301 to the current hash when it names a stale one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusErrors } from '../status';
import { OpenApiDocuments, type PublishedDocument } from './documents';

/** What kubectl asks for; the answer's Content-Type is the spelling a mime parser accepts. */
export const OPENAPI_V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OPENAPI_V2_PROTOBUF_ALIASES = [OPENAPI_V2_PROTOBUF_ACCEPT, OPENAPI_V2_PROTOBUF];

const documents = new OpenApiDocuments();

/** The documents behind the routes (tests read them directly). */
export function openApiDocuments(): OpenApiDocuments {
  return documents;
}

function wantsProtobuf(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((entry) => entry.split(';')[0]?.trim() ?? '');
  for (const type of types) {
    if (OPENAPI_V2_PROTOBUF_ALIASES.includes(type)) return true;
    if (type === 'application/json' || type === '*/*') return false;
  }
  return false;
}

function send(req: IncomingMessage, res: ServerResponse, document: PublishedDocument, contentType: string, cacheControl: string): void {
  const etag = `"${document.hash}"`;
  const headers = { ETag: etag, 'Cache-Control': cacheControl, Vary: 'Accept' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': contentType, 'Content-Length': document.body.length });
  res.end(req.method === 'HEAD' ? undefined : document.body);
}

/** Answers an `/openapi/...` request; `path` has no trailing slash. Throws ApiErrors for the edge. */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw statusErrors.methodNotAllowed();
  if (path === '/openapi/v2') {
    const protobuf = wantsProtobuf(req.headers.accept);
    const document = documents.openApiV2(protobuf ? 'protobuf' : 'json');
    return send(req, res, document, protobuf ? OPENAPI_V2_PROTOBUF : 'application/json', 'no-cache, private');
  }
  if (path === '/openapi/v3') {
    const body = Buffer.from(JSON.stringify(documents.openApiV3Index()));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const groupVersion = path.slice('/openapi/v3/'.length);
  const document = path.startsWith('/openapi/v3/') ? documents.openApiV3(groupVersion) : undefined;
  if (!document) throw statusErrors.noRoute();
  const hash = query.get('hash');
  if (hash !== null && hash !== document.hash) {
    res.writeHead(301, { Location: `/openapi/v3/${groupVersion}?hash=${document.hash}`, 'Cache-Control': 'no-cache, private', 'Content-Length': 0 });
    res.end();
    return;
  }
  send(req, res, document, 'application/json', hash !== null ? 'public, immutable' : 'no-cache, private');
}

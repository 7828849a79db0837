// The REST API: JSON in and out, the access token attached, one retry after a refresh
// when the token expired. Failures become ApiError with the problem's `code`.

import { ApiError } from "./errors.js";

export const API = "/api/v1";

// Set by the session module: the current access token and a way to renew it. Kept as
// a hook so this module depends on nothing (the session module logs in through it).
let auth = { token: () => null, renew: async () => false };

export function setAuth(provider) {
  auth = provider;
}

/** `call("GET", "/rooms")`: the parsed JSON body (null for 204), or throws ApiError. */
export async function call(method, path, body, { retry = true, authorize = true } = {}) {
  const token = authorize ? auth.token() : null;
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("network", { code: "network" });
  }
  if (res.status === 401 && retry && token && (await auth.renew(token))) {
    return call(method, path, body, { retry: false, authorize });
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw problem(res, data);
  return data;
}

function problem(res, data) {
  const retry = Number(res.headers.get("Retry-After"));
  return new ApiError(data?.detail || data?.title || `HTTP ${res.status}`, {
    status: res.status,
    code: data?.code || (res.status >= 500 ? "internal_error" : "unknown"),
    fields: data?.errors || [],
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
  });
}

/** Every page of a cursor-paged list (`GET /rooms`, `GET /users`). */
export async function all(path, key) {
  const items = [];
  let cursor = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const page = await call("GET", `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page[key]);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

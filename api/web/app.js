// papo's browser client: one /api/v1/ws socket for every room, resumed with `since`
// after any disconnect so nothing is lost. No framework, no build step.

const $ = (sel) => document.querySelector(sel);
const api = "/api/v1";

const state = {
  session: null, // {id, name, username, access_token, refresh_token, expires_in}
  rooms: new Map(), // id -> room listing
  current: null, // room id on screen
  messages: new Map(), // room id -> Map(seq -> message)
  lastSeq: new Map(), // room id -> highest seq seen (the resume point)
  oldest: new Map(), // room id -> next_before for scroll-back (null: nothing older)
  pending: new Map(), // temp_id -> {room, content, failed}
  presence: new Map(), // room id -> [user]
  typing: new Map(), // room id -> [user]
  socket: null,
  backoff: 500,
  typingSentAt: 0,
  readMarker: null, // {room, seq}: where "new messages" begin in the open room
  refreshTimer: null,
};

// ---------- HTTP ----------

async function call(method, path, body, retry = true) {
  const headers = {};
  if (state.session) headers.Authorization = `Bearer ${state.session.access_token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && retry && state.session?.refresh_token) {
    if (await refresh()) return call(method, path, body, false);
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(problemText(data, res.status));
  return data;
}

function problemText(problem, status) {
  if (!problem) return `Request failed (${status}).`;
  if (problem.errors?.length) return problem.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return problem.detail || problem.title || `Request failed (${status}).`;
}

// ---------- session ----------

function keepSession(session) {
  state.session = session;
  if (session.refresh_token) localStorage.setItem("papo.refresh", session.refresh_token);
  clearTimeout(state.refreshTimer);
  // Renew the access token a minute before it expires.
  const inMs = Math.max(10, session.expires_in - 60) * 1000;
  state.refreshTimer = setTimeout(refresh, inMs);
}

async function refresh() {
  const token = state.session?.refresh_token || localStorage.getItem("papo.refresh");
  if (!token) return false;
  const res = await fetch(`${api}/auth/refresh_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: token }),
  });
  if (!res.ok) {
    localStorage.removeItem("papo.refresh");
    return false;
  }
  keepSession(await res.json());
  return true;
}

async function login(username, password) {
  const session = await call("POST", "/auth/login", { username, password }, false);
  keepSession(session);
  await start();
}

async function logout() {
  try { await call("POST", "/auth/logout", { refresh_token: state.session.refresh_token }); } catch { /* gone anyway */ }
  localStorage.removeItem("papo.refresh");
  location.reload();
}

// ---------- the socket ----------

function connect() {
  const since = [...state.lastSeq].filter(([, seq]) => seq > 0).map(([room, seq]) => `${room}:${seq}`).join(",");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}${api}/ws?token=${encodeURIComponent(state.session.access_token)}` +
    (since ? `&since=${since}` : "");
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.onopen = () => {
    state.backoff = 500;
    $("#conn-state").classList.add("up");
    resendPending();
  };
  socket.onmessage = (event) => onFrame(JSON.parse(event.data));
  socket.onclose = async (event) => {
    $("#conn-state").classList.remove("up");
    if (state.socket !== socket) return;
    if (event.code === 4401) return location.reload();
    if (event.code === 1008 && !(await refresh())) return location.reload();
    setTimeout(connect, state.backoff);
    state.backoff = Math.min(state.backoff * 2, 10000);
  };
}

function send(frame) {
  if (state.socket?.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function onFrame(frame) {
  switch (frame.type) {
    case "history": debug.replayed += frame.messages.length; frame.messages.forEach((m) => store(m)); if (frame.room_id === state.current) render(); break;
    case "message": onMessage(frame); break;
    case "ack": onAck(frame); break;
    case "edited": case "deleted": store(frame.message, true); if (frame.room_id === state.current) render(); break;
    case "presence": state.presence.set(frame.room_id, frame.online); if (frame.room_id === state.current) renderHeader(); scheduleOnline(); break;
    case "typing": state.typing.set(frame.room_id, frame.users); if (frame.room_id === state.current) renderTyping(); break;
    case "system": if (frame.room_id === state.current) notice(frame.content); loadRooms(); break;
    case "read": break;
    case "error": onError(frame); break;
  }
}

function store(message, replace = false) {
  const room = message.room_id;
  if (!state.messages.has(room)) state.messages.set(room, new Map());
  const messages = state.messages.get(room);
  if (replace || !messages.has(message.seq)) messages.set(message.seq, message);
  state.lastSeq.set(room, Math.max(state.lastSeq.get(room) || 0, message.seq));
}

function onMessage(message) {
  store(message);
  if (message.room_id === state.current && document.visibilityState === "visible") {
    render();
    markRead();
  } else {
    const room = state.rooms.get(message.room_id);
    if (room) { room.unread += 1; renderRooms(); } else loadRooms();
  }
}

function onAck(ack) {
  const pending = state.pending.get(ack.temp_id);
  state.pending.delete(ack.temp_id);
  if (pending) {
    store({ id: ack.id, room_id: ack.room_id, seq: ack.seq, user: me(), content: pending.content,
      timestamp: ack.timestamp, edited_at: null, deleted: false });
  }
  state.lastSeq.set(ack.room_id, Math.max(state.lastSeq.get(ack.room_id) || 0, ack.seq));
  if (ack.room_id === state.current) render();
}

function onError(error) {
  if (error.temp_id && state.pending.has(error.temp_id)) {
    state.pending.get(error.temp_id).failed = error.message;
    render();
  } else if (error.code === "slow_consumer") {
    // The close that follows reconnects with `since`; nothing to do.
  } else {
    $("#room-error").textContent = error.message;
  }
}

// Posts whose ack never came are sent again with the same temp_id: stored once.
function resendPending() {
  for (const [temp_id, post] of state.pending) {
    if (!post.failed) send({ type: "message", room_id: post.room, content: post.content, temp_id });
  }
}

// ---------- rooms ----------

async function loadRooms() {
  const rooms = [];
  let cursor = null;
  do {
    const page = await call("GET", `/rooms?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    rooms.push(...page.rooms);
    cursor = page.next_cursor;
  } while (cursor);
  state.rooms = new Map(rooms.map((r) => [r.id, r]));
  renderRooms();
}

async function openRoom(id) {
  const room = state.rooms.get(id);
  if (!room) return;
  $("#room-error").textContent = "";
  try {
    if (room.visibility === "public") await call("POST", `/rooms/${id}/join`);
    send({ type: "join", room_id: id });
  } catch (err) {
    $("#room-error").textContent = err.message;
    return;
  }
  state.current = id;
  $("#sidebar").classList.remove("open");
  if (!state.oldest.has(id)) {
    const page = await call("GET", `/rooms/${id}/history?limit=50`);
    page.messages.forEach((m) => store(m));
    state.oldest.set(id, page.next_before);
  }
  // "New messages" marker: above the first unread message by someone else.
  const others = [...(state.messages.get(id) || new Map()).values()]
    .filter((m) => m.user.id !== state.session.id && !m.deleted)
    .sort((a, b) => a.seq - b.seq);
  const firstUnread = room.unread > 0 ? others[Math.max(0, others.length - room.unread)] : null;
  state.readMarker = { room: id, seq: firstUnread ? firstUnread.seq : null };
  room.unread = 0;
  renderRooms();
  renderHeader();
  render(true);
  markRead();
}

async function loadOlder() {
  const id = state.current;
  const before = state.oldest.get(id);
  if (!before) return;
  const box = $("#messages");
  const height = box.scrollHeight;
  const page = await call("GET", `/rooms/${id}/history?before=${before}&limit=50`);
  page.messages.forEach((m) => store(m));
  state.oldest.set(id, page.next_before);
  render();
  box.scrollTop = box.scrollHeight - height;
}

function markRead() {
  const seq = state.lastSeq.get(state.current);
  if (seq) send({ type: "read", room_id: state.current, seq });
}

async function loadOnline() {
  try {
    const { users } = await call("GET", "/users/online");
    const list = $("#online");
    list.replaceChildren(...users.filter((u) => u.id !== state.session.id).map((u) => {
      const li = el("li", {}, el("span", { class: "name" }, u.name), el("span", { class: "tag" }, "@" + u.username));
      li.title = "Start a direct conversation";
      li.onclick = () => openDirect(u.id);
      return li;
    }));
  } catch { /* shown again on the next poll */ }
}

// Presence changes arrive per room; the online list is refreshed once after a burst.
let onlineTimer = null;
function scheduleOnline() {
  clearTimeout(onlineTimer);
  onlineTimer = setTimeout(loadOnline, 300);
}

async function openDirect(userId) {
  const room = await call("POST", "/dms", { user_id: userId });
  await loadRooms();
  send({ type: "join", room_id: room.id });
  openRoom(room.id);
}

// ---------- rendering ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function me() {
  return { id: state.session.id, name: state.session.name, username: state.session.username };
}

function renderRooms() {
  $("#rooms").replaceChildren(...[...state.rooms.values()].map((room) => {
    const li = el("li", { class: room.id === state.current ? "active" : "" },
      el("span", { class: "name" }, (room.visibility === "private" ? "🔒 " : room.visibility === "direct" ? "@ " : "# ") + room.name));
    if (room.unread > 0 && room.id !== state.current) li.append(el("span", { class: "badge" }, String(room.unread)));
    li.onclick = () => openRoom(room.id);
    return li;
  }));
}

function renderHeader() {
  const room = state.rooms.get(state.current);
  if (!room) return;
  $("#room-name").textContent = room.name;
  const online = state.presence.get(room.id) || [];
  $("#room-presence").textContent = `${room.member_count} members · ${online.length} online: ` +
    online.map((u) => u.name).join(", ");
  $("#invite").hidden = room.visibility !== "private" || room.creator_id !== state.session.id;
  $("#composer").hidden = false;
  renderTyping();
}

function renderTyping() {
  const users = (state.typing.get(state.current) || []).filter((u) => u.id !== state.session.id);
  $("#typing").textContent = users.length ? `${users.map((u) => u.name).join(", ")} ${users.length > 1 ? "are" : "is"} typing…` : "";
}

function render(toBottom = false) {
  const id = state.current;
  if (!id) return;
  const box = $("#messages");
  const atBottom = toBottom || box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const stored = [...(state.messages.get(id) || new Map()).values()].sort((a, b) => a.seq - b.seq);
  const items = [];
  for (const m of stored) {
    if (state.readMarker?.room === id && state.readMarker.seq === m.seq) {
      items.push(el("li", { class: "read-marker", title: "new messages" }));
    }
    items.push(messageItem(m));
  }
  for (const [temp_id, post] of state.pending) {
    if (post.room === id) items.push(pendingItem(temp_id, post));
  }
  $("#message-list").replaceChildren(...items);
  $("#older").hidden = !state.oldest.get(id);
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function messageItem(m) {
  const mine = m.user.id === state.session.id;
  const li = el("li", { class: "msg" + (m.deleted ? " deleted" : "") },
    el("span", { class: "who" }, m.user.name),
    el("span", { class: "when" }, new Date(m.timestamp).toLocaleTimeString() + (m.edited_at ? " (edited)" : "")),
    el("span", { class: "actions" }),
    el("div", { class: "text" }, m.deleted ? "message deleted" : m.content));
  if (mine && !m.deleted) {
    const edit = el("button", { class: "link" }, "edit");
    edit.onclick = async () => {
      const content = prompt("Edit message", m.content);
      if (content && content.trim() && content !== m.content) {
        try { await call("PATCH", `/messages/${m.id}`, { content }); } catch (err) { $("#room-error").textContent = err.message; }
      }
    };
    const del = el("button", { class: "link" }, "delete");
    del.onclick = async () => {
      if (confirm("Delete this message?")) {
        try { await call("DELETE", `/messages/${m.id}`); } catch (err) { $("#room-error").textContent = err.message; }
      }
    };
    li.querySelector(".actions").append(edit, del);
  }
  return li;
}

function pendingItem(temp_id, post) {
  const li = el("li", { class: "msg " + (post.failed ? "failed" : "pending") },
    el("span", { class: "who" }, state.session.name),
    el("span", { class: "when" }, post.failed ? "not sent" : "sending…"),
    el("span", { class: "actions" }),
    el("div", { class: "text" }, post.content));
  if (post.failed) {
    const retry = el("button", { class: "link" }, "retry");
    retry.onclick = () => { post.failed = null; send({ type: "message", room_id: post.room, content: post.content, temp_id }); render(); };
    li.querySelector(".actions").append(retry);
    li.title = post.failed;
  }
  return li;
}

function notice(text) {
  $("#message-list").append(el("li", { class: "notice" }, text));
}

// ---------- wiring ----------

async function start() {
  $("#auth").hidden = true;
  $("#app").hidden = false;
  $("#me-name").textContent = `${state.session.name} (@${state.session.username})`;
  await loadRooms();
  connect();
  loadOnline();
  setInterval(loadOnline, 15000);
  const general = [...state.rooms.values()].find((r) => r.name === "general") || [...state.rooms.values()][0];
  if (general) openRoom(general.id);
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

$("#login-form").onsubmit = async (event) => {
  event.preventDefault();
  const { username, password } = formData(event.target);
  try { await login(username, password); } catch (err) { $("#login-error").textContent = err.message; }
};

$("#register-form").onsubmit = async (event) => {
  event.preventDefault();
  const { name, username, password } = formData(event.target);
  try {
    await call("POST", "/users", { name, username, password }, false);
    await login(username, password);
  } catch (err) {
    $("#register-error").textContent = err.message;
  }
};

$("#create-room").onsubmit = async (event) => {
  event.preventDefault();
  const form = event.target;
  const { name } = formData(form);
  $("#rooms-error").textContent = "";
  try {
    const room = await call("POST", "/rooms", { name, visibility: form.private.checked ? "private" : "public" });
    form.reset();
    await loadRooms();
    send({ type: "join", room_id: room.id });
    openRoom(room.id);
  } catch (err) {
    $("#rooms-error").textContent = err.message;
  }
};

$("#invite").onsubmit = async (event) => {
  event.preventDefault();
  const form = event.target;
  const { username } = formData(form);
  try {
    const { users } = await call("GET", `/users?q=${encodeURIComponent(username)}&limit=100`);
    const user = users.find((u) => u.username.toLowerCase() === username.toLowerCase());
    if (!user) throw new Error(`No user named ${username}.`);
    await call("POST", `/rooms/${state.current}/members`, { user_id: user.id });
    form.reset();
    await loadRooms();
    renderHeader();
  } catch (err) {
    $("#room-error").textContent = err.message;
  }
};

$("#composer").onsubmit = (event) => {
  event.preventDefault();
  const box = event.target.content;
  const content = box.value.trim();
  if (!content || !state.current) return;
  const temp_id = crypto.randomUUID();
  state.pending.set(temp_id, { room: state.current, content, failed: null });
  send({ type: "message", room_id: state.current, content, temp_id });
  send({ type: "typing", room_id: state.current, is_typing: false });
  state.typingSentAt = 0;
  box.value = "";
  render(true);
};

$("#composer textarea").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("#composer").requestSubmit();
  }
});

$("#composer textarea").addEventListener("input", () => {
  // Renewed every 3 s while typing; the server lapses it 5 s after the last one.
  if (Date.now() - state.typingSentAt > 3000 && state.current) {
    state.typingSentAt = Date.now();
    send({ type: "typing", room_id: state.current, is_typing: true });
  }
});

$("#older").onclick = loadOlder;
$("#logout").onclick = logout;
$("#show-rooms").onclick = () => $("#sidebar").classList.toggle("open");
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.current) { render(); markRead(); }
});

// For tests and debugging: drop the socket as a network failure would (staying away
// at least `awayMs`); the client reconnects and resumes with `since`. `replayed`
// counts the messages that came in history frames rather than live.
const debug = {
  replayed: 0,
  dropConnection(awayMs = 0) {
    state.backoff = Math.max(state.backoff, awayMs);
    state.socket?.close(4000, "dropped on purpose");
  },
};
window.papo = debug;

(async () => {
  if (await refresh().catch(() => false)) await start();
  else $("#auth").hidden = false;
})();

// The line under the timeline that says who is writing in the open room
// ("Ana is typing…"), from the server's `typing` frames; never oneself.

import { $ } from "./dom.js";
import { typingText } from "./format.js";
import * as session from "./session.js";
import { on, state } from "./state.js";

function render(room) {
  if (room !== state.current) return;
  const me = session.user()?.id;
  $("#typing").textContent = typingText((state.typing.get(room) || []).filter((u) => u.id !== me));
}

export function start() {
  on("current", render);
  on("typing", render);
}

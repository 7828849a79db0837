// The connection banner over the conversation: "Reconnecting…" with a countdown and
// a Retry button, or "You're offline". Hidden while connected; on the first connect
// it waits a moment so a normal start does not flash it.

import { $ } from "./dom.js";
import * as socket from "./socket.js";
import { on } from "./state.js";

const GRACE_MS = 1500;
let tick = null;
let graceTimer = null;

function paint({ status, retryAt, reason }) {
  const banner = $("#banner");
  clearInterval(tick);
  clearTimeout(graceTimer);
  if (status === "open") {
    banner.hidden = true;
    return;
  }
  if (status === "connecting") {
    graceTimer = setTimeout(() => paint({ status: "reconnecting", reason: null }), GRACE_MS);
    return;
  }
  banner.dataset.state = status;
  const offline = status === "offline";
  $("#banner-text").textContent = offline
    ? "You're offline. Messages you write will be sent when you're back online."
    : `${reason ? `${reason} ` : "Connection lost. "}Reconnecting…`;
  const countdown = () => {
    const left = retryAt ? Math.ceil((retryAt - Date.now()) / 1000) : 0;
    $("#banner-when").textContent = !offline && left > 1 ? `Trying again in ${left} s.` : "";
  };
  countdown();
  if (!offline) tick = setInterval(countdown, 1000);
  $("#banner-retry").hidden = offline;
  banner.hidden = false;
}

export function start() {
  on("connection", paint);
  $("#banner-retry").addEventListener("click", socket.retryNow);
}
